"""Who may call: tokens (missing, wrong, expired, revoked), dev mode, rate limits, hardening."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest
from litestar.testing import TestClient
from sqlalchemy import select

from hub.auth.principal import Role
from hub.core import Hub
from hub.graphql.app import create_app
from hub.model import ApiToken
from tests.auth.conftest import AUTH_CONFIG, World, codes, post
from tests.auth.support import bearer, mint
from tests.support.api_server import served_api

QUERY = "{ adminUnits(level: PROVINCE) { code } }"


@pytest.fixture
def hub_with(make_hub: Callable[..., Hub], hub: Hub) -> Callable[..., Hub]:
    """Another hub on the same database, with these ``[auth]`` settings."""

    def build(**auth: Any) -> Hub:
        return make_hub({**AUTH_CONFIG, "auth": auth}, with_plugins=hub.plugins)

    return build


@pytest.mark.parametrize(
    ("header", "why"),
    [
        (None, "authentication required"),
        ("Bearer ioc_wrong", "unknown token"),
        ("Bearer not-a-token", "not a token of this hub"),
        ("Basic dXNlcjpwYXNz", "must be 'Bearer <token>'"),
        ("Bearer ", "must be 'Bearer <token>'"),
        ("Bearer a.b.c", "accepts no JWTs"),
    ],
)
def test_no_or_a_wrong_token_is_unauthenticated(
    client: TestClient, world: World, header: str | None, why: str
) -> None:
    body = post(client, QUERY, {"Authorization": header} if header is not None else {})
    assert codes(body) == ["UNAUTHENTICATED"] and body["data"] is None
    assert why in body["errors"][0]["message"]


def test_an_expired_or_revoked_token_is_unauthenticated(client: TestClient, world: World) -> None:
    expired = mint(world.hub, "old", Role.LEADER, days=-1)
    revoked = mint(world.hub, "gone", Role.LEADER, revoked=True)
    for secret, why in ((expired, "expired"), (revoked, "revoked")):
        body = post(client, QUERY, bearer(secret))
        assert codes(body) == ["UNAUTHENTICATED"] and why in body["errors"][0]["message"]


def test_a_valid_token_is_accepted_and_its_use_recorded(client: TestClient, world: World) -> None:
    secret = mint(world.hub, "lanh.dao", Role.LEADER)
    body = post(client, QUERY, bearer(secret))
    assert "errors" not in body and {u["code"] for u in body["data"]["adminUnits"]} >= {"51"}
    with world.hub.db.sessions() as session:
        row = session.scalars(select(ApiToken).where(ApiToken.name == "lanh.dao")).one()
        assert row.last_used_at is not None
        assert secret not in (row.secret_hash, row.prefix) and len(row.secret_hash) == 64


def test_without_required_auth_no_token_is_the_anonymous_admin_but_tokens_still_count(
    world: World, hub_with: Callable[..., Hub]
) -> None:
    with TestClient(create_app(hub_with(required=False))) as client:
        assert "errors" not in post(client, "{ connectors { id } }")
        assert codes(post(client, QUERY, {"Authorization": "Bearer ioc_wrong"})) == [
            "UNAUTHENTICATED"
        ]
        officer = bearer(world.tokens["Phường Kon Tum officer"])
        assert codes(post(client, "{ connectors { id } }", officer)) == ["FORBIDDEN"]


def test_a_principal_past_its_rate_is_limited(world: World, hub_with: Callable[..., Hub]) -> None:
    with TestClient(create_app(hub_with(rate_limit=3))) as client:
        leader, officer = (bearer(world.tokens[label]) for label in ("leader", "Hà Nội officer"))
        for _ in range(3):
            assert "errors" not in post(client, QUERY, leader)
        limited = post(client, QUERY, leader)
        assert codes(limited) == ["RATE_LIMITED"]
        assert "errors" not in post(client, QUERY, officer)  # each principal its own bucket


def test_without_required_auth_anonymous_callers_are_limited_by_address(
    make_hub: Callable[..., Hub], hub: Hub
) -> None:
    def open_hub(rate_limit: int) -> Hub:
        auth = {"required": False, "rate_limit": rate_limit}
        server = {"trusted_proxies": ["127.0.0.1"]}  # the test speaks as a proxy would
        return make_hub({**AUTH_CONFIG, "auth": auth, "server": server}, with_plugins=hub.plugins)

    def ask(url: str, address: str) -> dict[str, Any]:
        endpoint = url.replace("ws://", "http://")
        headers = {"X-Forwarded-For": address}
        return httpx.post(endpoint, json={"query": QUERY}, headers=headers).json()

    with served_api(open_hub(rate_limit=3)) as url:
        for _ in range(3):
            assert "errors" not in ask(url, "10.0.0.1")
        assert codes(ask(url, "10.0.0.1")) == ["RATE_LIMITED"]
        assert "errors" not in ask(url, "10.0.0.2")  # another screen: a bucket of its own
    with served_api(open_hub(rate_limit=0)) as url:
        assert all("errors" not in ask(url, "10.0.0.1") for _ in range(10))


def test_production_turns_off_introspection_and_graphiql(
    world: World, hub_with: Callable[..., Hub]
) -> None:
    with TestClient(create_app(hub_with(production=True, rate_limit=0))) as client:
        leader = bearer(world.tokens["leader"])
        refused = post(client, "{ __schema { types { name } } }", leader)
        assert set(codes(refused)) == {"BAD_USER_INPUT"}
        assert "introspection" in refused["errors"][0]["message"].lower()
        page = client.get("/graphql", headers={"Accept": "text/html"})
        assert "graphiql" not in page.text.lower()


def test_errors_never_show_the_token(client: TestClient, world: World) -> None:
    secret = mint(world.hub, "x", Role.LEADER, revoked=True)
    body = post(client, QUERY, bearer(secret))
    assert secret not in str(body) and secret[4:20] not in str(body)


def test_the_workbook_routes_need_a_token_and_the_role(client: TestClient, world: World) -> None:
    path = "/reports/KTXH-XA-THANG/23293/2026-03.xlsx"
    assert client.get(path).status_code == 401
    assert client.get(path, headers={"Authorization": "Bearer ioc_nope"}).status_code == 401
    assert (
        client.get(path, headers=bearer(world.tokens["Phường Kon Tum officer"])).status_code == 200
    )
    assert client.get(path, headers=bearer(world.tokens["Xã Đăk Pék officer"])).status_code == 403
    assert client.get(path, headers=bearer(world.tokens["health officer"])).status_code == 403
    assert client.get("/reports/templates/KTXH-XA-THANG.xlsx").status_code == 401
    upload = client.post(
        "/reports/templates", content=b"not a workbook", headers=bearer(world.tokens["leader"])
    )
    assert upload.status_code == 403
