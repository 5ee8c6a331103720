"""Subscriptions over a real WebSocket: each principal receives only the events of its scope."""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from websockets.sync.client import ClientConnection, connect

from hub.model import Alert, Event
from tests.auth.conftest import PRINCIPALS, RULE_OF, UnitKey, Who, World, sees_sector, sees_unit
from tests.support.api_server import served_api
from tests.support.graphql_ws import WARM_UP_ATTEMPTS

SUBSCRIPTIONS = {
    "events": "subscription { events { sourceId } }",
    "alerts": "subscription { alerts { message } }",
}
SUBSCRIBERS = [
    w
    for w in PRINCIPALS
    if w.label
    in {
        "leader",
        "security+feedback officer",
        "Phường Kon Tum officer",
        "Quảng Ngãi officer",
        "Phường Ba Đình officer",
    }
]
NEW_EVENTS: list[tuple[UnitKey | None, str]] = [
    (("23293", "new"), "health"),
    (("23281", "legacy"), "security"),
    (("23341", "new"), "feedback"),
    (("00004", "new"), "security"),
    (("00097", "new"), "health"),
    (("62", "legacy"), "feedback"),
    (None, "security"),
]


@pytest.fixture
def server(world: World) -> Iterator[str]:
    with served_api(world.hub) as url:
        yield url


def store(world: World, kind: str, source_id: str, unit: UnitKey | None, sector: str) -> None:
    """A new event (or an alert of the sector's rule) in the unit, as a connector would."""
    with world.hub.db.session() as session:
        if kind == "alerts":
            session.add(
                Alert(
                    rule=RULE_OF[sector],
                    cause=source_id,
                    severity=3,
                    message=source_id,
                    unit_id=world.seed.units[unit] if unit else None,
                    raised_at=datetime.now(UTC),
                )
            )
            return
        session.add(
            Event(
                sector=sector,
                kind="test",
                title=source_id,
                occurred_at=datetime.now(UTC),
                unit_id=world.seed.units[unit] if unit else None,
                attributes={},
                source="live",
                source_id=source_id,
            )
        )


@contextlib.contextmanager
def subscribe(url: str, init: dict[str, Any], kind: str = "events") -> Iterator[ClientConnection]:
    with connect(url, subprotocols=["graphql-transport-ws"], open_timeout=10) as client:
        client.send(json.dumps({"type": "connection_init", "payload": init}))
        assert json.loads(client.recv(10))["type"] == "connection_ack"
        query = SUBSCRIPTIONS[kind]
        client.send(json.dumps({"id": "1", "type": "subscribe", "payload": {"query": query}}))
        yield client


def warm_unit_for(who: Who) -> tuple[UnitKey, str]:
    """An event every subscriber of this kind sees: in its own territory, of its sector."""
    unit = {
        "Phường Kon Tum officer": ("23293", "new"),
        "Quảng Ngãi officer": ("23293", "new"),
        "Phường Ba Đình officer": ("00004", "new"),
    }.get(who.label, ("23293", "new"))
    return unit, "security"


@pytest.mark.parametrize("kind", ["events", "alerts"])
def test_each_subscriber_gets_only_what_is_in_its_scope(
    world: World, server: str, kind: str
) -> None:
    news = [(unit, sector) for unit, sector in NEW_EVENTS if kind == "events" or sector in RULE_OF]
    with contextlib.ExitStack() as stack:
        clients = {
            who.label: stack.enter_context(
                subscribe(server, {"Authorization": f"Bearer {world.tokens[who.label]}"}, kind)
            )
            for who in SUBSCRIBERS
        }
        wait_until_listening(world, kind, clients)
        for number, (unit, sector) in enumerate(news):
            store(world, kind, f"new-{number}", unit, sector)
        for who in SUBSCRIBERS:
            store(world, kind, f"end-{who.label}", *warm_unit_for(who))
        for who in SUBSCRIBERS:
            got = received_until_end(clients[who.label], kind, who)
            assert got == {
                f"new-{number}"
                for number, (unit, sector) in enumerate(news)
                if sees_unit(who, unit) and sees_sector(who, sector)
            }, who.label


def wait_until_listening(world: World, kind: str, clients: dict[str, ClientConnection]) -> None:
    """Store warm-up rows until every subscription has received one."""
    waiting = dict(clients)
    for attempt in range(WARM_UP_ATTEMPTS):
        for who in SUBSCRIBERS:
            if who.label in waiting:
                store(world, kind, f"warm-{attempt}-{who.label}", *warm_unit_for(who))
        for label, client in list(waiting.items()):
            try:
                client.recv(0.5)
                del waiting[label]
            except TimeoutError:
                pass
        if not waiting:
            return
    raise AssertionError(f"never listening: {sorted(waiting)}")


def received_until_end(client: ClientConnection, kind: str, who: Who) -> set[str]:
    """The new rows the client receives before its end marker."""
    got: set[str] = set()
    while True:
        message = json.loads(client.recv(30))
        assert message["type"] == "next", message
        row = message["payload"]["data"][kind]
        name = row["sourceId"] if kind == "events" else row["message"]
        if name == f"end-{who.label}":
            return got
        if name.startswith("new-"):
            got.add(name)


def test_a_subscription_without_a_token_is_refused(world: World, server: str) -> None:
    with subscribe(server, {}) as client:
        message = json.loads(client.recv(10))
    assert message["type"] == "next" and message["payload"]["data"] is None
    (error,) = message["payload"]["errors"]
    assert error["extensions"]["code"] == "UNAUTHENTICATED"
