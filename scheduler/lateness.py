"""Runs that come due while they cannot start: never skipped, run late, and counted.

A run's lag is the time from when it was due (the scheduler's fire time, jitter included) to when
it started: the scheduler's own delay plus the wait for a concurrency slot. Two ways a due run
waits: the concurrency limit is full (it queues for a slot), or the same source's previous run is
still in flight (APScheduler would skip the new one with only a warning at ``max_instances = 1``:
here it is remembered and runs right after, once, its lag counted from when it came due). A run that
comes due while the same source's previous run still waits for its slot is served by that run: it
starts after both were due, so it fetches what the later one would have (no second run right after).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

log = logging.getLogger(__name__)

LATE_SECONDS = 1.0
"""A run that started longer than this after it was due counts as late (and is logged)."""


@dataclass
class Lateness:
    """Which sources are in flight, which are owed one more run, when each run was due, and how late runs were."""

    running: set[str] = field(default_factory=set)
    begun: set[str] = field(default_factory=set)  # in flight and past the wait for a slot: fetching
    again: dict[str, datetime] = field(default_factory=dict)  # owed one more run: since when it is due
    due: dict[str, datetime] = field(default_factory=dict)  # submitted by the scheduler, not yet started
    runs: int = 0
    late_runs: int = 0
    overlapped: int = 0
    served: int = 0  # came due while the previous run still waited for a slot: served by it
    last_start: dict[str, datetime] = field(default_factory=dict)  # when each source's latest run started
    max_lag: float = 0.0

    def submitted(self, name: str, when: datetime) -> None:
        """The scheduler handed a run of ``name`` due at ``when`` to its executor (it starts on the next turn)."""
        self.due[name] = when

    def take_due(self, name: str) -> datetime:
        """When the run of ``name`` now starting was due (now, for a run the scheduler did not announce)."""
        return self.due.pop(name, None) or datetime.now(UTC)

    def enter(self, name: str, due: datetime) -> bool:
        """True when ``name`` may run now; False when it is in flight (it then runs once more after)."""
        if name in self.running:
            if name not in self.begun:
                self.served += 1
                log.debug("source %s: due again while its run waits for a slot; that run serves both", name)
                return False
            if name not in self.again:
                self.overlapped += 1
                log.info("source %s: due while its previous run is in flight; it runs again right after", name)
            self.again.setdefault(name, due)  # coalesced: lag counts from the first time it was owed
            return False
        self.running.add(name)
        return True

    def run_again(self, name: str) -> datetime | None:
        """When the run owed to ``name`` came due (it came due during its run, so it runs once more now)."""
        self.begun.discard(name)
        return self.again.pop(name, None)

    def leave(self, name: str) -> None:
        self.running.discard(name)
        self.begun.discard(name)
        self.again.pop(name, None)

    def started(self, name: str, lag: float) -> None:
        """Count a run of ``name`` that started ``lag`` seconds after it was due."""
        self.begun.add(name)
        self.last_start[name] = datetime.now(UTC)
        self.runs += 1
        self.max_lag = max(self.max_lag, lag)
        if lag > LATE_SECONDS:
            self.late_runs += 1
            log.info("source %s: started %.1fs late (concurrency limit full); %d late runs so far, max %.1fs",
                     name, lag, self.late_runs, self.max_lag)

    def started_since(self, name: str, when: datetime) -> bool:
        """Whether a run of ``name`` started at or after ``when`` (or is starting: in flight)."""
        return name in self.running or self.last_start.get(name, when - timedelta(1)) >= when

    def summary(self) -> dict[str, float | int]:
        """The counts since start-up, as the heartbeat carries them."""
        return {"runs": self.runs, "late_runs": self.late_runs, "max_lag": round(self.max_lag, 3),
                "overlapped": self.overlapped, "served": self.served,
                "late_seconds": LATE_SECONDS}
