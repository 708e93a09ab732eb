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

from newswatch.store import iso, utcnow

STALE_TICKS = 3
MAX_TICK = timedelta(seconds=30)


def heartbeat_path(database: Path) -> Path:
    """Where the daemon using ``database`` keeps its heartbeat."""
    return database.with_name(database.name + ".heartbeat")


def heartbeat_tick(delivery_interval: timedelta) -> timedelta:
    """How often the heartbeat is written: every delivery tick, but at least every ``MAX_TICK``."""
    return min(delivery_interval, MAX_TICK)


def write_heartbeat(path: Path, tick: timedelta, started: datetime) -> None:
    """Replace the heartbeat file atomically (a reader never sees half a file)."""
    document = {"pid": os.getpid(), "at": iso(utcnow()), "tick": tick.total_seconds(), "started": iso(started)}
    scratch = path.with_name(path.name + ".tmp")
    scratch.write_text(json.dumps(document), encoding="utf-8")
    os.replace(scratch, path)


def remove_heartbeat(path: Path) -> None:
    """Remove the heartbeat at a clean shutdown: no daemon, no heartbeat."""
    path.unlink(missing_ok=True)


def heartbeat_problem(path: Path, now: datetime | None = None) -> str | None:
    """Why the daemon writing ``path`` is not healthy, or None when its heartbeat is fresh."""
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
    return None


def heartbeat_summary(path: Path) -> str:
    """One line for a healthy daemon: its pid and how long ago it beat."""
    document = json.loads(path.read_text(encoding="utf-8"))
    age = (utcnow() - datetime.fromisoformat(document["at"])).total_seconds()
    return f"daemon alive: pid {document['pid']}, last heartbeat {age:.0f}s ago, running since {document['started']}"
