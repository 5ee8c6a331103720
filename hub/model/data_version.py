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

Either is read on a connection kept for it alone (in autocommit: it never holds a snapshot
open); one that fails is dropped, that request has no version, and the next opens a new one.
An in-memory SQLite database cannot be opened a second time; it has no version (None), and
a cache must then keep nothing.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Hashable
from contextlib import suppress
from typing import Any

import psycopg
from sqlalchemy import Engine
from sqlalchemy.engine import URL

SNAPSHOT = "SELECT pg_current_snapshot()::text"


class DataVersion:
    """The data version of one database (``Database.data_version``)."""

    def __init__(self, engine: Engine) -> None:
        self._url = engine.url
        self._lock = threading.Lock()
        self._watcher: Any = None
        self._opened = 0

    def current(self) -> Hashable | None:
        """The version now; None when it cannot be known (nothing may then be cached)."""
        with self._lock:
            try:
                watcher = self._watcher or self._open()
                if watcher is None:
                    return None
                # Counts of different connections are not comparable (SQLite's): which
                # connection counted is part of the version.
                return (self._opened, _read(watcher))
            except (sqlite3.Error, psycopg.Error):
                self._close()
                return None

    def close(self) -> None:
        with self._lock:
            self._close()

    def _open(self) -> Any:
        backend, path = self._url.get_backend_name(), _sqlite_file(self._url)
        if backend == "postgresql":
            plain = self._url.set(drivername="postgresql").render_as_string(hide_password=False)
            self._watcher = psycopg.connect(plain, autocommit=True)
        elif backend == "sqlite" and path is not None:
            self._watcher = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        else:
            return None  # a database in memory, or a backend the hub does not watch
        self._opened += 1
        return self._watcher

    def _close(self) -> None:
        if self._watcher is not None:
            watcher, self._watcher = self._watcher, None
            with suppress(sqlite3.Error, psycopg.Error):  # it failed: dropping it is enough
                watcher.close()


def _read(watcher: Any) -> Hashable:
    if isinstance(watcher, sqlite3.Connection):
        return watcher.execute("PRAGMA data_version").fetchone()[0]
    return watcher.execute(SNAPSHOT).fetchone()[0]


def _sqlite_file(url: URL) -> str | None:
    """The file of a SQLite database; None for one in memory."""
    database = url.database
    if not database or database == ":memory:" or "mode=memory" in str(url):
        return None
    return database
