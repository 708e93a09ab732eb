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
from newswatch.store import Store, iso, utcnow


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
        if report.baseline or report.failed or not self.watches:
            return
        matched = [
            payload
            for article in [*report.new, *report.changed]
            for payload in self._matches(store, source, article, report.bodies.get(article.url))
        ]
        if self.config.alerts.digest:
            report.alerts += self._queue_digests(store, source, report, matched)
        else:
            report.alerts += sum(self._queue_one(store, payload) for payload in matched)

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

    def _queue_digests(self, store: Store, source: SourceConfig, report: RunReport, matched: list[dict]) -> int:
        per_notifier: dict[str, list[dict]] = defaultdict(list)
        for payload in matched:
            for notifier in routed(self.config, tuple(payload["notify"])):
                per_notifier[notifier].append(payload)
        for notifier, items in per_notifier.items():
            digest = {"kind": "digest", "source": source.name, "title": f"{len(items)} new on {source.name}",
                      "items": items}
            enqueue(store, f"digest:{report.run_id}:{notifier}", "digest", digest, [notifier], utcnow())
        return len(matched)


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
