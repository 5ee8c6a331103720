"""Database work for the async API: each call in a worker thread, on a short session of its own.

SQLAlchemy is synchronous and a Session is not safe to share between the concurrent
resolvers and loaders of one request, so every call opens, uses and closes its own.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

import anyio.to_thread
from sqlalchemy.orm import Session

from hub.model.database import Database

T = TypeVar("T")


async def read(db: Database, query: Callable[[Session], T]) -> T:
    """Run ``query`` on a fresh session in a worker thread; nothing it does is committed."""
    return await anyio.to_thread.run_sync(_read, db, query)


async def write(db: Database, change: Callable[[Session], T]) -> T:
    """Run ``change`` in one transaction, in a worker thread: committed unless it raises."""
    return await anyio.to_thread.run_sync(_write, db, change)


def _read(db: Database, query: Callable[[Session], T]) -> T:
    with db.sessions() as session:
        return query(session)


def _write(db: Database, change: Callable[[Session], T]) -> T:
    with db.session() as session:
        return change(session)
