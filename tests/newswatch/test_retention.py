"""Retention prunes old runs and old quote history on a real database, and keeps what is read."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from newswatch.config import ConfigError, parse_config
from newswatch.queries import last_successes, pair_history
from newswatch.retention import prune
from newswatch.store import Store, iso

NOW = datetime(2025, 6, 1, 12, 0, tzinfo=UTC)
DAY = timedelta(days=1)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    s = Store(tmp_path / "newswatch.db")
    yield s
    s.close()


def add_run(store: Store, source: str, age: timedelta, outcome: str = "ok", finished: bool = True) -> int:
    at = iso(NOW - age)
    rows = store.query(
        "INSERT INTO runs (source, started_at, finished_at, outcome) VALUES (?, ?, ?, ?) RETURNING id",
        [source, at, at if finished else None, outcome],
    )
    return int(rows[0]["id"])


def add_quote(store: Store, pair: str, value: str, age: timedelta, source: str = "rates") -> int:
    at = iso(NOW - age)
    rows = store.query(
        "INSERT INTO quotes (pair, value, source, observed_at, last_seen_at) VALUES (?, ?, ?, ?, ?) RETURNING id",
        [pair, value, source, at, at],
    )
    return int(rows[0]["id"])


def ids(store: Store, table: str) -> set[int]:
    return {r["id"] for r in store.query(f"SELECT id FROM {table}")}


def test_old_runs_go_and_what_status_reads_stays(store: Store) -> None:
    old_ok = [add_run(store, "a", 40 * DAY + i * timedelta(hours=1)) for i in range(3)]
    last_ok_of_b = add_run(store, "b", 50 * DAY)
    old_failed_b = add_run(store, "b", 45 * DAY, "failed")
    latest_b = add_run(store, "b", 35 * DAY, "failed")
    still_running = add_run(store, "c", 60 * DAY, "running", finished=False)
    recent = [add_run(store, "a", DAY), add_run(store, "a", 2 * DAY, "failed")]
    before = {r["source"]: r["at"] for r in last_successes(store)}

    pruned = prune(store, 30 * DAY, timedelta(0), NOW)

    assert ids(store, "runs") == {last_ok_of_b, latest_b, still_running, *recent}
    assert pruned.runs == len(old_ok) + 1 and old_failed_b not in ids(store, "runs")
    assert {r["source"]: r["at"] for r in last_successes(store)} == before


def test_zero_keeps_every_run_and_quote(store: Store) -> None:
    add_run(store, "a", 400 * DAY), add_run(store, "a", 300 * DAY)
    add_quote(store, "USD/EUR", "0.9", 400 * DAY), add_quote(store, "USD/EUR", "0.8", 300 * DAY)
    assert prune(store, timedelta(0), timedelta(0), NOW).runs == 0
    assert len(ids(store, "runs")) == 2 and len(ids(store, "quotes")) == 2


def test_old_quotes_go_but_the_latest_and_the_alerted_stay(store: Store) -> None:
    old = [add_quote(store, "USD/EUR", f"0.9{i}", (60 - i) * DAY) for i in range(5)]
    alerted = old[2]
    store.execute(
        "INSERT INTO alerts (key, kind, title, payload, created_at) VALUES (?, 'ticker', 't', '{}', ?)",
        [f"ticker:USD/EUR|1%:USD/EUR:{alerted}", iso(NOW)],
    )
    latest_other_source = add_quote(store, "USD/EUR", "0.97", 50 * DAY, source="other")
    latest_gbp = add_quote(store, "GBP/EUR", "1.1", 90 * DAY)
    recent = add_quote(store, "USD/EUR", "0.95", DAY)

    pruned = prune(store, timedelta(0), 30 * DAY, NOW)

    assert ids(store, "quotes") == {alerted, latest_other_source, latest_gbp, recent}
    assert pruned.quotes == 4
    assert [r["value"] for r in pair_history(store, "usd/eur")] == ["0.92", "0.97", "0.95"]  # oldest first


def test_keep_values_are_durations_named_on_error() -> None:
    config = parse_config('[storage]\nkeep_runs = "7d"\n', Path("/etc/nw/config.toml"), {})
    assert config.storage.keep_runs == 7 * DAY and config.storage.keep_quotes == 30 * DAY
    with pytest.raises(ConfigError) as caught:
        parse_config('[storage]\nkeep_quotes = "a month"\n', Path("/etc/nw/config.toml"), {})
    assert any(p.startswith("storage.keep_quotes:") for p in caught.value.problems), caught.value.problems
