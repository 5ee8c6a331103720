"""Sessions over a real WebSocket and real HTTP: each operation is checked again (a revoked or
expired token stops at once, a live subscription ends), the rate counts operations whatever
the transport, failed sign-ins are audited and throttled per address."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from hub.auth.principal import Role
from hub.auth.tokens import revoke_token
from hub.core import Hub
from hub.model import AuditEntry, Event
from hub.model.base import utcnow
from tests.auth.conftest import AUTH_CONFIG, World
from tests.auth.support import bearer, mint
from tests.support.api_server import served_api
from tests.support.graphql_ws import WARM_UP_ATTEMPTS, GraphQLSocket, graphql_socket

QUERY = "{ adminUnits(level: PROVINCE) { code } }"
APPROVE = """mutation { approveReport(template: "KTXH-XA-THANG", unit: "23293",
  period: "2026-01") { status } }"""


@pytest.fixture
def server(world: World) -> Iterator[str]:
    with served_api(world.hub) as url:
        yield url


@pytest.fixture
def serve_with(make_hub: Callable[..., Hub], hub: Hub) -> Iterator[Callable[..., str]]:
    """Serve another hub on the same database with these ``[auth]`` and ``[server]``
    settings; its WebSocket URL."""
    with _Servers() as servers:

        def serve(server: dict[str, Any] | None = None, **auth: Any) -> str:
            config = {**AUTH_CONFIG, "auth": {"required": True, **auth}}
            if server:
                config["server"] = server
            return servers.enter(served_api(make_hub(config, with_plugins=hub.plugins)))

        yield serve


class _Servers:
    def __init__(self) -> None:
        self.running: list[Any] = []

    def enter(self, served: Any) -> str:
        self.running.append(served)
        return served.__enter__()

    def __enter__(self) -> _Servers:
        return self

    def __exit__(self, *exc: object) -> None:
        for served in reversed(self.running):
            served.__exit__(None, None, None)


def revoke(hub: Hub, secret: str) -> None:
    with hub.db.session() as session:
        revoke_token(session, secret[:12])


def error_codes(result: dict[str, Any]) -> list[str]:
    return [error["extensions"]["code"] for error in result.get("errors") or []]


def refused_soon(socket: GraphQLSocket, query: str) -> dict[str, Any]:
    """The first answer to ``query`` that is an error (a revocation is read within a second)."""
    for _ in range(40):
        result = socket.execute(query)
        if result.get("errors"):
            return result
        time.sleep(0.1)
    raise AssertionError(f"never refused: {result}")


def test_a_token_revoked_while_its_socket_is_open_is_refused_from_then_on(
    world: World, server: str
) -> None:
    secret = mint(world.hub, "lanh.dao", Role.LEADER)
    with graphql_socket(server, secret) as socket:
        assert socket.execute(QUERY)["data"]["adminUnits"]
        revoke(world.hub, secret)
        refused = refused_soon(socket, QUERY)
        assert error_codes(refused) == ["UNAUTHENTICATED"]
        assert "revoked" in refused["errors"][0]["message"]
        mutation = socket.execute(APPROVE)
        assert error_codes(mutation) == ["UNAUTHENTICATED"] and mutation["data"] is None
    with world.hub.db.sessions() as session:
        rows = list(session.scalars(select(AuditEntry).order_by(AuditEntry.id)))
    assert not [row for row in rows if row.action == "approveReport"]
    assert [(row.action, row.outcome) for row in rows][-1] == ("signIn", "UNAUTHENTICATED")


def wait_until_listening(world: World, socket: GraphQLSocket, operation: str) -> None:
    """Store events until the subscription has received one."""
    for attempt in range(WARM_UP_ATTEMPTS):
        with world.hub.db.session() as session:
            session.add(
                Event(
                    sector="security",
                    kind="test",
                    title="warm",
                    occurred_at=utcnow(),
                    unit_id=world.seed.units[("23293", "new")],
                    attributes={},
                    source="live",
                    source_id=f"warm-{attempt}",
                )
            )
        try:
            message = socket.receive(operation, timeout=0.5)
        except TimeoutError:
            continue
        assert message["type"] == "next" and message["payload"]["data"], message
        return
    raise AssertionError("the subscription never received an event")


def ended_with_error(socket: GraphQLSocket, operation: str) -> dict[str, Any]:
    """The error that ended a subscription (events received meanwhile skipped)."""
    while True:
        message = socket.receive(operation, timeout=30)
        assert message["type"] != "complete", "completed without an error"
        if message["type"] == "error":
            error = message["payload"][0]
            break
        if message["payload"].get("errors"):
            error = message["payload"]["errors"][0]
            break
    assert socket.receive(operation, timeout=10)["type"] == "complete"
    return error


def test_a_live_subscription_ends_with_an_error_when_its_token_is_revoked(
    world: World, server: str
) -> None:
    secret = mint(world.hub, "lanh.dao", Role.LEADER)
    with graphql_socket(server, secret) as socket:
        operation = socket.start("subscription { events { sourceId } }")
        wait_until_listening(world, socket, operation)
        revoke(world.hub, secret)
        error = ended_with_error(socket, operation)
    assert error["extensions"]["code"] == "UNAUTHENTICATED" and "revoked" in error["message"]


def test_a_live_subscription_ends_with_an_error_when_its_token_expires(
    world: World, server: str
) -> None:
    secret = mint(world.hub, "lanh.dao", Role.LEADER, days=3 / 86400)
    with graphql_socket(server, secret) as socket:
        operation = socket.start("subscription { events { sourceId } }")
        error = ended_with_error(socket, operation)
    assert error["extensions"]["code"] == "UNAUTHENTICATED" and "expired" in error["message"]


def test_the_rate_limit_counts_each_operation_on_a_socket(
    world: World, serve_with: Callable[..., str]
) -> None:
    url = serve_with(rate_limit=5)
    secret = mint(world.hub, "lanh.dao", Role.LEADER)
    with graphql_socket(url, secret) as socket:
        answers = [socket.execute("{ metrics { code } }") for _ in range(6)]
    assert [error_codes(answer) for answer in answers] == [[]] * 5 + [["RATE_LIMITED"]]


def test_failed_sign_ins_are_audited_and_throttled_per_address(
    world: World, serve_with: Callable[..., str]
) -> None:
    url = serve_with(failed_sign_ins=3).replace("ws://", "http://")
    good = mint(world.hub, "lanh.dao", Role.LEADER)
    answers = [
        httpx.post(url, json={"query": QUERY}, headers=bearer(secret)).json()
        for secret in ["ioc_wrong"] * 4 + [good]
    ]
    assert [error_codes(answer) for answer in answers] == [["UNAUTHENTICATED"]] * 3 + [
        ["RATE_LIMITED"]
    ] * 2
    with world.hub.db.sessions() as session:
        rows = list(session.scalars(select(AuditEntry).where(AuditEntry.action == "signIn")))
    assert [(row.via, row.outcome, row.client) for row in rows] == [
        ("token", "UNAUTHENTICATED", "127.0.0.1")
    ] * 3
    assert rows[0].target == {"reason": "unknown token"}


@pytest.mark.parametrize(
    ("trusted", "client"), [([], "127.0.0.1"), (["127.0.0.0/8"], "203.0.113.9")]
)
def test_x_forwarded_for_is_believed_only_from_a_trusted_proxy(
    world: World, serve_with: Callable[..., str], trusted: list[str], client: str
) -> None:
    url = serve_with({"trusted_proxies": trusted}).replace("ws://", "http://")
    headers = {"Authorization": "Bearer ioc_wrong", "X-Forwarded-For": "10.1.1.1, 203.0.113.9"}
    answer = httpx.post(url, json={"query": QUERY}, headers=headers).json()
    assert error_codes(answer) == ["UNAUTHENTICATED"]
    with world.hub.db.sessions() as session:
        (row,) = session.scalars(select(AuditEntry).where(AuditEntry.action == "signIn"))
    assert row.client == client
