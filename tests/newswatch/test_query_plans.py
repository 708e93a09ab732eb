"""Every query a source run and `status`/`articles --limit 20` make uses an index on tables that grow.

The statements are not copied here: the test records what the real code runs (sqlite3's trace
callback) and asks SQLite for each one's plan. A plain ``SCAN`` of a table that grows with history
(a read of every row ever stored) fails; a search, or a scan in index order (ORDER BY ... LIMIT), passes.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from newswatch.alerts import release_held
from newswatch.diff import SAME_TITLE_WINDOW, apply_crawl
from newswatch.queries import last_successes, list_articles, run_counts, schedule_lag
from newswatch.quotes import Quote
from newswatch.store import Store
from newswatch.tickers import record_quote
from tests.newswatch.test_diff import FEED, LISTING, T0, art, ok

GROWING = {"articles", "runs", "matches", "alerts", "deliveries", "quotes", "article_urls", "article_sources", "held"}
FULL_SCAN = re.compile(r"^SCAN (\w+)(?! USING (COVERING )?INDEX)")


@contextmanager
def recorded(store: Store) -> Iterator[list[str]]:
    statements: list[str] = []
    conn = store.db.conn
    conn.set_trace_callback(statements.append)
    try:
        yield statements
    finally:
        conn.set_trace_callback(None)


def full_scans(store: Store, statement: str) -> list[str]:
    plan = store.db.conn.execute(f"EXPLAIN QUERY PLAN {statement}").fetchall()
    return [row[3] for row in plan if (m := FULL_SCAN.match(row[3])) and m.group(1) in GROWING]


def queries(statements: list[str]) -> list[str]:
    return sorted({s for s in statements if re.match(r"\s*(SELECT|UPDATE|DELETE|INSERT)", s, re.I)})


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    s = Store(tmp_path / "newswatch.db")
    yield s
    s.close()


def run(store: Store, source, *articles, now=T0) -> None:
    state = store.source_state(source.name)
    with store.transaction():
        apply_crawl(store, source, state, ok(source, *articles), "baseline", now, SAME_TITLE_WINDOW)


def test_a_source_run_reads_no_growing_table_whole(store: Store) -> None:
    run(store, FEED, *(art(n) for n in range(5)))
    with recorded(store) as statements:
        run(store, LISTING, *(art(n) for n in range(3, 9)), now=T0 + timedelta(hours=1))
        run(store, LISTING, art(20, "Article 4"), art(21), now=T0 + timedelta(hours=2))
        with store.transaction():
            release_held(store, LISTING.name)
            record_quote(store, FEED.name, Quote("USD/EUR", Decimal("0.91"), None), T0)
            record_quote(store, FEED.name, Quote("USD/EUR", Decimal("0.92"), None), T0)
    assert queries(statements), "nothing recorded"
    assert {s: full_scans(store, s) for s in queries(statements) if full_scans(store, s)} == {}


def test_status_and_articles_read_no_growing_table_whole(store: Store) -> None:
    run(store, FEED, *(art(n) for n in range(5)))
    with recorded(store) as statements:
        list_articles(store, limit=20)
        last_successes(store)
        run_counts(store)
        schedule_lag(store)
    assert queries(statements), "nothing recorded"
    assert {s: full_scans(store, s) for s in queries(statements) if full_scans(store, s)} == {}
