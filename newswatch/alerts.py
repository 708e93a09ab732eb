"""From new articles to alerts: match watches, record matches, queue alerts in the outbox.

``ArticleAlerts`` is a pipeline ``RunHook``: it runs inside the transaction
that stored the articles, so an article and its alerts are written together.
An (article, watch) pair alerts once, whatever the number of sources or
passes that list it; an edited article alerts only for watches it newly matches.
"""

from __future__ import annotations

import json
from collections import defaultdict
from typing import Any

from newswatch.config import Config, SourceConfig, WatchConfig
from newswatch.diff import RunReport
from newswatch.matcher import Hit, Matcher, WatchTerms, snippet
from newswatch.model import NewArticle
from newswatch.outbox import enqueue
from newswatch.store import Store, iso, parse_iso, utcnow


def routed(config: Config, names: tuple[str, ...]) -> list[str]:
    """Notifier names to use: the given ones, or every notifier when empty."""
    return list(names) if names else [n.name for n in config.notifiers]


class ArticleAlerts:
    """Matches each run's new and changed articles against the watches."""

    def __init__(self, config: Config) -> None:
        self.config = config
        self.watches = {w.name: w for w in config.watches}
        self.matcher = Matcher({w.name: WatchTerms(w.keywords, w.exclude) for w in config.watches})

    def __call__(self, store: Store, source: SourceConfig, report: RunReport) -> None:
        if report.baseline or report.failed:
            return
        new = report.new
        if self._is_flood(report):
            hold(store, self.config, source.name, report)
            new = []
        report.alerts += self.alert(store, source, report.run_id, [*new, *report.changed], report.bodies)

    def alert(
        self, store: Store, source: SourceConfig, run_id: int | str | None, articles: list[NewArticle],
        bodies: dict[str, str],
    ) -> int:
        """Match ``articles`` and queue an alert per newly matched (article, watch); how many.

        ``run_id`` names the batch (a digest is one message per batch and notifier).
        """
        if not self.watches:
            return 0
        matched = [p for a in articles for p in self._matches(store, source, a, bodies.get(a.url))]
        if self.config.alerts.digest:
            return self._queue_digests(store, source, run_id, matched)
        return sum(self._queue_one(store, payload) for payload in matched)

    def _is_flood(self, report: RunReport) -> bool:
        alerts = self.config.alerts
        return len(report.new) >= alerts.flood_min and len(report.new) > alerts.flood_share * report.items

    def _matches(self, store: Store, source: SourceConfig, article: NewArticle, body: str | None) -> list[dict]:
        fields = {"title": article.title, "summary": article.summary, "body": body or ""}
        payloads = []
        for watch_name, hits in self.matcher.match(fields).items():
            watch = self.watches[watch_name]
            if watch.sources and source.name not in watch.sources:
                continue
            if _record_match(store, article, watch_name, hits):
                payloads.append(_payload(watch, source, article, hits, fields))
        return payloads

    def _queue_one(self, store: Store, payload: dict[str, Any]) -> bool:
        notifiers = routed(self.config, tuple(payload["notify"]))
        key = f"article:{payload['article_id']}:{payload['watch']}"
        return enqueue(store, key, "article", payload, notifiers, utcnow())

    def _queue_digests(
        self, store: Store, source: SourceConfig, run_id: int | str | None, matched: list[dict]
    ) -> int:
        per_notifier: dict[str, list[dict]] = defaultdict(list)
        for payload in matched:
            for notifier in routed(self.config, tuple(payload["notify"])):
                per_notifier[notifier].append(payload)
        for notifier, items in per_notifier.items():
            digest = {"kind": "digest", "source": source.name, "title": f"{len(items)} new on {source.name}",
                      "items": items}
            enqueue(store, f"digest:{run_id}:{notifier}", "digest", digest, [notifier], utcnow())
        return len(matched)


def hold(store: Store, config: Config, source: str, report: RunReport) -> None:
    """Keep a flood of new articles from alerting one by one; tell the operator once."""
    now = utcnow()
    for article in report.new:
        store.execute(
            "INSERT INTO held (article_id, source, run_id, held_at) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING",
            [article.article_id, source, report.run_id, iso(now)],
        )
    sample = "; ".join(a.title for a in report.new[:3])
    text = (f"{len(report.new)} of {report.items} items are new at once, which looks like a changed site "
            f"rather than news (sample: {sample}). They are stored but not alerted. To alert them, run: "
            f"newswatch once --accept-flood {source}")
    payload = {"kind": "operator", "source": source, "title": f"source {source}: {len(report.new)} new at once, held",
               "text": text}
    enqueue(store, f"flood:{source}:{report.run_id}", "operator", payload, routed(config, config.alerts.operator), now)
    report.notes.append(f"flood held back: {len(report.new)} new of {report.items}")


def release_held(store: Store, source: str) -> list[NewArticle]:
    """The articles held back for ``source``, removed from the hold (call inside a transaction)."""
    rows = store.query(
        "DELETE FROM held WHERE source = ? RETURNING article_id", [source]
    )
    ids = [r["article_id"] for r in rows]
    if not ids:
        return []
    marks = ",".join("?" * len(ids))
    articles = store.query(
        f"SELECT id, url, title, summary, published_at FROM articles WHERE id IN ({marks}) ORDER BY id", ids
    )
    return [NewArticle(a["id"], a["url"], a["title"], a["summary"], parse_iso(a["published_at"]), source)
            for a in articles]


def _record_match(store: Store, article: NewArticle, watch: str, hits: list[Hit]) -> bool:
    rows = store.query(
        "INSERT INTO matches (article_id, watch, keywords, matched_at) VALUES (?, ?, ?, ?) "
        "ON CONFLICT (article_id, watch) DO NOTHING RETURNING article_id",
        [article.article_id, watch, json.dumps([h.keyword for h in hits], ensure_ascii=False), iso(utcnow())],
    )
    return bool(rows)


def _payload(
    watch: WatchConfig, source: SourceConfig, article: NewArticle, hits: list[Hit], fields: dict[str, str]
) -> dict[str, Any]:
    # The title is in the alert already: quote the text around the first match outside it, if any.
    first = next((h for h in hits if h.field != "title"), hits[0])
    return {
        "kind": "article",
        "article_id": article.article_id,
        "watch": watch.name,
        "notify": list(watch.notify),
        "title": article.title,
        "url": article.url,
        "source": source.name,
        "published": iso(article.published),
        "keywords": list(dict.fromkeys(h.keyword for h in hits)),
        "snippet": snippet(fields[first.field], first.start, first.end),
    }
