"""Sources at one interval are spread over it, each at a stable place."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from apscheduler.triggers.interval import IntervalTrigger

from scheduler.spread import ANCHOR, SpreadIntervalTrigger, offset, start_date

INTERVAL = timedelta(minutes=10)


def test_offsets_fall_within_the_interval_and_are_stable() -> None:
    names = [f"source-{i}" for i in range(1000)]
    offsets = [offset(name, INTERVAL) for name in names]
    assert all(timedelta(0) <= o < INTERVAL for o in offsets)
    assert offsets == [offset(name, INTERVAL) for name in names]


def test_many_sources_are_due_across_the_whole_interval() -> None:
    buckets = [0] * 10
    for i in range(1000):
        buckets[int(offset(f"source-{i}", INTERVAL) / (INTERVAL / 10))] += 1
    assert min(buckets) > 50, buckets  # an even spread gives ~100 each; all in the first seconds gives 1000, 0, ...


def test_the_trigger_fires_at_the_offset_once_per_interval() -> None:
    trigger = IntervalTrigger(seconds=INTERVAL.total_seconds(), start_date=start_date("a", INTERVAL))
    now = datetime.now(UTC)
    first = trigger.get_next_fire_time(None, now)
    second = trigger.get_next_fire_time(first, first)
    assert now <= first < now + INTERVAL
    assert second - first == INTERVAL
    assert (first - ANCHOR) % INTERVAL == offset("a", INTERVAL)


def test_a_zero_interval_has_no_offset() -> None:
    assert offset("a", timedelta(0)) == timedelta(0)


def test_after_a_first_run_at_start_up_the_trigger_joins_its_grid() -> None:
    trigger = SpreadIntervalTrigger(seconds=INTERVAL.total_seconds(), start_date=start_date("a", INTERVAL))
    started = datetime.now(UTC)  # the first run: at start-up, off the grid
    following = trigger.get_next_fire_time(started, started)
    assert started < following <= started + INTERVAL
    assert (following - ANCHOR) % INTERVAL == offset("a", INTERVAL)
    assert trigger.get_next_fire_time(following, following) == following + INTERVAL
