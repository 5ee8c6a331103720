"""A value that changes whenever a transaction commits to the database, cheap to read.

A cache of whole answers reads it before making an answer and keeps the answer under it:
while it has not changed, nothing under the answer can have changed either.

- **SQLite**: ``PRAGMA data_version`` on a connection of its own that never writes. It
  changes whenever another connection, of this process or of another, commits to the file.
- **PostgreSQL**: the server's current snapshot (``pg_current_snapshot()``: the transactions
  completed and those in progress). Two reads under the same snapshot see the same committed
  rows, and every commit of a transaction that wrote anything changes it. It is the whole
  server's, so a write to another database changes it too: a cache keyed on it is emptied
  more often than it needs to be, never less.

An in-memory SQLite database cannot be opened a second time; it has no version (None), and
a cache must then keep nothing.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Hashable

from sqlalchemy import Engine


class DataVersion:
    """The data version of one database (``Database.data_version``)."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._lock = threading.Lock()
        self._watcher: sqlite3.Connection | None = None
        self._opened = 0
        self._path = _sqlite_file(engine) if engine.dialect.name == "sqlite" else None

    def current(self) -> Hashable | None:
        """The version now; None when it cannot be known (nothing may then be cached)."""
        if self._engine.dialect.name == "postgresql":
            with self._engine.connect() as connection:
                return connection.exec_driver_sql("SELECT pg_current_snapshot()::text").scalar()
        if self._path is None:
            return None
        with self._lock:
            if self._watcher is None:
                self._watcher = sqlite3.connect(
                    self._path, check_same_thread=False, isolation_level=None
                )
                self._opened += 1
            # Counts of different connections are not comparable: which one counted is part
            # of the version.
            return (self._opened, self._watcher.execute("PRAGMA data_version").fetchone()[0])

    def close(self) -> None:
        with self._lock:
            if self._watcher is not None:
                self._watcher.close()
                self._watcher = None


def _sqlite_file(engine: Engine) -> str | None:
    """The file of a SQLite database; None for one in memory."""
    database = engine.url.database
    if not database or database == ":memory:" or "mode=memory" in str(engine.url):
        return None
    return database
