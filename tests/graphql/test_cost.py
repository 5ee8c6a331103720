"""Query cost: counted before a request runs, over real HTTP and a real WebSocket; refused
over ``[server] max_cost`` naming both; a query past ``[server] time_budget`` is stopped.

The costs expected are counted by hand from the seed (tests/graphql/conftest.py): the most
children of a province is 4 (the new Quảng Ngãi), of a district 5 (Thành phố Kon Tum), and
a commune's parent is a district (before the reform) or a province (after).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from typing import Any

import httpx
import pytest
from graphql import DocumentNode, parse, print_ast

from hub.core import Hub
from hub.graphql.cost import request_cost
from hub.graphql.schema import build_schema
from hub.units import bundled_unit_files, load_units
from tests.graphql.conftest import CONFIG, Seed
from tests.support.api_server import served_api
from tests.support.graphql_ws import graphql_socket

FAN_OUT = """{ adminUnit(code: "608", asOf: "2025-01-01") {
  children { code parent { code children { code } } } } }"""
FAN_OUT_COST = 1 * (1 + 5 * (1 + 1 * (1 + 5 * 1)))
PROVINCES = "{ adminUnits(level: PROVINCE) { code children { code } } }"
PROVINCES_COST = 2 * (1 + 4 * 1)  # Quảng Ngãi and Hà Nội today
EVENTS = "{ a: events(first: 7) { edges { node { id } } } b: events { pageInfo { hasNextPage } } }"
EVENTS_COST = 7 * (1 + 1 * (1 + 1)) + 50 * (1 + 1)


@pytest.fixture
def serve(hub: Hub, seed: Seed, make_hub: Callable[..., Hub]) -> Iterator[Callable[..., str]]:
    """Serve the seeded hub's database with these ``[server]`` settings; the URL of /graphql."""
    servers: list[Any] = []

    def start(**server: Any) -> str:
        served = served_api(make_hub({**CONFIG, "server": server}, with_plugins=hub.plugins))
        servers.append(served)
        return served.__enter__().replace("ws://", "http://")

    yield start
    for served in reversed(servers):
        served.__exit__(None, None, None)


def post(url: str, query: str) -> dict[str, Any]:
    response = httpx.post(url, json={"query": query}, timeout=60)
    assert response.status_code == 200, response.text
    return response.json()


@pytest.mark.parametrize(
    ("query", "cost"), [(FAN_OUT, FAN_OUT_COST), (PROVINCES, PROVINCES_COST), (EVENTS, EVENTS_COST)]
)
def test_a_request_over_max_cost_is_refused_before_it_runs_naming_its_cost(
    serve: Callable[..., str], query: str, cost: int
) -> None:
    over, within = serve(max_cost=cost - 1), serve(max_cost=cost)
    refused = post(over, query)
    assert refused["data"] is None
    (error,) = refused["errors"]
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert f"would cost {cost:,}, over the limit of {cost - 1:,}" in error["message"]
    assert "errors" not in post(within, query)


def test_a_request_over_max_cost_is_refused_on_a_websocket_too(serve: Callable[..., str]) -> None:
    url = serve(max_cost=FAN_OUT_COST - 1).replace("http://", "ws://")
    with graphql_socket(url) as socket:
        refused = socket.execute(FAN_OUT)
        allowed = socket.execute(PROVINCES)
    assert [error["extensions"]["code"] for error in refused["errors"]] == ["BAD_USER_INPUT"]
    assert f"would cost {FAN_OUT_COST}" in refused["errors"][0]["message"]
    assert "errors" not in allowed


def test_a_query_past_the_time_budget_is_stopped(serve: Callable[..., str]) -> None:
    url = serve(time_budget=0.001)
    query = "{ adminUnits { code children { code parent { code } } } }"
    for answer in (post(url, query), _over_websocket(url, query)):
        assert answer["data"] is None
        (error,) = answer["errors"]
        assert error["extensions"]["code"] == "BAD_USER_INPUT"
        assert "ran longer than 0.001 s ([server] time_budget)" in error["message"]


def _over_websocket(url: str, query: str) -> dict[str, Any]:
    with graphql_socket(url.replace("http://", "ws://")) as socket:
        return socket.execute(query)


AGGREGATE = """aggregate(metric: "m", periodType: MONTH, from: "2024-01", to: "2024-12",
  level: COMMUNE, within: "62", asOf: "2025-01-01") { unit { code } value }"""
ALIASED_AGGREGATES = "{ " + " ".join(f"a{number}: {AGGREGATE}" for number in range(30)) + " }"
SIX_HOPS = '{ adminUnit(code: "608", asOf: "2025-01-01") { %s } }' % (
    "children { code parent { code " * 5 + "children { code }" + " } }" * 5
)  # six `children` within the depth limit (12)


def test_by_default_the_documented_queries_pass_and_the_fan_outs_are_refused(
    make_hub: Callable[..., Hub],
) -> None:
    """On every unit of Vietnam, as the demo loads them."""
    hub = make_hub()
    load_units(hub.db, bundled_unit_files())
    limit = hub.settings.server.max_cost
    schema = build_schema(hub.settings.server)._schema
    root = Path(__file__).resolve().parents[2]
    pages = [root / "README.md", *(root / "docs").glob("*.md"), *root.glob("plugins/*/README.md")]
    for page in pages:
        for example in re.findall(r"```graphql\n(.*?)```", page.read_text(), re.DOTALL):
            for operation in parse(example).definitions:
                alone = DocumentNode(definitions=(operation,))
                cost = request_cost(hub, schema, alone, None, {}, date(2026, 3, 1))
                assert cost <= limit, f"{page.name} costs {cost}: {print_ast(alone)}"
    with served_api(hub) as url:
        for query in (SIX_HOPS, ALIASED_AGGREGATES):
            answer = post(url.replace("ws://", "http://"), query)
            assert answer["data"] is None
            assert answer["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
            assert f"over the limit of {limit:,}" in answer["errors"][0]["message"]
