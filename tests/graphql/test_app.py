"""The application: health, GraphiQL, CORS, introspection, limits, error codes and the contract."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from graphql import (
    DocumentNode,
    ExecutableDefinitionNode,
    GraphQLArgument,
    GraphQLField,
    GraphQLNamedType,
    GraphQLObjectType,
    build_schema,
    is_enum_type,
    parse,
    print_ast,
    validate,
)
from graphql.utilities.print_schema import print_input_value
from litestar.testing import TestClient
from sqlalchemy import text

from hub.config.settings import ServerSettings
from hub.core import Hub
from hub.graphql.app import create_app
from hub.graphql.schema import build_schema as build_hub_schema
from hub.model.database import Database
from tests.graphql.conftest import CONFIG, Seed, data, error_codes, graphql

CONTRACT = Path(__file__).with_name("api_contract.graphql")
LATER = {"Subscription", "AggregateValue", "Query.aggregate"}  # issues of their own


@pytest.fixture
def configured(make_hub: Callable[..., Hub], hub: Hub) -> Callable[..., TestClient]:
    """A client of an app whose ``[server]`` settings are the given ones."""

    def build(**server: Any) -> TestClient:
        other = make_hub({**CONFIG, "server": server}, with_plugins=hub.plugins)
        return TestClient(create_app(other))

    return build


def test_health_says_degraded_while_a_connectors_last_run_failed(client: TestClient) -> None:
    response = client.get("/health")
    assert response.status_code == 200  # a load balancer keeps serving
    body = response.json()
    assert body["status"] == "degraded" and body["database"] == "ok"
    assert [(c["id"], c["problem"], c["detail"]) for c in body["connectors"]] == [
        ("kontum-feedback", "failed", "source answered 503")
    ]


def test_health_when_the_database_does_not_answer(hub: Hub) -> None:
    working, hub.db = hub.db, Database("postgresql+psycopg://nobody@127.0.0.1:1/nothing")
    try:
        with TestClient(create_app(hub)) as client:
            response = client.get("/health")
    finally:
        hub.db.dispose()
        hub.db = working
    assert response.status_code == 503
    assert response.json() == {"status": "unavailable", "database": "unreachable"}


def test_graphiql_on_get_when_enabled(
    client: TestClient, configured: Callable[..., TestClient]
) -> None:
    page = client.get("/graphql", headers={"Accept": "text/html"})
    assert page.status_code == 200 and "graphiql" in page.text.lower()
    with configured(graphiql=False) as without:
        assert without.get("/graphql", headers={"Accept": "text/html"}).status_code == 404
        assert without.post("/graphql", json={"query": "{ __typename }"}).json() == {
            "data": {"__typename": "Query"}
        }


def test_queries_via_get(client: TestClient) -> None:
    response = client.get("/graphql", params={"query": '{ metrics(sector: "health") { code } }'})
    assert response.json()["data"]["metrics"] == [{"code": "beds"}, {"code": "cases"}]


def test_cors(client: TestClient, configured: Callable[..., TestClient]) -> None:
    origin = "https://ioc.kontum.gov.vn"
    preflight = {"Origin": origin, "Access-Control-Request-Method": "POST"}
    with configured(cors_origins=[origin]) as allowed:
        response = allowed.options("/graphql", headers=preflight)
        assert response.headers["access-control-allow-origin"] == origin
        refused = allowed.options(
            "/graphql", headers={**preflight, "Origin": "https://evil.example"}
        )
        assert refused.headers.get("access-control-allow-origin") != "https://evil.example"
    response = client.post("/graphql", json={"query": "{ __typename }"}, headers={"Origin": origin})
    assert "access-control-allow-origin" not in response.headers


def test_introspection_can_be_disabled(
    client: TestClient, configured: Callable[..., TestClient]
) -> None:
    query = "{ __schema { queryType { name } } }"
    assert data(client, query) == {"__schema": {"queryType": {"name": "Query"}}}
    with configured(introspection=False) as closed:
        refused = graphql(closed, query)
        assert set(error_codes(refused)) == {"BAD_USER_INPUT"}
        assert "introspection" in refused["errors"][0]["message"].lower()
        assert data(closed, "{ __typename }") == {"__typename": "Query"}


def nested(depth: int) -> str:
    """A query ``depth`` levels deep: adminUnits (depth 0), then parent after parent, then code."""
    return "{ adminUnits " + "{ parent " * (depth - 1) + "{ code" + " }" * depth + " }"


def test_a_too_deep_query_is_refused(
    client: TestClient, configured: Callable[..., TestClient]
) -> None:
    assert "errors" not in graphql(client, nested(12))
    body = graphql(client, nested(13))
    assert error_codes(body) == ["BAD_USER_INPUT"]
    assert "depth" in body["errors"][0]["message"]
    assert body.get("data") is None
    with configured(max_depth=3) as shallow:
        assert "errors" not in graphql(shallow, nested(3))
        assert error_codes(graphql(shallow, nested(4))) == ["BAD_USER_INPUT"]


def test_too_many_tokens_or_aliases_are_refused(configured: Callable[..., TestClient]) -> None:
    with configured(max_tokens=20, max_aliases=2) as strict:
        assert "errors" not in graphql(strict, "{ a: metrics { code } b: indicators { code } }")
        aliases = graphql(strict, "{ a: metrics { code } b: metrics { code } c: metrics { code } }")
        assert error_codes(aliases) == ["BAD_USER_INPUT"]
        long = (
            "{ metrics { code name unit sector aggregation disaggregations description } "
            "indicators { code name numerator denominator factor sector unit description } }"
        )
        tokens = graphql(strict, long)
        assert error_codes(tokens) == ["BAD_USER_INPUT"]
        assert "tokens" in tokens["errors"][0]["message"]


@pytest.mark.parametrize(
    "query",
    [
        "{ adminUnits { nosuchfield } }",
        "{ adminUnits(",
        '{ adminUnits(level: "PROVINCE") { code } }',
        "query($n: Int!) { events(first: $n) { edges { cursor } } }",
    ],
)
def test_a_bad_document_is_bad_user_input(client: TestClient, query: str) -> None:
    assert error_codes(graphql(client, query)) == ["BAD_USER_INPUT"]


def test_an_unexpected_error_is_internal_without_details(
    client: TestClient, hub: Hub, seed: Seed, caplog: pytest.LogCaptureFixture
) -> None:
    with hub.db.session() as session:
        session.execute(text("DROP TABLE quarantine"))
    caplog.set_level(logging.ERROR, logger="hub.graphql")
    body = graphql(client, "{ connectors { id } quarantine { edges { cursor } } }")
    (error,) = body["errors"]
    assert error["extensions"] == {"code": "INTERNAL"}
    assert re.fullmatch(r"Internal server error \(reference [0-9a-f]{12}\)\.", error["message"])
    assert error["path"] == ["quarantine"]
    assert body["data"] is None  # quarantine is non-null: the whole data goes
    text_of_response = str(body).lower()
    for leak in ("select", "quarantine.", "traceback", "sqlalchemy", "no such table", "exist"):
        assert leak not in text_of_response
    reference = error["message"].split()[-1].rstrip(").")
    logged = [r for r in caplog.records if reference in r.getMessage()]
    assert logged and logged[0].exc_info is not None  # the real error is in the server's log


def test_the_schema_keeps_the_contract_of_api_md() -> None:
    """Every type, field, argument and enum value of API.md, with the same types."""
    contract = build_schema(CONTRACT.read_text())
    ours = build_hub_schema(ServerSettings())._schema
    problems: list[str] = []
    for name, wanted in contract.type_map.items():
        if name.startswith("__") or name in LATER:
            continue
        problems += _differences(name, wanted, ours.type_map.get(name))
    assert problems == []


def _differences(name: str, wanted: GraphQLNamedType, got: GraphQLNamedType | None) -> list[str]:
    if not isinstance(got, type(wanted)):
        return [f"{name}: missing or of another kind"]
    if is_enum_type(wanted):
        missing = set(wanted.values) - set(got.values)  # type: ignore[attr-defined]
        return [f"{name}: no value {value}" for value in sorted(missing)]
    if not isinstance(wanted, GraphQLObjectType):
        return []
    problems = []
    for field_name, wanted_field in wanted.fields.items():
        where = f"{name}.{field_name}"
        if where not in LATER:
            got_field = got.fields.get(field_name)  # type: ignore[attr-defined]
            problems += _field_differences(where, wanted_field, got_field)
    return problems


def _field_differences(where: str, wanted: GraphQLField, got: GraphQLField | None) -> list[str]:
    if got is None or str(got.type) != str(wanted.type):
        return [f"{where}: {got and got.type} instead of {wanted.type}"]
    problems = []
    for name, argument in wanted.args.items():
        expected = _printed(name, argument)
        found = _printed(name, got.args[name]) if name in got.args else None
        if found != expected:
            problems.append(f"{where}: {found} instead of {expected}")
    problems += [
        f"{where}({name}): a required argument the contract lacks"
        for name, argument in got.args.items()
        if name not in wanted.args and str(argument.type).endswith("!")
    ]
    return problems


def _printed(name: str, argument: GraphQLArgument) -> str:
    """The argument as SDL prints it; no default and a null default mean the same to a caller."""
    return print_input_value(name, argument).removesuffix(" = null")


def test_the_examples_of_the_docs_are_valid() -> None:
    """Every operation of every ```graphql block of the README, docs/ and the plugins' READMEs
    (a block of type definitions, as API.md's contract, is checked by the test above)."""
    root = Path(__file__).resolve().parents[2]
    pages = [root / "README.md", *(root / "docs").glob("*.md"), *root.glob("plugins/*/README.md")]
    schema = build_hub_schema(ServerSettings())._schema
    checked = 0
    for page in pages:
        for example in re.findall(r"```graphql\n(.*?)```", page.read_text(), re.DOTALL):
            definitions = parse(example).definitions
            for operation in (d for d in definitions if isinstance(d, ExecutableDefinitionNode)):
                alone = DocumentNode(definitions=(operation,))
                assert validate(schema, alone) == [], f"{page.name}: {print_ast(alone)}"
                checked += 1
    assert checked >= 30


def test_a_subscription_sent_over_http_is_told_where_subscriptions_are(
    client: TestClient,
) -> None:
    body = graphql(client, 'subscription { events(sector: "security") { id } }')
    (error,) = body["errors"]
    assert error["extensions"] == {"code": "BAD_USER_INPUT"}
    assert error["message"].startswith("a subscription is served over WebSocket on /graphql")
    document = "query Q { __typename } subscription S { events { id } }"
    for name, expected in (("Q", [None]), ("S", ["BAD_USER_INPUT"])):
        response = client.post("/graphql", json={"query": document, "operationName": name})
        codes = [e["extensions"]["code"] for e in response.json().get("errors", [])] or [None]
        assert codes == expected, name
