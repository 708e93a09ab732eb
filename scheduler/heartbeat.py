"""The daemon's heartbeat: a small JSON file next to the database, rewritten every tick.

``newswatch status --check`` (a Docker HEALTHCHECK) reads it: the daemon is
healthy while the file is younger than ``STALE_TICKS`` ticks. The file holds its
own tick, so the check needs no knowledge of how the daemon was configured. It
is a file rather than a table because it changes every few seconds and says
nothing worth keeping: the database stays the record of runs and alerts.
"""

from __future__ import annotations

import json
import os
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from newswatch.store import iso, utcnow

STALE_TICKS = 3
MAX_TICK = timedelta(seconds=30)


def heartbeat_path(database: Path) -> Path:
    """Where the daemon using ``database`` keeps its heartbeat."""
    return database.with_name(database.name + ".heartbeat")


def heartbeat_tick(delivery_interval: timedelta) -> timedelta:
    """How often the heartbeat is written: every delivery tick, but at least every ``MAX_TICK``."""
    return min(delivery_interval, MAX_TICK)


def write_heartbeat(path: Path, tick: timedelta, started: datetime, database: tuple[int, int] | None = None,
                    schedule: dict[str, Any] | None = None) -> None:
    """Replace the heartbeat file atomically (a reader never sees half a file).

    ``database`` is the (device, inode) of the database file the daemon has open: a check can
    tell that the file at the database's path is no longer the one the daemon writes.
    ``schedule``: the runs since start-up and how late they started (scheduler.lateness).
    """
    document = {"pid": os.getpid(), "at": iso(utcnow()), "tick": tick.total_seconds(), "started": iso(started),
                "database": list(database) if database else None, "schedule": schedule}
    scratch = path.with_name(path.name + ".tmp")
    scratch.write_text(json.dumps(document), encoding="utf-8")
    os.replace(scratch, path)


def remove_heartbeat(path: Path) -> None:
    """Remove the heartbeat at a clean shutdown: no daemon, no heartbeat."""
    path.unlink(missing_ok=True)


def heartbeat_problem(path: Path, now: datetime | None = None, database: Path | None = None) -> str | None:
    """Why the daemon writing ``path`` is not healthy, or None when its heartbeat is fresh
    (and, given ``database``, the file there is still the one the daemon writes)."""
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
        beat, tick = datetime.fromisoformat(document["at"]), float(document["tick"])
    except FileNotFoundError:
        return f"no heartbeat at {path}: the daemon is not running"
    except (OSError, ValueError, KeyError, TypeError) as exc:
        return f"unreadable heartbeat {path}: {exc}"
    age = ((now or utcnow()) - beat).total_seconds()
    if age > STALE_TICKS * tick:
        return f"stale heartbeat: last beat {age:.0f}s ago (pid {document.get('pid')}), expected every {tick:.0f}s"
    return _database_problem(document, database) if database else None


def _database_problem(document: dict, database: Path) -> str | None:
    """The daemon's database was deleted or replaced under it: it writes into a file nobody can read."""
    written = document.get("database")
    if not written:
        return None
    try:
        st = database.stat()
        present = [st.st_dev, st.st_ino] == list(written)
    except OSError:
        present = False
    if present:
        return None
    return (f"the database {database} that the daemon (pid {document.get('pid')}) writes was deleted or replaced: "
            "restart it")


def heartbeat_summary(path: Path) -> str:
    """One line for a healthy daemon: its pid and how long ago it beat."""
    document = json.loads(path.read_text(encoding="utf-8"))
    age = (utcnow() - datetime.fromisoformat(document["at"])).total_seconds()
    line = f"daemon alive: pid {document['pid']}, last heartbeat {age:.0f}s ago, running since {document['started']}"
    schedule = document.get("schedule")
    if schedule:
        line += (f"; {schedule['late_runs']} of {schedule['runs']} runs started late "
                 f"(max {schedule['max_lag']:.1f}s after due)")
    return line
