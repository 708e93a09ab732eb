"""One daemon per database: an advisory lock on a file beside it, held for the daemon's whole life.

Two ``newswatch run`` on one database would both crawl every source and share one
heartbeat file. ``flock`` is released by the kernel when the holder dies (kill -9
included), so a crash never leaves a stale lock behind; the file itself stays and
only carries the holder's pid for the message.
"""

from __future__ import annotations

import fcntl
import os
from pathlib import Path
from typing import IO

from newswatch.errors import NewswatchError


class AlreadyRunning(NewswatchError):
    """Another daemon holds the database: exit 1 (not 2: a supervisor may retry once the other one stopped)."""

    exit_status = 1

    def __init__(self, database: Path, holder: str) -> None:
        who = f"pid {holder}" if holder else "another process"
        super().__init__(f"another `newswatch run` ({who}) is already using the database {database}: "
                         "stop it first, or give this one another [storage] path")


def lock_path(database: Path) -> Path:
    """The lock file of the daemon using ``database``."""
    return database.with_name(database.name + ".run-lock")


class RunLock:
    """Held from :meth:`acquire` until :meth:`release` or the process ends."""

    def __init__(self, database: Path) -> None:
        self.database, self.path = database, lock_path(database)
        self.handle: IO[str] | None = None

    def acquire(self) -> None:
        """Take the lock, or raise AlreadyRunning naming the holder's pid."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        handle = self.path.open("a+", encoding="utf-8")
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip()
            handle.close()
            raise AlreadyRunning(self.database, holder) from None
        handle.seek(0)
        handle.truncate()
        handle.write(f"{os.getpid()}\n")
        handle.flush()
        self.handle = handle

    def release(self) -> None:
        if self.handle is not None:
            fcntl.flock(self.handle, fcntl.LOCK_UN)
            self.handle.close()
            self.handle = None
