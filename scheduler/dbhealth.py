"""The daemon's view of its database: a fault is told once, and its end once.

A full disk, a damaged page or a lock held past the busy timeout makes a run or a
delivery pass fail as a whole (its transaction is rolled back, so nothing half-done
is kept and the next run does the work again). The operator reads one log line when
the fault starts (and one if its cause changes), not a traceback per job; once the
database works again, one line more and one operator alert through the outbox, which
could not take it while the database was failing.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from newswatch.errors import DatabaseFault
from newswatch.store import iso, utcnow

log = logging.getLogger(__name__)


@dataclass
class DatabaseHealth:
    """The fault in force (None while the database works) and since when."""

    path: Path
    fault: DatabaseFault | None = None
    since: datetime | None = None

    def failed(self, exc: DatabaseFault, what: str) -> None:
        """``what`` (a source run, a delivery pass...) failed on the database: log it if it is news."""
        if self.fault is None:
            self.since = utcnow()
            log.error("%s (in %s). The daemon stays up and tries again at every run; "
                      "this is logged once, and once more when the database works again", exc, what)
        elif exc.cause != self.fault.cause:
            log.error("%s (in %s): the cause changed", exc, what)
        else:
            log.debug("database %s still failing (in %s)", self.path, what)
        self.fault = exc

    def notice(self) -> tuple[str, dict[str, Any]] | None:
        """The operator alert (key, payload) to queue now that the database works again; None if it never failed."""
        if self.fault is None:
            return None
        title = f"database {self.path} works again"
        text = f"From {iso(self.since)} to {iso(utcnow())} runs and deliveries failed: {self.fault.cause}"
        return f"database-recovered:{iso(self.since)}", {"kind": "operator", "title": title, "text": text}

    def cleared(self) -> None:
        """The notice is queued: back to healthy."""
        log.info("database %s works again (failing since %s); the operator is told", self.path, iso(self.since))
        self.fault = self.since = None
