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
        new, listed = report.new, self._newly_in_scope(store, source, report.listed)
        if self._is_flood(report):
            hold(store, self.config, source.name, report)
            new, listed = [], {}
        restricted = {a.article_id: a for a in listed.values()}
        articles = [*new, *report.changed, *restricted.values()]
        only = _watches_of(listed)
        known = [*report.changed, *restricted.values()]  # new articles' bodies are in the report already
        bodies = {**stored_bodies(store, known), **report.bodies}  # keyed by the article's link
        report.alerts += self.alert(store, source, report.run_id, articles, bodies, only)

    def _newly_in_scope(
        self, store: Store, source: SourceConfig, listed: list[NewArticle]
    ) -> dict[tuple[int, str], NewArticle]:
        """(article id, watch) → known article that this run brings into the watch's scope for the first time.

        A watch considers an article the first time any source in its scope lists it: a watch without
        ``sources`` did so when the article was first stored; a scoped one does when this is the first
        of its sources to list it (a baseline included: then it was considered, silently).
        """
        scoped = [w for w in self.config.watches if w.sources and source.name in w.sources]
        return {
            (a.article_id, w.name): a
            for a in listed for w in scoped if _first_in(store, a.article_id, source.name, w.sources)
        }

    def alert(
        self, store: Store, source: SourceConfig, run_id: int | str | None, articles: list[NewArticle],
        bodies: dict[str, str], only: dict[int, set[str]] | None = None,
    ) -> int:
        """Match ``articles`` and queue an alert per newly matched (article, watch); how many.

        ``run_id`` names the batch (a digest is one message per batch and notifier); ``only``
        restricts the articles it names (by id) to those watches.
        """
        if not self.watches or not articles:
            return 0
        only = only or {}
        matched = [
            p for a in articles for p in self._matches(store, source, a, bodies.get(a.url), only.get(a.article_id))
        ]
        if self.config.alerts.digest:
            return self._queue_digests(store, source, run_id, matched)
        return sum(self._queue_one(store, payload) for payload in matched)

    def _is_flood(self, report: RunReport) -> bool:
        alerts = self.config.alerts
        return len(report.new) >= alerts.flood_min and len(report.new) > alerts.flood_share * report.items

    def _matches(
        self, store: Store, source: SourceConfig, article: NewArticle, body: str | None, only: set[str] | None
    ) -> list[dict]:
        fields = {"title": article.title, "summary": article.summary, "body": body or ""}
        payloads = []
        for watch_name, hits in self.matcher.match(fields).items():
            watch = self.watches[watch_name]
            if (watch.sources and source.name not in watch.sources) or (only is not None and watch_name not in only):
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
        f"SELECT id, link AS url, title, summary, published_at FROM articles WHERE id IN ({marks}) ORDER BY id", ids
    )
    return [NewArticle(a["id"], a["url"], a["title"], a["summary"], parse_iso(a["published_at"]), source)
            for a in articles]


def _watches_of(listed: dict[tuple[int, str], NewArticle]) -> dict[int, set[str]]:
    """Article id → the watches that consider it now."""
    grouped: dict[int, set[str]] = defaultdict(set)
    for article_id, watch in listed:
        grouped[article_id].add(watch)
    return dict(grouped)


def _first_in(store: Store, article_id: int, source: str, scope: tuple[str, ...]) -> bool:
    """True when no source of ``scope`` other than ``source`` listed the article before."""
    others = [name for name in scope if name != source]
    if not others:
        return True
    marks = ",".join("?" * len(others))
    rows = store.query(
        f"SELECT 1 FROM article_sources WHERE article_id = ? AND source IN ({marks}) LIMIT 1", [article_id, *others]
    )
    return not rows


def stored_bodies(store: Store, articles: list[NewArticle]) -> dict[str, str]:
    """Link (``NewArticle.url``) → main text already stored for these articles (fetched for any source)."""
    ids = sorted({a.article_id for a in articles})
    if not ids:
        return {}
    marks = ",".join("?" * len(ids))
    rows = store.query(f"SELECT id, body FROM articles WHERE id IN ({marks}) AND body IS NOT NULL", ids)
    by_id = {int(r["id"]): r["body"] for r in rows}
    return {a.url: by_id[a.article_id] for a in articles if a.article_id in by_id}


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
