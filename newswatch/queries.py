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


def list_alerts(store: Store, pending_only: bool = False, limit: int = 50) -> list[dict[str, Any]]:
    """Alerts, newest first, each with what it is about and one entry per notifier it is owed to.

    ``pending_only``: only alerts that some notifier still owes (status ``pending``).
    """
    where = "WHERE id IN (SELECT alert_id FROM deliveries WHERE status = 'pending')" if pending_only else ""
    alerts = store.query(
        f"SELECT id, kind, source, title, payload, created_at FROM alerts {where} ORDER BY id DESC LIMIT ?", [limit]
    )
    deliveries: dict[int, list[dict[str, Any]]] = {a["id"]: [] for a in alerts}
    if alerts:
        marks = ", ".join("?" * len(alerts))
        for row in store.query(
            "SELECT alert_id, notifier, status, attempts, last_error, last_attempt_at, next_attempt_at, delivered_at "
            f"FROM deliveries WHERE alert_id IN ({marks}) ORDER BY alert_id, notifier",
            list(deliveries),
        ):
            deliveries[row.pop("alert_id")].append(row)
    return [_alert(a, deliveries[a["id"]]) for a in alerts]


def _alert(row: dict[str, Any], deliveries: list[dict[str, Any]]) -> dict[str, Any]:
    payload = json.loads(row["payload"])
    items = payload.get("items", [payload])
    watches = sorted({i["watch"] for i in items if i.get("watch")})
    return {
        "id": row["id"], "kind": row["kind"], "watch": ", ".join(watches) or None, "ticker": payload.get("pair"),
        "source": row["source"], "title": row["title"], "created_at": row["created_at"], "deliveries": deliveries,
    }


def notifier_status(store: Store, config: Config) -> list[dict[str, Any]]:
    """One row per configured notifier: deliveries by status, the last one delivered, its failure streak,
    and the last error (of the streak, else of a delivery still owed)."""
    counts = {
        (r["notifier"], r["status"]): r
        for r in store.query(
            "SELECT notifier, status, count(*) AS n, max(delivered_at) AS last FROM deliveries GROUP BY 1, 2"
        )
    }
    health = {r["name"]: r for r in store.query("SELECT * FROM notifier_health")}
    owed_errors = {  # the latest reason a still-pending delivery gave (later ones may have gone through)
        r["notifier"]: r["last_error"]
        for r in store.query("SELECT notifier, last_error FROM deliveries WHERE status = 'pending' "
                             "AND last_error IS NOT NULL ORDER BY last_attempt_at")
    }
    rows = []
    for notifier in config.notifiers:
        count = {s: counts.get((notifier.name, s), {}).get("n", 0) for s in ("pending", "failed", "expired")}
        state = health.get(notifier.name, {})
        rows.append({
            "notifier": notifier.name, "pending": count["pending"], "refused": count["failed"],
            "given_up": count["expired"], "last_delivered": counts.get((notifier.name, "delivered"), {}).get("last"),
            "failures": state.get("consecutive_failures", 0),
            "error": (state.get("last_error") if state.get("consecutive_failures") else None)
            or owed_errors.get(notifier.name),
        })
    return rows
