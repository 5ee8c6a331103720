"""Kept responses: asked again, the same response without executing; never older than what it
read, kept through writes to anything else; asked at once, computed once; never shown to a
caller who may not see it.

The hub and the loader are the aggregation tests' (a made-up province 90 with five communes).
"""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest
from litestar.testing import TestClient
from sqlalchemy import event

from hub.connectors.records import Observation as Record
from hub.core import Hub
from hub.graphql.app import create_app
from hub.graphql.response_cache import KeptResponse, ResponseCache
from hub.plugins.manager import Plugins
from tests.aggregation.conftest import COMMUNES, CONFIG, PROVINCE, load
from tests.aggregation.conftest import hub as hub
from tests.support.api_server import served_api

CASES = {"tested": 8, "positive": 2}
"""Each commune's figures for the indicator's test: positivity 2 / 8 = 25 %."""
NO_PLUGINS = Plugins.load(entry_points=False)  # as the aggregation tests' hub: their metrics only
QUERY = """query($metric: String!, $units: [ID!]) {
  aggregate(metric: $metric, periodType: QUARTER, from: "2024-Q1", to: "2024-Q1", units: $units,
            asOf: "2024-06-01") { unit { code } period value unitsReporting }
}"""


class Statements:
    """How many SQL statements the hub's engine ran (what executing a query costs)."""

    def __init__(self, hub: Hub) -> None:
        self.count = 0
        event.listen(hub.db.engine, "before_cursor_execute", self._seen)

    def _seen(self, *_: Any) -> None:
        self.count += 1

    def during(self, call: Callable[[], Any]) -> int:
        before = self.count
        call()
        return self.count - before


@pytest.fixture
def client(hub: Hub) -> Iterator[TestClient]:
    with TestClient(create_app(hub)) as client:
        yield client


def ask(client: TestClient, headers: dict[str, str] | None = None, **variables: Any) -> Any:
    variables = {"metric": "cases", "units": [PROVINCE]} | variables
    response = client.post(
        "/graphql", json={"query": QUERY, "variables": variables}, headers=headers
    )
    assert response.status_code == 200, response.text
    return response.json()


def values(body: dict[str, Any]) -> list[tuple[str, float | None, int]]:
    assert "errors" not in body, body
    return [(v["unit"]["code"], v["value"], v["unitsReporting"]) for v in body["data"]["aggregate"]]


def test_a_query_asked_again_is_answered_without_executing(hub: Hub, client: TestClient) -> None:
    load(hub, [Record("cases", code, "2024-01", 2) for code in COMMUNES])
    statements = Statements(hub)
    first = statements.during(lambda: ask(client))
    again = statements.during(lambda: ask(client))
    assert values(ask(client)) == [(PROVINCE, 10.0, 5)]
    # The engine reads its catalogue, the hierarchy and the roll-ups; a kept response needs
    # only the caller's scope and the version of what it read.
    assert again < first


def test_a_kept_response_costs_one_statement(hub: Hub, client: TestClient) -> None:
    load(hub, [Record("cases", code, "2024-01", 2) for code in COMMUNES])
    ask(client)
    statements = Statements(hub)
    # The version of the hierarchy, the metric's definition and its roll-ups' state, at once.
    assert statements.during(lambda: ask(client)) == 1
    both = """{
      cases: aggregate(metric: "cases", periodType: YEAR, from: "2024", to: "2024",
                       units: ["90"], asOf: "2024-06-01") { value }
      beds: aggregate(metric: "beds", periodType: YEAR, from: "2024", to: "2024",
                      units: ["90"], asOf: "2024-06-01") { value }
    }"""
    body = {"query": both}
    for _ in range(2):  # the first ask brings beds' roll-ups up to date: a new version
        assert "errors" not in client.post("/graphql", json=body).json()
    assert statements.during(lambda: client.post("/graphql", json=body)) == 1  # two metrics


def test_an_indicators_response_follows_each_of_its_parts(hub: Hub, client: TestClient) -> None:
    load(hub, [Record(code, c, "2024-01", n) for c in COMMUNES for code, n in CASES.items()])
    assert values(ask(client, metric="positivity")) == [(PROVINCE, 25.0, 5)]
    cache = kept(client)
    assert cache is not None
    hits = cache.hits
    assert values(ask(client, metric="positivity")) == [(PROVINCE, 25.0, 5)]
    assert cache.hits == hits + 1
    load(hub, [Record("tested", COMMUNES[0], "2024-02", 40)])  # the denominator only
    assert values(ask(client, metric="positivity")) == [(PROVINCE, 12.5, 5)]
    assert cache.hits == hits + 1


def test_a_query_over_the_cost_limit_is_refused_every_time(make_hub: Callable[..., Hub]) -> None:
    cheap = make_hub(CONFIG | {"server": {"max_cost": 1}}, NO_PLUGINS)
    with TestClient(create_app(cheap)) as client:
        for _ in range(2):
            [error] = ask(client)["errors"]
            assert error["extensions"]["code"] == "BAD_USER_INPUT"
            assert "max_cost" in error["message"]
        assert len(kept(client) or ()) == 0


def test_new_data_is_seen_at_once(hub: Hub, client: TestClient) -> None:
    load(hub, [Record("cases", code, "2024-01", 2) for code in COMMUNES])
    assert values(ask(client)) == [(PROVINCE, 10.0, 5)]
    load(hub, [Record("cases", COMMUNES[0], "2024-02", 5)])
    assert values(ask(client)) == [(PROVINCE, 15.0, 5)]
    load(hub, [Record("cases", COMMUNES[0], "2024-02", None)])  # withdrawn
    assert values(ask(client)) == [(PROVINCE, 10.0, 5)]


def test_data_written_by_another_process_is_seen(hub: Hub, client: TestClient, db_url: str) -> None:
    load(hub, [Record("cases", code, "2024-01", 1) for code in COMMUNES])
    assert values(ask(client)) == [(PROVINCE, 5.0, 5)]
    writer = (
        "import sys; from hub.connectors.records import Observation as Record; "
        "from tests.aggregation.conftest import hub_on, load; "
        "hub = hub_on(sys.argv[1]); load(hub, [Record('cases', '90002', '2024-03', 7)]); "
        "hub.close()"
    )
    subprocess.run([sys.executable, "-c", writer, db_url], check=True)
    assert values(ask(client)) == [(PROVINCE, 12.0, 5)]


def test_a_write_to_another_metric_keeps_the_response(hub: Hub, client: TestClient) -> None:
    load(hub, [Record("cases", code, "2024-01", 2) for code in COMMUNES])
    load(hub, [Record("beds", code, "2024-01", 9) for code in COMMUNES])
    assert values(ask(client)) == [(PROVINCE, 10.0, 5)]
    beds = values(ask(client, metric="beds"))
    cache = kept(client)
    assert cache is not None
    hits = cache.hits
    load(hub, [Record("beds", COMMUNES[0], "2024-02", 12)])  # another metric, other data
    assert values(ask(client)) == [(PROVINCE, 10.0, 5)]
    assert cache.hits == hits + 1  # answered from what was kept
    assert values(ask(client, metric="beds")) != beds  # the written metric: seen at once
    assert cache.hits == hits + 1


def test_asked_at_once_a_response_is_computed_once(hub: Hub) -> None:
    load(hub, [Record("cases", code, "2024-01", 2) for code in COMMUNES])
    body = {"query": QUERY, "variables": {"metric": "cases", "units": [PROVINCE]}}
    # Every statement takes a while, as on a busy server: the eight asks overlap for sure.
    event.listen(hub.db.engine, "before_cursor_execute", lambda *_: time.sleep(0.02))
    app = create_app(hub)
    with served_api(hub, app) as url, ThreadPoolExecutor(8) as screens:
        endpoint = url.replace("ws://", "http://")
        answers = list(screens.map(lambda _: httpx.post(endpoint, json=body).json(), range(8)))
    cache = app.state.response_cache
    assert [values(answer) for answer in answers] == [[(PROVINCE, 10.0, 5)]] * 8
    assert (cache.misses, cache.hits) == (1, 7)


def test_only_queries_of_aggregates_answered_without_error_are_kept(
    hub: Hub, client: TestClient
) -> None:
    cache = kept(client)
    ask(client, metric="no_such_metric")
    mixed = """query {
      aggregate(metric: "cases", periodType: YEAR, from: "2024", to: "2024", units: ["90"],
                asOf: "2024-06-01") { value }
      metrics { code }
    }"""
    client.post("/graphql", json={"query": mixed})
    client.post("/graphql", json={"query": "{ __typename }"})
    assert len(cache) == 0
    ask(client)
    assert len(cache) == 1


def test_the_cache_can_be_turned_off(make_hub: Callable[..., Hub]) -> None:
    quiet = make_hub(CONFIG | {"server": {"response_cache": 0}}, NO_PLUGINS)
    with TestClient(create_app(quiet)) as client:
        assert kept(client) is None


def test_the_cache_is_bounded_in_responses_and_in_their_size() -> None:
    cache = ResponseCache(size=2, max_values=3)
    cache.put("a", KeptResponse(1, {"aggregate": [1, 2, 3]}))
    cache.put("large", KeptResponse(1, {"aggregate": [1, 2], "again": [3, 4]}))  # 4 values
    cache.put("b", KeptResponse(1, {"aggregate": []}))
    assert cache.current("large", 1) is None
    assert cache.current("a", 1) == {"aggregate": [1, 2, 3]}  # now the most recently used
    assert cache.current("a", 2) is None  # made on another version of what it read
    cache.put("c", KeptResponse(1, {"aggregate": [4]}))
    assert len(cache) == 2
    assert cache.get("b") is None
    assert cache.get("a") is not None and cache.get("c") is not None


def kept(client: TestClient) -> ResponseCache | None:
    """The response cache of the app behind ``client``."""
    return client.app.state.response_cache
