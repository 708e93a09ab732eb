"""Ticker quotes: history in the store, and threshold alerts per ``[[tickers]]`` rule.

``TickerAlerts`` is a pipeline ``RunHook``. A rule fires when a pair moved at
least its threshold since the value of the rule's last alert for that pair
(its "mark"), not since the last observation, so a slow drift alerts once it
adds up. The first observation of a pair under a rule only sets the mark.
"""

from __future__ import annotations

import logging
from datetime import datetime
from decimal import Decimal
from typing import Any

from newswatch.alerts import routed
from newswatch.config import Config, SourceConfig, TickerConfig
from newswatch.diff import RunReport
from newswatch.outbox import enqueue
from newswatch.quotes import Quote, collapse, percent_change
from newswatch.store import Store, iso, utcnow

log = logging.getLogger(__name__)


class TickerAlerts:
    """Stores each run's ticker quotes and queues alerts for rules they cross."""

    def __init__(self, config: Config) -> None:
        self.config = config

    def __call__(self, store: Store, source: SourceConfig, report: RunReport) -> None:
        if report.failed or not report.ticker_texts:
            return
        batch = collapse(report.ticker_texts)
        _note_problems(store, source.name, batch.skipped, batch.conflicts, report)
        now = utcnow()
        for quote in batch.quotes:
            quote_id = record_quote(store, source.name, quote, now)
            for rule in self.config.tickers:
                if _applies(rule, source, quote):
                    report.alerts += self._check(store, rule, source, quote, quote_id, now)

    def _check(
        self, store: Store, rule: TickerConfig, source: SourceConfig, quote: Quote, quote_id: int, now: datetime
    ) -> int:
        rule_id = f"{rule.pair}|{rule.threshold}"
        rows = store.query("SELECT value FROM ticker_marks WHERE rule = ? AND pair = ?", [rule_id, quote.pair])
        if rows and not rule.threshold.reached(Decimal(rows[0]["value"]), quote.value):
            return 0
        _set_mark(store, rule_id, quote, now)
        if not rows:
            return 0
        payload = _payload(quote, Decimal(rows[0]["value"]), source.name, now)
        key = f"ticker:{rule_id}:{quote.pair}:{quote_id}"
        return int(enqueue(store, key, "ticker", payload, routed(self.config, rule.notify), now))


def record_quote(store: Store, source: str, quote: Quote, now: datetime) -> int:
    """Append ``quote`` to the pair's history, or refresh ``last_seen_at`` when its value is unchanged."""
    rows = store.query(
        "SELECT id, value FROM quotes WHERE pair = ? AND source = ? ORDER BY id DESC LIMIT 1", [quote.pair, source]
    )
    if rows and Decimal(rows[0]["value"]) == quote.value:
        store.execute("UPDATE quotes SET last_seen_at = ? WHERE id = ?", [iso(now), rows[0]["id"]])
        return int(rows[0]["id"])
    change = None if quote.change is None else str(quote.change)
    inserted = store.query(
        "INSERT INTO quotes (pair, value, change, source, observed_at, last_seen_at) VALUES (?, ?, ?, ?, ?, ?) "
        "RETURNING id",
        [quote.pair, format(quote.value, "f"), change, source, iso(now), iso(now)],
    )
    return int(inserted[0]["id"])


def _applies(rule: TickerConfig, source: SourceConfig, quote: Quote) -> bool:
    if rule.sources and source.name not in rule.sources:
        return False
    return rule.pair == "*" or rule.pair.upper() == quote.pair.upper()


def _set_mark(store: Store, rule_id: str, quote: Quote, now: datetime) -> None:
    store.execute(
        "INSERT INTO ticker_marks (rule, pair, value, marked_at) VALUES (?, ?, ?, ?) "
        "ON CONFLICT (rule, pair) DO UPDATE SET value = excluded.value, marked_at = excluded.marked_at",
        [rule_id, quote.pair, format(quote.value, "f"), iso(now)],
    )


def _payload(quote: Quote, previous: Decimal, source: str, now: datetime) -> dict[str, Any]:
    change = percent_change(previous, quote.value)
    return {
        "kind": "ticker",
        "title": f"{quote.pair} moved {signed_percent(change)}",
        "pair": quote.pair,
        "previous": format(previous, "f"),
        "value": format(quote.value, "f"),
        "change": signed_percent(change),
        "source": source,
        "observed_at": iso(now),
    }


def signed_percent(change: Decimal | None) -> str:
    """``+0.61%``, ``-0.18%``; ``n/a`` when there is no base to compare with."""
    if change is None:
        return "n/a"
    return f"{change:+.2f}%"


def _note_problems(
    store: Store, source: str, skipped: tuple[str, ...], conflicts: tuple[str, ...], report: RunReport
) -> None:
    for text in skipped:
        log.warning("source %s: ticker text not understood: %r", source, text[:80])
    for conflict in conflicts:
        log.warning("source %s: conflicting ticker values in one page: %s", source, conflict)
    report.notes += [f"unparsed ticker text: {t[:80]}" for t in skipped] + [f"conflict: {c}" for c in conflicts]
    store.execute("UPDATE sources SET ticker_skipped = ? WHERE name = ?", [len(skipped), source])
