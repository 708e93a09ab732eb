"""Schedule lag as the store records it (``runs.due_at``, ``runs.lag_seconds``) and as `status` sums it up."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from newswatch.pipeline import lag_since
from newswatch.queries import recent_runs, schedule_lag
from newswatch.store import Store, utcnow


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    s = Store(tmp_path / "newswatch.db")
    yield s
    s.close()


def started(store: Store, source: str, ago: timedelta, lag: float | None) -> int:
    at = utcnow() - ago
    with store.transaction():
        store.ensure_source(source, "https://example.org/", "html")
        due = None if lag is None else at - timedelta(seconds=lag)
        return store.start_run(source, at, due, lag)


def test_the_last_hour_gives_nearest_rank_percentiles_max_and_late_count(store: Store) -> None:
    lags = [0.0, 0.2, 0.4, 0.6, 0.8, 1.0, 1.5, 3.0, 12.0, 40.0]
    for i, lag in enumerate(lags):
        started(store, f"s{i}", timedelta(minutes=5), lag)
    started(store, "old", timedelta(hours=2), 999.0)  # outside the hour
    started(store, "once", timedelta(minutes=1), None)  # `once`: nobody scheduled it, no lag
    lag = schedule_lag(store)
    assert (lag["runs"], lag["lag_p50"], lag["lag_p99"], lag["lag_max"]) == (10, 0.8, 40.0, 40.0)
    assert lag["late_runs"] == 4  # more than 1 s after due: 1.5, 3, 12, 40


def test_no_scheduled_run_in_the_hour_reads_as_none(store: Store) -> None:
    started(store, "once", timedelta(minutes=1), None)
    assert schedule_lag(store) == {"window_seconds": 3600, "runs": 0, "lag_p50": None, "lag_p99": None,
                                   "lag_max": None, "late_runs": 0, "late_seconds": 1.0}


def test_runs_list_newest_first_with_due_time_and_lag(store: Store) -> None:
    first = started(store, "a", timedelta(minutes=3), 2.5)
    second = started(store, "b", timedelta(minutes=2), None)
    listed = recent_runs(store)
    assert [(r["id"], r["lag_seconds"]) for r in listed] == [(second, None), (first, 2.5)]
    assert listed[1]["due_at"] < listed[1]["started_at"] and listed[0]["due_at"] is None
    assert [r["id"] for r in recent_runs(store, "a")] == [first]


def test_lag_is_never_negative_and_none_without_a_due_time() -> None:
    assert lag_since(None) is None
    assert lag_since(utcnow() + timedelta(seconds=30)) == 0.0  # jitter may place "due" a moment ahead
    assert lag_since(utcnow() - timedelta(seconds=30)) >= 30.0
