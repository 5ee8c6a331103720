"""API tokens through the API: an admin issues one (its secret once), lists, revokes them."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from litestar.testing import TestClient
from sqlalchemy import select

from hub.auth.principal import Role
from hub.core import Hub
from hub.graphql.app import create_app
from hub.model import AuditEntry
from tests.auth.support import bearer, mint

CREATE = """mutation($name: String!, $role: String!, $units: [String!], $sectors: [String!]) {
  createApiToken(name: $name, role: $role, units: $units, sectors: $sectors) {
    secret token { id name role units sectors prefix revokedAt } } }"""
LIST = """query($after: String) { apiTokens(first: 2, after: $after) {
  edges { node { id name revokedAt } } pageInfo { hasNextPage endCursor } } }"""
REVOKE = "mutation($id: ID!) { revokeApiToken(id: $id) { id revokedAt } }"


@pytest.fixture
def hub(make_hub: Callable[..., Hub]) -> Hub:
    return make_hub({"auth": {"required": True}})


@pytest.fixture
def client(hub: Hub) -> Iterator[TestClient]:
    with TestClient(create_app(hub)) as test_client:
        yield test_client


def ask(client: TestClient, secret: str, query: str, **variables: object) -> dict:
    response = client.post(
        "/graphql", json={"query": query, "variables": variables}, headers=bearer(secret)
    )
    return response.json()


def test_an_admin_issues_lists_and_revokes_tokens(client: TestClient, hub: Hub) -> None:
    admin = mint(hub, "quan.tri", Role.ADMIN)
    issued = ask(client, admin, CREATE, name="lanh.dao", role="leader")["data"]["createApiToken"]
    secret, token = issued["secret"], issued["token"]
    assert token["role"] == "leader" and secret.startswith(token["prefix"])
    assert ask(client, secret, "{ connectors { id } }") == {"data": {"connectors": []}}

    first = ask(client, admin, LIST)["data"]["apiTokens"]
    assert [edge["node"]["name"] for edge in first["edges"]] == ["lanh.dao", "quan.tri"]
    assert first["pageInfo"]["hasNextPage"] is False

    revoked = ask(client, admin, REVOKE, id=token["id"])["data"]["revokeApiToken"]
    assert revoked["revokedAt"] is not None
    refused = ask(client, secret, "{ connectors { id } }")
    assert refused["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    with hub.db.session() as session:
        actions = session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)).all()
        assert actions[:2] == ["createApiToken", "revokeApiToken"]  # then the refused sign-in
        assert secret not in str(session.scalars(select(AuditEntry.target)).all())


def test_a_wrong_scope_or_a_non_admin_is_refused_and_nothing_issued(
    client: TestClient, hub: Hub
) -> None:
    admin = mint(hub, "quan.tri", Role.ADMIN)
    wrong = ask(client, admin, CREATE, name="x", role="unit_officer")
    assert wrong["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert "--unit" in wrong["errors"][0]["message"]
    unknown = ask(client, admin, CREATE, name="x", role="mayor")
    assert "unknown role" in unknown["errors"][0]["message"]
    sector = ask(client, admin, CREATE, name="x", role="sector_officer", sectors=["weather"])
    assert "unknown sector 'weather'" in sector["errors"][0]["message"]
    leader = mint(hub, "lanh.dao", Role.LEADER)
    for query, variables in ((CREATE, {"name": "y", "role": "admin"}), (LIST, {})):
        forbidden = ask(client, leader, query, **variables)
        assert forbidden["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    missing = ask(client, admin, REVOKE, id="999")
    assert missing["errors"][0]["extensions"]["code"] == "NOT_FOUND"
    names = [e["node"]["name"] for e in ask(client, admin, LIST)["data"]["apiTokens"]["edges"]]
    assert names == ["lanh.dao", "quan.tri"]  # the two minted here, none issued


def test_the_token_list_is_paged(client: TestClient, hub: Hub) -> None:
    admin = mint(hub, "quan.tri", Role.ADMIN)
    for number in range(3):
        mint(hub, f"can.bo.{number}", Role.LEADER)
    seen, after = [], None
    while True:
        page = ask(client, admin, LIST, after=after)["data"]["apiTokens"]
        seen += [edge["node"]["name"] for edge in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert seen == ["can.bo.2", "can.bo.1", "can.bo.0", "quan.tri"]
