"""The live feed's lag and drops, read from ``/metrics`` as Prometheus would."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import httpx
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import select
from websockets.sync.client import ClientConnection

from hub.core import Hub
from hub.live.feed import Feed
from hub.model import AdminUnit
from hub.model import Event as EventRow
from tests.live.test_event_subscription import hub, received, subscribe, wait_until_listening
from tests.support.api_server import served_api

__all__ = ["hub"]  # the fixture, shared with the subscription tests

Samples = dict[tuple[str, tuple[tuple[str, str], ...]], float]


def scrape(ws_url: str) -> Samples:
    base = ws_url.replace("ws://", "http://").removesuffix("/graphql")
    text = httpx.get(f"{base}/metrics").text
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def moved(before: Samples, after: Samples) -> Callable[..., float]:
    def by(name: str, **labels: str) -> float:
        key = (name, tuple(sorted(labels.items())))
        return after.get(key, 0.0) - before.get(key, 0.0)

    return by


def store_events(hub: Hub, ids: list[str], stored: datetime) -> None:
    with hub.db.session() as session:
        unit = session.scalars(select(AdminUnit.id).where(AdminUnit.code == "23281")).one()
        for source_id in ids:
            session.add(
                EventRow(
                    sector="security",
                    kind="test.alert",
                    severity=2,
                    unit_id=unit,
                    occurred_at=stored,
                    updated_at=stored,
                    attributes={},
                    source="feed-metrics",
                    source_id=source_id,
                )
            )


def drained(client: ClientConnection) -> None:
    """Read what is on its way (warm-up rows) until a second passes with nothing."""
    try:
        while True:
            client.recv(1.0)
    except TimeoutError:
        return


def test_the_lag_of_rows_reaching_subscribers_is_measured(hub: Hub) -> None:
    with served_api(hub) as url, subscribe(url, {}) as client:
        wait_until_listening(hub, client)
        drained(client)
        before = scrape(url)
        # Stored 30 s ago, as a slow transaction or a late poll would leave them.
        store_events(hub, ["a", "b", "c"], datetime.now(UTC) - timedelta(seconds=30))
        assert [event["sourceId"] for event in received(client, 3)] == ["a", "b", "c"]
        after = scrape(url)
    by = moved(before, after)
    assert by("iochub_live_feed_lag_seconds_count", feed="events") == 3
    assert by("iochub_live_feed_lag_seconds_bucket", feed="events", le="15.0") == 0
    assert by("iochub_live_feed_lag_seconds_bucket", feed="events", le="60.0") == 3
    assert 90 <= by("iochub_live_feed_lag_seconds_sum", feed="events") < 180


def test_rows_a_subscriber_that_stopped_reading_loses_are_counted(hub: Hub) -> None:
    feed = Feed(hub.db, EventRow, poll_seconds=0.05, queue_size=2)

    async def five_stored_none_read() -> list[str]:
        async with feed.subscribe(lambda row: True) as queue:
            store_events(hub, ["1", "2", "3", "4", "5"], datetime.now(UTC))
            for _ in range(1200):  # until the feed has polled them (a minute at most)
                if feed.task is not None and not queue.empty():
                    await asyncio.sleep(0.3)
                    break
                await asyncio.sleep(0.05)
            return [queue.get_nowait().source_id for _ in range(queue.qsize())]

    with served_api(hub) as url:
        before = scrape(url)
        kept = asyncio.run(five_stored_none_read())
        after = scrape(url)
    assert kept == ["4", "5"]
    assert moved(before, after)("iochub_live_feed_dropped_total", feed="events") == 3
