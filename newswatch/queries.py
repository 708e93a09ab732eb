"""Read-side queries behind ``articles`` and ``status``."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from newswatch.config import Config
from newswatch.store import Store, iso, utcnow


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
        "(SELECT json_group_array(watch) FROM matches m WHERE m.article_id = a.id) AS watches, "
        "(SELECT json_group_array(link) FROM article_urls u WHERE u.article_id = a.id AND u.how = 'title') AS also_at "
        f"FROM articles a {'WHERE ' + ' AND '.join(where) if where else ''} "
        "ORDER BY a.first_seen_at DESC, a.id DESC LIMIT ?"
    )
    rows = store.query(sql, [*params, limit])
    for row in rows:
        row["sources"] = json.loads(row["sources"])
        row["watches"] = json.loads(row["watches"])
        row["also_at"] = json.loads(row["also_at"])  # edited URLs of the same story (same title, same source)
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
                "next_run": _next_run(row),
                "error": row.get("last_error"),
                "retry_after": row.get("retry_after"),
            }
        )
    return rows


def _next_run(row: dict[str, Any]) -> str | None:
    """The scheduled next run, or the site's Retry-After when that is later."""
    planned, wait = row.get("next_run_at"), row.get("retry_after")
    if wait and (not planned or wait > planned) and wait > (iso(utcnow()) or ""):
        return wait
    return planned


SPARKS = "▁▂▃▄▅▆▇█"


def sparkline(values: list[Decimal]) -> str:
    """A small Unicode chart of ``values`` (oldest first)."""
    if not values:
        return ""
    low, high = min(values), max(values)
    if high == low:
        return SPARKS[3] * len(values)
    return "".join(SPARKS[int((v - low) / (high - low) * (len(SPARKS) - 1))] for v in values)


def latest_quotes(store: Store, history: int = 20) -> list[dict[str, Any]]:
    """Per pair: the latest value, the change since the previous different value, a sparkline."""
    pairs = [r["pair"] for r in store.query("SELECT DISTINCT pair FROM quotes ORDER BY pair")]
    return [_latest(store, pair, history) for pair in pairs]


def _latest(store: Store, pair: str, history: int) -> dict[str, Any]:
    rows = pair_history(store, pair, history)
    last = rows[-1]
    values = [Decimal(r["value"]) for r in rows]
    previous = next((v for v in reversed(values) if v != values[-1]), None)
    return {
        "pair": pair,
        "value": last["value"],
        "previous": None if previous is None else str(previous),
        "change": _change(previous, values[-1]),
        "site_change": last["change"],
        "source": last["source"],
        "last_seen": last["last_seen_at"],
        "trend": sparkline(values),
    }


def _change(previous: Decimal | None, value: Decimal) -> str | None:
    if previous is None or previous == 0:
        return None
    return f"{(value - previous) * 100 / previous:+.2f}%"


def pair_history(store: Store, pair: str, limit: int = 100) -> list[dict[str, Any]]:
    """The pair's recorded values, oldest first (the last ``limit`` of them)."""
    rows = store.query(
        "SELECT value, change, source, observed_at, last_seen_at FROM quotes WHERE upper(pair) = upper(?) "
        "ORDER BY id DESC LIMIT ?",
        [pair, limit],
    )
    return rows[::-1]
