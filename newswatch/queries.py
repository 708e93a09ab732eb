"""Read-side queries behind ``articles`` and ``status``."""

from __future__ import annotations

import json
from typing import Any

from newswatch.config import Config
from newswatch.store import Store


def list_articles(
    store: Store, watch: str | None = None, source: str | None = None, limit: int = 20
) -> list[dict[str, Any]]:
    """Stored articles, newest first, each with the watches it matched and the sources that listed it."""
    where, params = [], []
    if watch:
        where.append("a.id IN (SELECT article_id FROM matches WHERE watch = ?)")
        params.append(watch)
    if source:
        where.append("a.id IN (SELECT article_id FROM article_sources WHERE source = ?)")
        params.append(source)
    sql = (
        "SELECT a.id, a.title, a.url, a.link, a.summary, a.published_at, a.first_seen_at, "
        "(SELECT json_group_array(source) FROM article_sources s WHERE s.article_id = a.id) AS sources, "
        "(SELECT json_group_array(watch) FROM matches m WHERE m.article_id = a.id) AS watches "
        f"FROM articles a {'WHERE ' + ' AND '.join(where) if where else ''} "
        "ORDER BY a.first_seen_at DESC, a.id DESC LIMIT ?"
    )
    rows = store.query(sql, [*params, limit])
    for row in rows:
        row["sources"] = json.loads(row["sources"])
        row["watches"] = json.loads(row["watches"])
    return rows


def source_status(store: Store, config: Config) -> list[dict[str, Any]]:
    """One row per configured source: last run, outcome, items, failures, next run."""
    known = {row["name"]: row for row in store.source_rows()}
    rows = []
    for source in config.sources:
        row = known.get(source.name, {})
        rows.append(
            {
                "source": source.name,
                "type": source.type,
                "last_run": row.get("last_run_at"),
                "outcome": row.get("last_outcome") or "never run",
                "items": row.get("last_items", 0),
                "failures": row.get("consecutive_failures", 0),
                "next_run": row.get("next_run_at"),
                "error": row.get("last_error"),
            }
        )
    return rows
