"""Runs that come due while they cannot start: never skipped, run late, and counted.

Two ways a due run waits: the concurrency limit is full (it queues for a slot: its lag is the
wait), or the same source's previous run is still in flight (APScheduler would skip the new one
with only a warning at ``max_instances = 1``: here it is remembered and runs right after, once).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

log = logging.getLogger(__name__)

LATE_SECONDS = 1.0
"""A run that waited longer than this for a slot counts as late (and is logged)."""


@dataclass
class Lateness:
    """Which sources are in flight, which are owed one more run, and how late runs were."""

    running: set[str] = field(default_factory=set)
    again: set[str] = field(default_factory=set)
    late_runs: int = 0
    overlapped: int = 0
    max_lag: float = 0.0

    def enter(self, name: str) -> bool:
        """True when ``name`` may run now; False when it is in flight (it then runs once more after)."""
        if name in self.running:
            if name not in self.again:
                self.overlapped += 1
                log.info("source %s: due while its previous run is in flight; it runs again right after", name)
            self.again.add(name)
            return False
        self.running.add(name)
        return True

    def run_again(self, name: str) -> bool:
        """Whether ``name`` came due during its run (and so runs once more now)."""
        if name in self.again:
            self.again.discard(name)
            return True
        return False

    def leave(self, name: str) -> None:
        self.running.discard(name)
        self.again.discard(name)

    def waited(self, name: str, seconds: float) -> None:
        """Record how long a run of ``name`` waited for a concurrency slot."""
        self.max_lag = max(self.max_lag, seconds)
        if seconds > LATE_SECONDS:
            self.late_runs += 1
            log.info("source %s: started %.1fs late (concurrency limit full); %d late runs so far, max %.1fs",
                     name, seconds, self.late_runs, self.max_lag)
