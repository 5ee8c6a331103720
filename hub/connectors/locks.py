"""Locks that keep two runs of the same connector apart.

On PostgreSQL a run holds a session-level advisory lock on its own connection, so two
``iochub serve`` processes (or a scheduler and an admin's ``iochub sync``) never run the same
connector at once. SQLite deployments are one process, so a lock per process is enough.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import text

from hub.model.database import Database

_process_locks: dict[str, threading.Lock] = {}
_process_locks_guard = threading.Lock()


def advisory_key(name: str) -> int:
    """A stable signed 64-bit key for ``pg_advisory_lock``."""
    digest = hashlib.blake2b(name.encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


@contextmanager
def exclusive(db: Database, name: str) -> Iterator[bool]:
    """Try to take the lock ``name`` without waiting; yield whether it was taken."""
    if db.is_postgresql:
        with _advisory(db, name) as taken:
            yield taken
        return
    with _process_lock(f"{db.url}|{name}") as taken:
        yield taken


@contextmanager
def _advisory(db: Database, name: str) -> Iterator[bool]:
    key = advisory_key(name)
    with db.engine.connect() as connection:
        taken = bool(
            connection.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": key}).scalar()
        )
        connection.commit()
        try:
            yield taken
        finally:
            if taken:
                connection.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": key})
                connection.commit()


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
