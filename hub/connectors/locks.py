"""Locks between the processes of one deployment: above all, between two runs of a connector.

On PostgreSQL a run holds a session-level advisory lock on its own connection, so two
``iochub serve`` processes (or a scheduler and an admin's ``iochub sync``) never run the same
connector at once. The lock lasts as long as that connection: should the connection be lost
(the database restarted, the backend terminated), the lock is gone with it, and
:meth:`Taken.still_held` says so. SQLite deployments are one process, so a lock per process
is enough. :func:`one_at_a_time` makes replicas starting together take turns to prepare the
database.
"""

from __future__ import annotations

import hashlib
import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Connection, text
from sqlalchemy.exc import DBAPIError

from hub.model.database import Database, driver_message

log = logging.getLogger(__name__)

_process_locks: dict[str, threading.Lock] = {}
_process_locks_guard = threading.Lock()


def advisory_key(name: str) -> int:
    """A stable signed 64-bit key for ``pg_advisory_lock``."""
    digest = hashlib.blake2b(name.encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


class Taken:
    """Whether a lock was taken (true or false as a bool), and whether it still is."""

    def __init__(self, taken: bool, connection: Connection | None = None) -> None:
        self.taken = taken
        self.connection = connection
        """The connection holding an advisory lock (PostgreSQL)."""

    def __bool__(self) -> bool:
        return self.taken

    def still_held(self) -> bool:
        """False once the connection that holds the lock is lost (the lock went with it)."""
        if not self.taken or self.connection is None:
            return self.taken
        try:
            self.connection.execute(text("SELECT 1"))
            self.connection.commit()
        except DBAPIError:
            self.taken = False
        return self.taken


@contextmanager
def exclusive(db: Database, name: str) -> Iterator[Taken]:
    """Try to take the lock ``name`` without waiting; yield whether it was taken."""
    if db.is_postgresql:
        with _advisory(db, name) as taken:
            yield taken
        return
    with _process_lock(f"{db.url}|{name}") as taken:
        yield Taken(taken)


@contextmanager
def one_at_a_time(db: Database, name: str) -> Iterator[None]:
    """Wait for the lock ``name``, across processes on PostgreSQL, and hold it in the block.

    For work that every process does once and none may do at the same time as another:
    several replicas starting together each migrate the database and store the definitions.
    SQLite needs nothing more: its writers take turns.
    """
    if not db.is_postgresql:
        yield
        return
    key = advisory_key(name)
    with db.engine.connect() as connection:
        connection.execute(text("SELECT pg_advisory_lock(:k)"), {"k": key})
        connection.commit()
        try:
            yield
        finally:
            release_advisory(connection, key)


@contextmanager
def _advisory(db: Database, name: str) -> Iterator[Taken]:
    key = advisory_key(name)
    with db.engine.connect() as connection:
        taken = Taken(
            bool(connection.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": key}).scalar()),
            connection,
        )
        connection.commit()
        try:
            yield taken
        finally:
            if taken:
                release_advisory(connection, key)


def release_advisory(connection: Connection, key: int) -> None:
    """Unlock ``key`` held by ``connection``; a lost connection has released it already."""
    try:
        connection.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": key})
        connection.commit()
    except DBAPIError as exc:
        log.info("lock %d went with its lost connection (%s)", key, driver_message(exc))
        connection.invalidate()


@contextmanager
def _process_lock(name: str) -> Iterator[bool]:
    with _process_locks_guard:
        lock = _process_locks.setdefault(name, threading.Lock())
    taken = lock.acquire(blocking=False)
    try:
        yield taken
    finally:
        if taken:
            lock.release()
