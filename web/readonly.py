"""A connection to the newswatch database that can only read."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import sqlite_utils

from newswatch.errors import StoreError
from newswatch.schema import MIGRATIONS
from newswatch.store import BUSY_TIMEOUT_MS, Store


class ReadOnlyStore(Store):
    """The database opened with SQLite's ``mode=ro``: any write fails, so the web front cannot change the record.

    It never migrates: open a :class:`Store` first (every other command does) to create or migrate the file.
    """

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        try:
            conn = sqlite3.connect(f"{self.path.resolve().as_uri()}?mode=ro", uri=True)
            self.db = sqlite_utils.Database(conn)
            self.db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            version = self._schema()
        except sqlite3.Error as exc:
            raise StoreError(f"cannot read the database {self.path}: {exc}") from None
        if version != len(MIGRATIONS):
            raise StoreError(f"{self.path} has schema {version}, this newswatch reads {len(MIGRATIONS)}")
