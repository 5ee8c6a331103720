"""Feeds of new rows (events, alerts), read from the database so every API process sees all.

Connectors may write in another process (the scheduler's, an admin's ``iochub sync``), so a
feed cannot be an in-memory list: each process polls the table for ids above the last one it
delivered. Ids are handed out when a row is inserted, not when its transaction commits,
so a slower transaction can commit a lower id after a higher one is seen. The feed remembers
such gaps and looks for them again for a while (``gap_seconds``): a gap is either a
transaction still running or an id lost to a rollback, which never appears.

Each row handed to subscribers is reported with how long after it was stored it reached
them (``iochub_live_feed_lag_seconds``), and each row a subscriber that stopped reading
loses (``iochub_live_feed_dropped_total``), by feed (:mod:`hub.observability.metrics`).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import anyio.to_thread
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from hub.model.base import Base, utcnow
from hub.model.database import Database
from hub.observability import metrics

log = logging.getLogger(__name__)

Wanted = Callable[[Any], bool]
StoredAt = Callable[[Any], datetime | None]
"""When a row was stored (for the feed's lag)."""
QUEUE_SIZE = 1000
BATCH = 1000


@dataclass
class Poller:
    """Finds the rows of ``table`` stored since the last poll, in one session at a time."""

    table: type[Base]
    gap_seconds: float = 60.0
    last_id: int | None = None
    gaps: dict[int, float] = field(default_factory=dict)

    def poll(self, session: Session) -> list[Any]:
        table: Any = self.table
        if self.last_id is None:  # start from now: a subscriber wants what comes next
            self.last_id = session.scalar(select(func.max(table.id))) or 0
            return []
        newer = select(table).where(table.id > self.last_id).order_by(table.id).limit(BATCH)
        found = [*session.scalars(newer), *self._filled_gaps(session)]
        self._note_gaps(found)
        return sorted(found, key=lambda row: row.id)

    def _filled_gaps(self, session: Session) -> list[Any]:
        now = time.monotonic()
        self.gaps = {i: seen for i, seen in self.gaps.items() if now - seen < self.gap_seconds}
        if not self.gaps:
            return []
        table: Any = self.table
        filled = list(session.scalars(select(table).where(table.id.in_(list(self.gaps)))))
        for row in filled:
            self.gaps.pop(row.id, None)
        return filled

    def _note_gaps(self, found: list[Any]) -> None:
        fresh = sorted(row.id for row in found if row.id > (self.last_id or 0))
        if not fresh:
            return
        now = time.monotonic()
        present = set(fresh)
        for missing in range((self.last_id or 0) + 1, fresh[-1]):
            if missing not in present:
                self.gaps.setdefault(missing, now)
        self.last_id = fresh[-1]


@dataclass(eq=False)
class Subscriber:
    wanted: Wanted
    queue: asyncio.Queue[Any]


class Feed:
    """Polls while anyone listens, and hands each new row to the subscribers who want it.

    A subscriber holds at most ``queue_size`` rows it has not read: past that, it loses
    the oldest.
    """

    def __init__(
        self,
        db: Database,
        table: type[Base],
        poll_seconds: float = 0.25,
        stored_at: StoredAt | None = None,
        queue_size: int = QUEUE_SIZE,
    ) -> None:
        self.db = db
        self.table = table
        self.name: str = table.__tablename__
        self.poll_seconds = poll_seconds
        self.stored_at = stored_at
        self.queue_size = queue_size
        self.subscribers: set[Subscriber] = set()
        self.task: asyncio.Task[None] | None = None
        # Two subscribers arriving together must not start two pollers (each row twice).
        self.starting = asyncio.Lock()

    @contextlib.asynccontextmanager
    async def subscribe(self, wanted: Wanted) -> AsyncIterator[asyncio.Queue[Any]]:
        subscriber = Subscriber(wanted, asyncio.Queue(self.queue_size))
        self.subscribers.add(subscriber)
        async with self.starting:
            if self.task is None or self.task.done():
                poller = Poller(self.table)
                await anyio.to_thread.run_sync(self._poll, poller)  # mark "now" first
                self.task = asyncio.create_task(self._run(poller))
        try:
            yield subscriber.queue
        finally:
            self.subscribers.discard(subscriber)

    async def _run(self, poller: Poller) -> None:
        while self.subscribers:
            try:
                rows = await anyio.to_thread.run_sync(self._poll, poller)
            except Exception:  # a database hiccup must not end the feed
                log.warning("feed of %s: polling failed", self.table.__tablename__, exc_info=True)
                rows = []
            for row in rows:
                self._deliver(row)
            await asyncio.sleep(self.poll_seconds)

    def _poll(self, poller: Poller) -> list[Any]:
        with self.db.sessions() as session:
            rows = poller.poll(session)
            session.expunge_all()
            return rows

    def _deliver(self, row: Any) -> None:
        delivered = False
        for subscriber in list(self.subscribers):
            if not subscriber.wanted(row):
                continue
            if subscriber.queue.full():  # a subscriber that stopped reading loses the oldest
                subscriber.queue.get_nowait()
                metrics.live_feed_dropped(self.name)
            subscriber.queue.put_nowait(row)
            delivered = True
        stored = self.stored_at(row) if self.stored_at is not None else None
        if delivered and stored is not None:
            metrics.live_feed_lag(self.name, (utcnow() - stored).total_seconds())
