"""The feed of new events, read from the database so that every API process sees every event.

Connectors may write in another process (the scheduler's, an admin's ``iochub sync``), so the
feed cannot be an in-memory list: each process polls the events table for ids above the last
one it delivered. Ids are handed out when a row is inserted, not when its transaction commits,
so a slower transaction can commit a lower id after a higher one is seen. The feed remembers
such gaps and looks for them again for a while (``gap_seconds``): a gap is either a
transaction still running or an id lost to a rollback, which never appears.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field

import anyio.to_thread
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from hub.model import Event
from hub.model.database import Database

log = logging.getLogger(__name__)

Wanted = Callable[[Event], bool]
QUEUE_SIZE = 1000
BATCH = 1000


@dataclass
class EventPoller:
    """Finds the events stored since the last poll, in one session at a time."""

    gap_seconds: float = 60.0
    last_id: int | None = None
    gaps: dict[int, float] = field(default_factory=dict)

    def poll(self, session: Session) -> list[Event]:
        if self.last_id is None:  # start from now: a subscriber wants what comes next
            self.last_id = session.scalar(select(func.max(Event.id))) or 0
            return []
        found = list(
            session.scalars(
                select(Event).where(Event.id > self.last_id).order_by(Event.id).limit(BATCH)
            )
        )
        found += self._filled_gaps(session)
        self._note_gaps(found)
        return sorted(found, key=lambda event: event.id)

    def _filled_gaps(self, session: Session) -> list[Event]:
        now = time.monotonic()
        self.gaps = {i: seen for i, seen in self.gaps.items() if now - seen < self.gap_seconds}
        if not self.gaps:
            return []
        filled = list(session.scalars(select(Event).where(Event.id.in_(list(self.gaps)))))
        for event in filled:
            self.gaps.pop(event.id, None)
        return filled

    def _note_gaps(self, found: list[Event]) -> None:
        fresh = sorted(event.id for event in found if event.id > (self.last_id or 0))
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
    queue: asyncio.Queue[Event] = field(default_factory=lambda: asyncio.Queue(QUEUE_SIZE))


class EventFeed:
    """Polls while anyone listens, and hands each new event to the subscribers who want it."""

    def __init__(self, db: Database, poll_seconds: float = 0.25) -> None:
        self.db = db
        self.poll_seconds = poll_seconds
        self.subscribers: set[Subscriber] = set()
        self.task: asyncio.Task[None] | None = None

    @contextlib.asynccontextmanager
    async def subscribe(self, wanted: Wanted) -> AsyncIterator[asyncio.Queue[Event]]:
        subscriber = Subscriber(wanted)
        self.subscribers.add(subscriber)
        if self.task is None or self.task.done():
            poller = EventPoller()
            await anyio.to_thread.run_sync(self._poll, poller)  # mark "now" before returning
            self.task = asyncio.create_task(self._run(poller))
        try:
            yield subscriber.queue
        finally:
            self.subscribers.discard(subscriber)

    async def _run(self, poller: EventPoller) -> None:
        while self.subscribers:
            try:
                events = await anyio.to_thread.run_sync(self._poll, poller)
            except Exception:  # a database hiccup must not end the feed
                log.warning("event feed: polling failed", exc_info=True)
                events = []
            for event in events:
                self._deliver(event)
            await asyncio.sleep(self.poll_seconds)

    def _poll(self, poller: EventPoller) -> list[Event]:
        with self.db.sessions() as session:
            events = poller.poll(session)
            session.expunge_all()
            return events

    def _deliver(self, event: Event) -> None:
        for subscriber in list(self.subscribers):
            if not subscriber.wanted(event):
                continue
            if subscriber.queue.full():  # a subscriber that stopped reading loses the oldest
                subscriber.queue.get_nowait()
            subscriber.queue.put_nowait(event)
