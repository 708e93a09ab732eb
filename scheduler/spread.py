"""Spread the runs of many sources over their interval.

Each interval source gets a stable offset in ``[0, interval)`` from a hash of its name, and its runs
fall at ``ANCHOR + offset + k * interval``: 10,000 sources at one interval are due evenly over it
instead of all inside the same few seconds of jitter, and a source keeps its place across restarts.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta

from apscheduler.triggers.interval import IntervalTrigger

ANCHOR = datetime(2000, 1, 1, tzinfo=UTC)
"""A fixed start for every interval trigger, so the offsets are the same in every process."""


def offset(name: str, interval: timedelta) -> timedelta:
    """The stable place of source ``name`` within ``interval``: in ``[0, interval)``."""
    micros = int(interval.total_seconds() * 1_000_000)
    if micros <= 0:
        return timedelta(0)
    digest = hashlib.blake2b(name.encode(), digest_size=8).digest()
    return timedelta(microseconds=int.from_bytes(digest, "big") % micros)


def start_date(name: str, interval: timedelta) -> datetime:
    """The start date whose grid places source ``name`` at its offset."""
    return ANCHOR + offset(name, interval)


class SpreadIntervalTrigger(IntervalTrigger):
    """An interval trigger that always fires on its grid (``start_date + k * interval``).

    APScheduler's own adds the interval to the previous fire time, so a source whose first run was
    "now" (at start-up) would stay at start-up time plus k intervals, bunched with every other source.
    """

    def get_next_fire_time(self, previous_fire_time: datetime | None, now: datetime) -> datetime | None:
        after = now if previous_fire_time is None else max(now, previous_fire_time + timedelta(microseconds=1))
        return super().get_next_fire_time(None, after)
