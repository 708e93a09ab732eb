"""Read-side queries behind ``articles`` and ``status``."""

from __future__ import annotations

import json
import math
import re
from collections.abc import Sequence
from datetime import timedelta
from decimal import Decimal
from typing import Any

from newswatch.config import Config
from newswatch.store import Store, iso, utcnow


def list_articles(
    store: Store, watch: str | None = None, source: str | None = None, limit: int = 20, search: str | None = None
) -> list[dict[str, Any]]:
    """Stored articles, newest first, each with the watches it matched and the sources that listed it.

    ``search`` keeps the articles whose title, summary or body hold every word of it (full-text index).
    """
    where, params = [], []
    if search and fts_query(search):
        where.append("a.id IN (SELECT rowid FROM articles_fts WHERE articles_fts MATCH ?)")
        params.append(fts_query(search))
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
        "(SELECT json_group_object(watch, json(keywords)) FROM matches m WHERE m.article_id = a.id) AS keywords, "
        "(SELECT json_group_array(link) FROM article_urls u WHERE u.article_id = a.id AND u.how = 'title') AS also_at "
        f"FROM articles a {'WHERE ' + ' AND '.join(where) if where else ''} "
        "ORDER BY a.first_seen_at DESC, a.id DESC LIMIT ?"
    )
    rows = store.query(sql, [*params, limit])
    for row in rows:
        row["sources"] = json.loads(row["sources"])
        row["watches"] = json.loads(row["watches"])
        row["keywords"] = json.loads(row["keywords"])
        row["also_at"] = json.loads(row["also_at"])  # edited URLs of the same story (same title, same source)
    return rows


_WORD = re.compile(r"\w+\*?")


def fts_query(text: str) -> str:
    """What a person typed as an FTS5 query: every word must occur (``word*``: a prefix); no FTS syntax errors."""
    words = _WORD.findall(text)
    return " ".join(f'"{w.rstrip("*")}"' + ("*" if w.endswith("*") else "") for w in words)


def source_status(store: Store, config: Config, sources: Sequence[Any] | None = None) -> list[dict[str, Any]]:
    """One row per configured source (or per one of ``sources``, each with a name and a type): last run,
    outcome, items, failures, next run."""
    known = {row["name"]: row for row in store.source_rows()}
    rows = []
    for source in config.sources if sources is None else sources:
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


def ticker_alerts(store: Store, pair: str) -> list[dict[str, Any]]:
    """The ticker alerts raised for ``pair``, oldest first: when, the value, the change."""
    return store.query(
        "SELECT created_at, json_extract(payload, '$.value') AS value, json_extract(payload, '$.change') AS change, "
        "title FROM alerts WHERE kind = 'ticker' AND upper(json_extract(payload, '$.pair')) = upper(?) ORDER BY id",
        [pair],
    )


def known_pairs(store: Store) -> list[str]:
    """Every pair with recorded quotes."""
    return [r["pair"] for r in store.query("SELECT DISTINCT pair FROM quotes ORDER BY pair")]


def watch_matches(store: Store, watch: str, limit: int = 50) -> list[dict[str, Any]]:
    """The articles ``watch`` matched, most recently matched first, with the keywords that matched."""
    rows = store.query(
        "SELECT a.id, a.title, a.link AS url, a.summary, a.published_at, a.source, m.keywords, m.matched_at "
        "FROM matches m JOIN articles a ON a.id = m.article_id WHERE m.watch = ? "
        "ORDER BY m.matched_at DESC, a.id DESC LIMIT ?",
        [watch, limit],
    )
    for row in rows:
        row["keywords"] = json.loads(row["keywords"])
    return rows


def matched_watches(store: Store) -> list[str]:
    """Every watch name with stored matches (also those since removed from the config)."""
    return [r["watch"] for r in store.query("SELECT DISTINCT watch FROM matches ORDER BY watch")]


def delivery_queue(store: Store) -> dict[str, int]:
    """Deliveries by state: pending (never tried), retrying (failed, will retry), delivered, refused (for good:
    the server refused the message), given up (after ``max_age``)."""
    counts = {"pending": 0, "retrying": 0, "delivered": 0, "refused": 0, "given up": 0}
    rows = store.query(
        "SELECT CASE WHEN status = 'pending' AND attempts > 0 THEN 'retrying' WHEN status = 'expired' "
        "THEN 'given up' WHEN status = 'failed' THEN 'refused' ELSE status END AS state, count(*) AS n "
        "FROM deliveries WHERE status != 'merged' GROUP BY state"
    )
    counts.update({r["state"]: r["n"] for r in rows})
    return counts


def undelivered(store: Store, limit: int = 20) -> list[dict[str, Any]]:
    """Deliveries still owed or given up, oldest first (their last error is stored masked)."""
    return store.query(
        "SELECT a.title, a.kind, a.created_at, d.notifier, d.status, d.attempts, d.last_error, d.next_attempt_at "
        "FROM deliveries d JOIN alerts a ON a.id = d.alert_id WHERE d.status != 'delivered' "
        "ORDER BY d.status = 'expired', a.id LIMIT ?",
        [limit],
    )


def notifier_overview(store: Store, config: Config) -> list[dict[str, Any]]:
    """Per configured notifier (never its URL), for the web page: delivered, pending, last delivery, failures
    in a row, last error."""
    health = {r["name"]: r for r in store.query("SELECT * FROM notifier_health")}
    counts = {
        r["notifier"]: r
        for r in store.query(
            "SELECT notifier, sum(status = 'delivered') AS delivered, sum(status = 'pending') AS pending, "
            "sum(status = 'expired') AS expired, max(delivered_at) AS last_delivered FROM deliveries GROUP BY notifier"
        )
    }
    rows = []
    for notifier in config.notifiers:
        row, seen = health.get(notifier.name, {}), counts.get(notifier.name, {})
        failures = row.get("consecutive_failures", 0)
        rows.append({
            "notifier": notifier.name, "health": "failing" if failures else "ok", "failures": failures,
            "last_error": row.get("last_error") if failures else None, "delivered": seen.get("delivered") or 0,
            "pending": seen.get("pending") or 0, "expired": seen.get("expired") or 0,
            "last_delivered": seen.get("last_delivered"),
        })
    return rows


# -- figures behind /metrics -------------------------------------------------------

RUN_SECONDS = "(julianday(finished_at) - julianday(started_at)) * 86400.0"


def run_counts(store: Store) -> list[dict[str, Any]]:
    """Finished runs by source and outcome."""
    return store.query("SELECT source, outcome, count(*) AS n FROM runs WHERE finished_at IS NOT NULL "
                       "GROUP BY source, outcome ORDER BY source, outcome")


def duration_buckets(store: Store, bounds: list[float], fetch: bool = False) -> list[dict[str, Any]]:
    """Per source: runs (``fetch``: their fetches) at or under each bound (``le_0`` …), their count and seconds."""
    seconds = "fetch_seconds" if fetch else RUN_SECONDS
    cases = ", ".join(f"sum({seconds} <= {float(b)!r}) AS le_{i}" for i, b in enumerate(bounds))
    return store.query(
        f"SELECT source, count({seconds}) AS n, total({seconds}) AS seconds, {cases} FROM runs "
        f"WHERE finished_at IS NOT NULL AND {seconds} IS NOT NULL GROUP BY source ORDER BY source"
    )


def record_counts(store: Store) -> dict[str, list[dict[str, Any]]]:
    """Articles stored, matches and article alerts by watch, alerts by kind, deliveries by notifier and status."""
    return {
        "articles": store.query("SELECT count(*) AS n FROM articles"),
        "matches": store.query("SELECT watch, count(*) AS n FROM matches GROUP BY watch ORDER BY watch"),
        "alerts": store.query(
            "SELECT kind, coalesce(json_extract(payload, '$.watch'), '') AS watch, count(*) AS n FROM alerts "
            "GROUP BY kind, watch ORDER BY kind, watch"
        ),
        "deliveries": store.query(
            "SELECT notifier, status, count(*) AS n FROM deliveries GROUP BY notifier, status ORDER BY notifier, status"
        ),
    }


def last_successes(store: Store) -> list[dict[str, Any]]:
    """Per source: when its last successful run (ok, unchanged or baseline) finished, and failures in a row."""
    return store.query(
        "SELECT s.name AS source, s.consecutive_failures AS failures, (SELECT max(finished_at) FROM runs r "
        "WHERE r.source = s.name AND r.outcome IN ('ok', 'unchanged', 'baseline')) AS at FROM sources s ORDER BY s.name"
    )


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


# -- schedule lag (daemon runs: when due, how late started) ------------------------

LAG_WINDOW_SECONDS = 3600
LATE_SECONDS = 1.0
"""A run that started more than this after it was due is late (the daemon logs the same threshold)."""


def schedule_lag(store: Store, window: int = LAG_WINDOW_SECONDS) -> dict[str, Any]:
    """The daemon's runs started in the last ``window`` seconds: how many, their lag p50 / p99 / max, how many late."""
    since = iso(utcnow() - timedelta(seconds=window))
    head = store.query(
        "SELECT count(*) AS runs, max(lag_seconds) AS lag_max, total(lag_seconds > ?) AS late_runs FROM runs "
        "WHERE started_at >= ? AND lag_seconds IS NOT NULL",
        [LATE_SECONDS, since],
    )[0]
    runs = int(head["runs"])
    return {"window_seconds": window, "runs": runs, "lag_p50": _lag_rank(store, since, runs, 0.50),
            "lag_p99": _lag_rank(store, since, runs, 0.99), "lag_max": head["lag_max"],
            "late_runs": int(head["late_runs"]), "late_seconds": LATE_SECONDS}


def _lag_rank(store: Store, since: str | None, runs: int, fraction: float) -> float | None:
    """The lag at ``fraction`` of the ``runs`` started since ``since`` (nearest rank)."""
    if not runs:
        return None
    rank = max(0, math.ceil(fraction * runs) - 1)
    rows = store.query(
        "SELECT lag_seconds FROM runs WHERE started_at >= ? AND lag_seconds IS NOT NULL "
        "ORDER BY lag_seconds LIMIT 1 OFFSET ?",
        [since, rank],
    )
    return rows[0]["lag_seconds"] if rows else None


def lag_buckets(store: Store, bounds: list[float]) -> dict[str, Any]:
    """Runs with a recorded lag at or under each bound (``le_0`` …), their count and total lag."""
    cases = ", ".join(f"total(lag_seconds <= {float(b)!r}) AS le_{i}" for i, b in enumerate(bounds))
    return store.query(f"SELECT count(lag_seconds) AS n, total(lag_seconds) AS seconds, {cases} FROM runs "
                       "WHERE lag_seconds IS NOT NULL")[0]


def recent_runs(store: Store, source: str | None = None, limit: int = 50) -> list[dict[str, Any]]:
    """The latest runs, newest first (of one ``source``, or of all): outcome, counts, fetch time, lag, error."""
    where, params = ("WHERE source = ? ", [source]) if source else ("", [])
    return store.query(
        "SELECT id, source, started_at, finished_at, outcome, items, new, alerts, error, fetch_seconds, due_at, "
        f"lag_seconds FROM runs {where}ORDER BY id DESC LIMIT ?",
        [*params, limit],
    )
