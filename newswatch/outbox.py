"""The alert outbox: alerts and their deliveries (alert × notifier) in the database.

An alert is written in the same transaction as what caused it, before any
attempt to send it. A delivery is marked delivered by one statement right
after the notifier took it, so a crash can at worst repeat that one send.
Only one process delivers from a database at a time (:class:`DeliveryLock`).
"""

from __future__ import annotations

import fcntl
import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import IO, Any

from newswatch.store import Store, iso


class DeliveryLock:
    """One delivery pass at a time per database, across processes (``once`` next to ``run``).

    Two passes reading the same pending row would both send it. The lock is an
    advisory ``flock`` on a file beside the database: the kernel drops it when
    its holder dies, so a crash never leaves it held.
    """

    def __init__(self, database: Path) -> None:
        self.path = database.with_name(database.name + ".delivery-lock")
        self.handle: IO[bytes] | None = None

    def acquire(self) -> bool:
        """Take the lock if it is free; True if this object now holds it."""
        handle = self.path.open("ab")
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.close()
            return False
        self.handle = handle
        return True

    def release(self) -> None:
        if self.handle is not None:
            fcntl.flock(self.handle, fcntl.LOCK_UN)
            self.handle.close()
            self.handle = None


@dataclass(frozen=True)
class PendingDelivery:
    """One alert still owed to one notifier."""

    alert_id: int
    notifier: str
    kind: str
    payload: dict[str, Any]
    attempts: int
    created_at: str


def enqueue(
    store: Store, key: str, kind: str, payload: dict[str, Any], notifiers: list[str], now: datetime
) -> bool:
    """Add an alert (unless ``key`` exists) with a pending delivery per notifier; True if added."""
    rows = store.query(
        "INSERT INTO alerts (key, kind, source, title, payload, created_at) VALUES (?, ?, ?, ?, ?, ?) "
        "ON CONFLICT (key) DO NOTHING RETURNING id",
        [key, kind, payload.get("source"), payload.get("title", kind), json.dumps(payload, ensure_ascii=False),
         iso(now)],
    )
    if not rows:
        return False
    for notifier in notifiers:
        store.execute(
            "INSERT INTO deliveries (alert_id, notifier, next_attempt_at) VALUES (?, ?, ?)",
            [rows[0]["id"], notifier, iso(now)],
        )
    return True


def pending(store: Store, now: datetime, due_only: bool = True) -> list[PendingDelivery]:
    """Deliveries still owed, oldest alert first; ``due_only`` honours each one's backoff."""
    sql = (
        "SELECT d.alert_id, d.notifier, a.kind, a.payload, d.attempts, a.created_at FROM deliveries d "
        "JOIN alerts a ON a.id = d.alert_id WHERE d.status = 'pending'"
        + (" AND (d.next_attempt_at IS NULL OR d.next_attempt_at <= ?)" if due_only else "")
        + " ORDER BY d.alert_id, d.notifier"
    )
    rows = store.query(sql, [iso(now)] if due_only else [])
    return [
        PendingDelivery(r["alert_id"], r["notifier"], r["kind"], json.loads(r["payload"]), r["attempts"],
                        r["created_at"])
        for r in rows
    ]


def mark_delivered(store: Store, alert_id: int, notifier: str, now: datetime) -> None:
    """The notifier took it: one statement, committed at once."""
    with store.transaction():
        store.execute(
            "UPDATE deliveries SET status = 'delivered', delivered_at = ?, attempts = attempts + 1, "
            "last_attempt_at = ?, last_error = NULL WHERE alert_id = ? AND notifier = ?",
            [iso(now), iso(now), alert_id, notifier],
        )


def mark_failed(store: Store, alert_id: int, notifier: str, error: str, now: datetime, retry_at: datetime) -> None:
    """The notifier did not take it: keep it pending until ``retry_at``."""
    with store.transaction():
        store.execute(
            "UPDATE deliveries SET attempts = attempts + 1, last_error = ?, last_attempt_at = ?, "
            "next_attempt_at = ? WHERE alert_id = ? AND notifier = ?",
            [error, iso(now), iso(retry_at), alert_id, notifier],
        )


def mark_refused(store: Store, alert_id: int, notifier: str, error: str, now: datetime) -> None:
    """The notifier refused it for good (status ``failed``): it is not tried again."""
    with store.transaction():
        store.execute(
            "UPDATE deliveries SET status = 'failed', attempts = attempts + 1, last_error = ?, last_attempt_at = ?, "
            "next_attempt_at = NULL WHERE alert_id = ? AND notifier = ?",
            [error, iso(now), alert_id, notifier],
        )


def owed(store: Store) -> int:
    """How many deliveries are still pending (due now or later)."""
    return store.query("SELECT count(*) AS n FROM deliveries WHERE status = 'pending'")[0]["n"]


def expire(store: Store, max_age: timedelta, now: datetime) -> list[dict[str, Any]]:
    """Give up deliveries pending for longer than ``max_age``; the ones given up."""
    with store.transaction():
        return store.query(
            "UPDATE deliveries SET status = 'expired' WHERE status = 'pending' AND alert_id IN "
            "(SELECT id FROM alerts WHERE created_at < ?) RETURNING alert_id, notifier, last_error",
            [iso(now - max_age)],
        )


def retry_delay(attempts: int) -> timedelta:
    """Backoff between passes: 1, 2, 4 ... minutes, at most an hour."""
    return timedelta(minutes=min(60, 2 ** max(0, attempts - 1)))
