"""Picking up config edits: watch the file, load each distinct content once, plan the job changes.

A poll compares the file's stat (mtime, size, inode) and, once a change has
held still for a poll, the hash of its bytes: touching the file or saving it
unchanged reloads nothing, and an invalid edit is reported once, not at every
poll. SIGHUP forces a load.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from newswatch.config import Config, read_config_bytes
from newswatch.errors import ConfigError

log = logging.getLogger(__name__)

Loader = Callable[[Path], Config]
"""Loads and fully validates a config file; raises ConfigError naming every bad key."""
TriggerKey = tuple[str | None, timedelta, timedelta]


class ConfigWatch:
    """The config file of a running daemon and the last content it tried (valid or not)."""

    def __init__(self, path: Path, loader: Loader) -> None:
        self.path, self.loader = path, loader
        self.stat: tuple[int, int, int] | None = self._stat()
        self.digest: str | None = self._digest()
        self.settling = False
        self.rejected: ConfigError | None = None  # the last invalid content, until the daemon reports it

    def poll(self) -> Config | None:
        """The new config if the file's content changed and is valid; None otherwise.

        A change is read only once the stat held still for one poll, so a file
        caught half-written (truncated, then filled) is not loaded, nor reported.
        """
        stat = self._stat()
        if stat != self.stat:
            self.stat, self.settling = stat, True
            return None
        if not self.settling:
            return None
        self.settling = False
        digest = self._digest()
        if digest == self.digest:
            return None
        self.digest = digest
        return self._load("changed")

    def force(self) -> Config | None:
        """Load the file whatever its state (SIGHUP); the config if valid."""
        self.stat, self.digest, self.settling = self._stat(), self._digest(), False
        return self._load("reload requested")

    def _load(self, why: str) -> Config | None:
        try:
            config = self.loader(self.path)
        except ConfigError as exc:
            self.rejected = exc
            log.error("config %s %s but is invalid; the last good config stays in force:", self.path, why)
            for problem in exc.problems:
                log.error("%s: %s", self.path, problem)
            return None
        log.info("config %s %s: loaded", self.path, why)
        return config

    def _stat(self) -> tuple[int, int, int] | None:
        try:
            st = self.path.stat()
        except OSError:
            return None
        return st.st_mtime_ns, st.st_size, st.st_ino

    def _digest(self) -> str | None:
        try:
            return hashlib.sha256(read_config_bytes(self.path)).hexdigest()
        except (OSError, ValueError):  # unreadable or too large: the load that follows says why
            return None


@dataclass
class JobPlan:
    """How the source jobs must change to follow a new config."""

    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    rescheduled: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        parts = [f"{label} {', '.join(names)}" for label, names in
                 (("added", self.added), ("removed", self.removed), ("rescheduled", self.rescheduled)) if names]
        return "; ".join(parts) or "schedules unchanged"


def trigger_keys(config: Config) -> dict[str, TriggerKey]:
    """Per source, everything its trigger is made of; equal keys mean an unchanged schedule."""
    return {s.name: (s.cron, config.interval_of(s), config.scheduler.jitter) for s in config.sources}


def plan_jobs(current: dict[str, TriggerKey], wanted: dict[str, TriggerKey]) -> JobPlan:
    """The jobs to add, remove and reschedule to go from ``current`` to ``wanted`` schedules."""
    return JobPlan(
        added=[name for name in wanted if name not in current],
        removed=[name for name in current if name not in wanted],
        rescheduled=[name for name, key in wanted.items() if name in current and current[name] != key],
    )
