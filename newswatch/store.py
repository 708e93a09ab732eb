"""The SQLite record: opening, migrating, transactions, and source/run state.

Domain modules (``diff``, ``outbox``, ``tickers``) write their own rows through
:meth:`Store.query` and :meth:`Store.execute` inside :meth:`Store.transaction`.
"""

from __future__ import annotations

import logging
import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import sqlite_utils

from newswatch.errors import DatabaseFault, StoreError
from newswatch.model import SourceState, Validators
from newswatch.schema import MIGRATIONS

log = logging.getLogger(__name__)
BUSY_TIMEOUT_MS = 15_000


def utcnow() -> datetime:
    """The current time, timezone-aware UTC, to the second."""
    return datetime.now(UTC).replace(microsecond=0)


def iso(moment: datetime | None) -> str | None:
    """The stored spelling of a timestamp: ISO 8601 in UTC."""
    return moment.astimezone(UTC).isoformat() if moment else None


def parse_iso(text: str | None) -> datetime | None:
    """A stored timestamp back as a datetime."""
    return datetime.fromisoformat(text) if text else None


class MissingDatabase(StoreError):
    """A read-only command found no database: nothing has run yet, or it was deleted."""

    def __init__(self, path: Path) -> None:
        self.path = path
        super().__init__(f"no database at {path}: nothing has run with this config yet, or the file was removed "
                         "(`newswatch once` or `newswatch run` creates it)")


class Store:
    """One connection to the newswatch database, migrated on open."""

    def __init__(self, path: Path | str, create: bool = True) -> None:
        """Open (with ``create``, creating it and its folder) and migrate the database at ``path``."""
        self.path = Path(path)
        if not create and not self.path.exists():
            raise MissingDatabase(self.path)
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self.db = sqlite_utils.Database(self.path)
            self._configure()
            self._migrate()
        except sqlite3.Error as exc:
            raise self._fault(exc) from None
        except OSError as exc:
            raise DatabaseFault(self.path, f"cannot create its folder: {exc.strerror or exc}") from None

    @classmethod
    def in_memory(cls) -> Store:
        """An empty migrated database that lives in memory: what a read-only command shows when none exists."""
        return cls(":memory:")

    def identity(self) -> tuple[int, int] | None:
        """(device, inode) of the database file now at ``path``; None when there is none."""
        try:
            st = self.path.stat()
        except OSError:
            return None
        return st.st_dev, st.st_ino

    def _configure(self) -> None:
        self.db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        self.db.execute("PRAGMA foreign_keys = ON")
        if self.db.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
            self.db.enable_wal()
        # Safe with WAL: a power cut may lose the last commits, never corrupt; the outbox
        # tolerates that (an alert written again is deduplicated by its key). Measured in
        # bench/: FULL cost one fsync per commit, ~4.6 ms each, blocking the event loop.
        self.db.execute("PRAGMA synchronous = NORMAL")

    def _migrate(self) -> None:
        version = self._schema()
        if version > len(MIGRATIONS):
            raise StoreError(f"{self.path} was written by a newer newswatch (schema {version})")
        while version < len(MIGRATIONS):
            with self.transaction():
                # Read again under the write lock: another process opening a new database may have migrated it.
                version = self._schema()
                if version >= len(MIGRATIONS):
                    return
                step = MIGRATIONS[version]
                if callable(step):
                    step(self.db)
                else:
                    for statement in _statements(step):
                        self.db.execute(statement)
                version += 1
                self.db.execute(f"PRAGMA user_version = {version}")
            log.debug("database %s migrated to schema %d", self.path, version)

    def _schema(self) -> int:
        return int(self.db.execute("PRAGMA user_version").fetchone()[0])

    @contextmanager
    def transaction(self) -> Iterator[Store]:
        """One write transaction, taken up front (BEGIN IMMEDIATE) so writers queue instead of failing."""
        conn = self.db.conn
        if conn.in_transaction:
            with self._faults(), self.db.atomic():
                yield self
            return
        try:
            conn.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:  # "database is locked": the busy timeout ran out
            raise self._fault(exc) from None
        try:
            yield self
        except BaseException:
            self._rollback()
            raise
        with self._faults():
            conn.commit()

    def _rollback(self) -> None:
        """Undo the open transaction; after a fault SQLite may have undone it already."""
        try:
            self.db.conn.rollback()
        except sqlite3.Error as exc:
            log.debug("rollback after a fault: %s", exc)

    @contextmanager
    def _faults(self) -> Iterator[None]:
        """Any SQLite error inside becomes a DatabaseFault naming this database and the cause in words."""
        try:
            yield
        except sqlite3.Error as exc:
            raise self._fault(exc) from None

    def _fault(self, exc: sqlite3.Error) -> DatabaseFault:
        return DatabaseFault(self.path, fault_cause(exc, self.path))

    def query(self, sql: str, params: Any = ()) -> list[dict[str, Any]]:
        """Rows of a statement that returns rows (SELECT, ... RETURNING)."""
        with self._faults():
            return list(self.db.query(sql, params))

    def execute(self, sql: str, params: Any = ()) -> int:
        """Run a statement that returns no rows; the number of rows it changed."""
        with self._faults():
            return self.db.execute(sql, params).rowcount

    def execute_many(self, sql: str, rows: list[Any]) -> None:
        """Run a statement that returns no rows once per parameter row (one ``executemany``)."""
        if rows:
            with self._faults():
                self.db.conn.executemany(sql, rows)

    def close(self) -> None:
        """Checkpoint and close the connection."""
        self.db.close()

    # -- sources and runs -------------------------------------------------

    def source_state(self, name: str) -> SourceState:
        """What is remembered of the source called ``name`` (empty if never run)."""
        rows = self.query("SELECT * FROM sources WHERE name = ?", [name])
        if not rows:
            return SourceState(name)
        row = rows[0]
        validators = Validators(row["etag"], row["last_modified"], row["body_hash"])
        return SourceState(
            name, validators, row["baseline_at"] is not None, row["last_ok_items"], row["consecutive_failures"],
            parse_iso(row["retry_after"]),
        )

    def ensure_source(self, name: str, url: str, kind: str) -> None:
        """Create the source row, or refresh its URL and type after a config edit."""
        self.execute(
            "INSERT INTO sources (name, url, type) VALUES (?, ?, ?) "
            "ON CONFLICT (name) DO UPDATE SET url = excluded.url, type = excluded.type",
            [name, url, kind],
        )

    def ensure_sources(self, rows: list[tuple[str, str, str]]) -> None:
        """:meth:`ensure_source` for many (name, url, type) rows, in one statement."""
        self.execute_many(
            "INSERT INTO sources (name, url, type) VALUES (?, ?, ?) "
            "ON CONFLICT (name) DO UPDATE SET url = excluded.url, type = excluded.type",
            rows,
        )

    def start_run(self, source: str, started: datetime, due: datetime | None = None, lag: float | None = None) -> int:
        """Record a run as started (a scheduled one: when it was ``due``, and its ``lag`` in seconds); its id."""
        rows = self.query(
            "INSERT INTO runs (source, started_at, outcome, due_at, lag_seconds) VALUES (?, ?, 'running', ?, ?) "
            "RETURNING id",
            [source, iso(started), iso(due), lag],
        )
        return int(rows[0]["id"])

    def set_next_run(self, source: str, moment: datetime | None) -> None:
        """The daemon's next scheduled run of ``source`` (shown by ``status``)."""
        self.execute("UPDATE sources SET next_run_at = ? WHERE name = ?", [iso(moment), source])

    def source_rows(self) -> list[dict[str, Any]]:
        """Every known source with its last run, for ``status``."""
        return self.query("SELECT * FROM sources ORDER BY name")


_CAUSES = {
    sqlite3.SQLITE_FULL: "the disk or the database is full: free some space; newswatch goes on when there is room",
    sqlite3.SQLITE_CORRUPT: "the file is damaged (SQLite: database disk image is malformed): restore a backup, "
    "or save what is left with `sqlite3 DB .recover`",
    sqlite3.SQLITE_NOTADB: "the file is not a SQLite database (damaged or overwritten): restore a backup",
    sqlite3.SQLITE_IOERR: "the disk failed to read or write it (I/O error): check the disk and its filesystem",
    sqlite3.SQLITE_READONLY: "it is read-only for newswatch: check its and its folder's permissions",
    sqlite3.SQLITE_CANTOPEN: "it cannot be opened (was it or its folder removed?)",
}


LOW_SPACE = 1 << 20  # below this much free space, an I/O error writing the database is taken for a full disk


def fault_cause(exc: sqlite3.Error, path: Path) -> str:
    """What went wrong, in words, for the SQLite error ``exc`` on the database at ``path``."""
    code = getattr(exc, "sqlite_errorcode", -1) & 0xFF
    if code in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED):
        return (f"it stayed locked by another program for {BUSY_TIMEOUT_MS // 1000}s ({exc}): close what holds it "
                "(an open sqlite3 transaction?) and try again")
    if code in (sqlite3.SQLITE_FULL, sqlite3.SQLITE_IOERR):
        free = _free_space(path.parent)
        if code == sqlite3.SQLITE_FULL or (free is not None and free < LOW_SPACE):
            return _CAUSES[sqlite3.SQLITE_FULL] + (f" ({free // 1024} KiB free on its filesystem)" if free is not None
                                                   else "")
    return _CAUSES.get(code) or f"{type(exc).__name__}: {exc}"


def _free_space(folder: Path) -> int | None:
    """Bytes an unprivileged writer may still use on ``folder``'s filesystem."""
    try:
        st = os.statvfs(folder)
    except OSError:
        return None
    return st.f_bavail * st.f_frsize


def _statements(script: str) -> list[str]:
    """The statements of a migration script; a trigger's ``BEGIN ... END`` stays one statement."""
    statements, pending = [], ""
    for piece in script.split(";"):
        pending += piece + ";"
        if sqlite3.complete_statement(pending):
            statements.append(pending.strip().removesuffix(";").strip())
            pending = ""
    return [s for s in statements if s]
