"""The live feed hands each new row to each subscriber once."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from hub.core import Hub
from hub.live.feed import Feed
from hub.model import Event as EventRow
from tests.live.test_feed_metrics import hub, store_events

__all__ = ["hub"]  # the fixture, shared with the subscription tests


def test_subscribers_arriving_together_get_each_row_once(hub: Hub) -> None:
    """Two subscriptions opened at the same moment share one poller, not one each."""
    feed = Feed(hub.db, EventRow, poll_seconds=0.05)

    async def subscriber(ready: asyncio.Barrier, stored: asyncio.Event) -> list[str]:
        async with feed.subscribe(lambda row: True) as queue:
            await ready.wait()
            await stored.wait()
            await asyncio.sleep(0.5)  # several polls after the rows are stored
            return [queue.get_nowait().source_id for _ in range(queue.qsize())]

    async def two_subscribers() -> list[list[str]]:
        ready, stored = asyncio.Barrier(3), asyncio.Event()
        both = asyncio.gather(subscriber(ready, stored), subscriber(ready, stored))
        await ready.wait()
        await asyncio.to_thread(store_events, hub, ["x", "y"], datetime.now(UTC))
        stored.set()
        return await both

    assert asyncio.run(two_subscribers()) == [["x", "y"], ["x", "y"]]
