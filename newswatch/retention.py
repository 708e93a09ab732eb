"""Retention: old run records and old ticker history pruned, articles and alerts kept.

``[storage] keep_runs`` and ``keep_quotes`` are durations; ``"0s"`` keeps everything. What is kept
whatever its age: a run still running, each source's latest run and latest successful run (``status``
reads them), and runs an article is held for; each ticker's latest quote per source, and any quote an
alert refers to (its id ends the alert key ``ticker:<rule>:<pair>:<quote id>``). Quote rows are one per
change of value already (an unchanged reading refreshes ``last_seen_at``), so a quote row is old when
it was last seen before the cut.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from newswatch.store import Store, iso

log = logging.getLogger(__name__)

_PRUNE_RUNS = """
DELETE FROM runs WHERE started_at < ? AND finished_at IS NOT NULL
AND id NOT IN (SELECT max(id) FROM runs GROUP BY source)
AND id NOT IN (SELECT max(id) FROM runs WHERE outcome IN ('ok', 'unchanged', 'baseline') GROUP BY source)
AND id NOT IN (SELECT run_id FROM held WHERE run_id IS NOT NULL)
"""

_PRUNE_QUOTES = """
DELETE FROM quotes WHERE last_seen_at < ?
AND id NOT IN (SELECT max(id) FROM quotes GROUP BY pair, source)
AND id NOT IN (SELECT CAST(substr(key, length(rtrim(key, '0123456789')) + 1) AS INTEGER)
               FROM alerts WHERE kind = 'ticker')
"""


@dataclass(frozen=True)
class Pruned:
    """How many rows one pruning removed."""

    runs: int
    quotes: int


def prune(store: Store, keep_runs: timedelta, keep_quotes: timedelta, now: datetime) -> Pruned:
    """Remove runs and quote rows older than their ``keep_*`` (zero: keep all), in one transaction."""
    with store.transaction():
        runs = _delete(store, _PRUNE_RUNS, keep_runs, now)
        quotes = _delete(store, _PRUNE_QUOTES, keep_quotes, now)
    if runs or quotes:
        log.info("retention: pruned %d runs and %d quote rows", runs, quotes)
    return Pruned(runs, quotes)


def _delete(store: Store, sql: str, keep: timedelta, now: datetime) -> int:
    if keep <= timedelta(0):
        return 0
    return len(store.query(sql.strip() + " RETURNING id", [iso(now - keep)]))
