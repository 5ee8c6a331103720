"""Kept responses: asked again, the same response without executing; never older than the data,
never shown to a caller who may not see it.

The hub and the loader are the aggregation tests' (a made-up province 90 with five communes).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from litestar.testing import TestClient
from sqlalchemy import event, update

from hub.auth.principal import Role
from hub.connectors.records import Observation as Record
from hub.core import Hub
from hub.graphql.app import create_app
from hub.graphql.response_cache import ResponseCache
from hub.model import ApiToken, Metric
from hub.observability import metrics
from hub.plugins.manager import Plugins
from tests.aggregation.conftest import COMMUNES, CONFIG, DISTRICTS, PROVINCE, hub_on, load
from tests.aggregation.conftest import hub as hub
from tests.auth.support import bearer, mint

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
    # only the caller's scope (and, on PostgreSQL, the data version).
    assert again < first


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
    other = hub_on(db_url)  # its own engine and memory, as a second process would have
    try:
        load(other, [Record("cases", COMMUNES[1], "2024-03", 7)])
    finally:
        other.close()
    assert values(ask(client)) == [(PROVINCE, 12.0, 5)]


def test_a_changed_definition_is_seen_at_once(hub: Hub, client: TestClient) -> None:
    load(
        hub,
        [Record("cases", code, month, 2) for code in COMMUNES for month in ("2024-01", "2024-02")],
    )
    assert values(ask(client)) == [(PROVINCE, 20.0, 5)]
    with hub.db.session() as session:  # as a new config, synced at start, would
        session.execute(update(Metric).where(Metric.code == "cases").values(aggregation="MAX"))
    assert values(ask(client)) == [(PROVINCE, 2.0, 5)]


def test_each_caller_sees_only_their_own_territory(hub: Hub, make_hub: Callable[..., Hub]) -> None:
    secured = make_hub(CONFIG | {"auth": {"required": True}}, NO_PLUGINS)
    assert secured.db.url == hub.db.url  # the same database: the province is there
    load(hub, [Record("cases", code, "2024-01", 2) for code in COMMUNES])
    leader = bearer(mint(secured, "leader", Role.LEADER))
    district = next(iter(DISTRICTS))
    officer = bearer(mint(secured, "officer", Role.UNIT_OFFICER, units=(district,)))
    with TestClient(create_app(secured)) as client:
        assert values(ask(client, officer, units=[district])) == [(district, 6.0, 3)]
        assert values(ask(client, leader)) == [(PROVINCE, 10.0, 5)]
        assert values(ask(client, leader)) == [(PROVINCE, 10.0, 5)]
        assert len(kept(client) or ()) == 2
        refused = ask(client, officer)  # the same query as the leader's, kept for the leader
        assert refused["errors"][0]["extensions"]["code"] == "FORBIDDEN"
        assert ask(client)["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


def test_a_revoked_token_is_refused_though_its_response_was_kept(
    hub: Hub, make_hub: Callable[..., Hub]
) -> None:
    secured = make_hub(CONFIG | {"auth": {"required": True}}, NO_PLUGINS)
    load(hub, [Record("cases", code, "2024-01", 2) for code in COMMUNES])
    leader = bearer(mint(secured, "leader", Role.LEADER))
    with TestClient(create_app(secured)) as client:
        assert values(ask(client, leader)) == [(PROVINCE, 10.0, 5)]
        with secured.db.session() as session:
            session.execute(update(ApiToken).values(revoked_at=ApiToken.created_at))
        assert ask(client, leader)["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


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
    cache.put("a", {"aggregate": [1, 2, 3]})
    cache.put("large", {"aggregate": [1, 2], "again": [3, 4]})  # four values: not kept
    cache.put("b", {"aggregate": []})
    assert cache.get("large") is None
    assert cache.get("a") == {"aggregate": [1, 2, 3]}  # now the most recently used
    cache.put("c", {"aggregate": [4]})
    assert len(cache) == 2
    assert cache.get("b") is None
    assert cache.get("a") is not None and cache.get("c") is not None


def kept(client: TestClient) -> ResponseCache | None:
    """The response cache of the app behind ``client``."""
    return client.app.state.response_cache


def test_lookups_are_counted_as_hits_and_misses(hub: Hub, client: TestClient) -> None:
    load(hub, [Record("cases", code, "2024-01", 2) for code in COMMUNES])

    def counted() -> dict[str, float]:
        name = "iochub_response_cache_lookups_total"
        return {
            result: metrics.PROCESS.get_sample_value(name, {"result": result}) or 0.0
            for result in ("hit", "miss")
        }

    before = counted()
    ask(client)
    ask(client)
    ask(client)
    after = counted()
    assert after["miss"] - before["miss"] == 1 and after["hit"] - before["hit"] == 2
