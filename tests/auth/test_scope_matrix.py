"""The scope matrix: every principal × every query, nested path and aggregate, over HTTP and
again over a real WebSocket (one socket per principal, every query an operation on it).

For each principal the rows it may see are computed from the seed's own tables
(:func:`tests.auth.conftest.expected_territory`), not by hub.auth; every unit anywhere in an
answer, however deeply nested, must be inside them, and list answers must be exactly them.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from litestar.testing import TestClient

from hub.graphql.app import create_app
from tests.auth.conftest import (
    LEGACY_DAY,
    NEW_DAY,
    PRINCIPALS,
    UnitKey,
    Who,
    World,
    all_units,
    codes,
    expected_territory,
    for_every_principal,
    post,
    sees_sector,
    sees_unit,
)
from tests.support.api_server import served_api
from tests.support.graphql_ws import SocketClient


@pytest.fixture(params=["http", "websocket"])
def client(request: pytest.FixtureRequest, world: World) -> Iterator[Any]:
    """The API as each principal reaches it: by HTTP, or by a WebSocket per principal."""
    if request.param == "http":
        with TestClient(create_app(world.hub)) as http:
            yield http
        return
    with served_api(world.hub) as url:
        sockets = SocketClient(url)
        try:
            yield sockets
        finally:
            sockets.close()


UNIT = "code validFrom validTo"
NESTED = f"""{UNIT}
  parent {{ {UNIT} children {{ {UNIT} }} parent {{ {UNIT} children {{ {UNIT} }} }} }}
  children {{ {UNIT} parent {{ {UNIT} }} }}
  successors {{ {UNIT} predecessors {{ {UNIT} parent {{ {UNIT} }} }} }}
  predecessors {{ {UNIT} successors {{ {UNIT} }} parent {{ {UNIT} }} }}"""
ADMIN_UNITS = f"query($asOf: Date) {{ adminUnits(asOf: $asOf) {{ {NESTED} }} }}"
ADMIN_UNIT = (
    f"query($code: ID!, $asOf: Date) {{ adminUnit(code: $code, asOf: $asOf) {{ {NESTED} }} }}"
)
EVENTS = f"""query($within: ID, $asOf: Date) {{ events(first: 500, within: $within, asOf: $asOf) {{
  edges {{ node {{ sourceId sector unit {{ {NESTED} }} }} }} }} }}"""
ALERTS = f"""{{ alerts(first: 500) {{ edges {{ node {{ message unit {{ {NESTED} }} }} }} }} }}"""
AGGREGATE = f"""query($units: [ID!], $within: ID, $level: AdminLevel, $asOf: Date,
                      $from: String!, $to: String!, $metric: String!) {{
  aggregate(metric: $metric, periodType: MONTH, from: $from, to: $to, units: $units,
            within: $within, level: $level, asOf: $asOf) {{
    value unit {{ {NESTED} }} }} }}"""
REPORT = f"""query($unit: ID!, $period: String!) {{
  report(template: "KTXH-XA-THANG", unit: $unit, period: $period) {{
    unit {{ {NESTED} }} lowerUnits {{ unit {{ {UNIT} }} }} missingUnits {{ {UNIT} }} }} }}"""


def record_of(unit: dict[str, Any]) -> UnitKey:
    """The seeded record an answer's unit is: by its code and validity."""
    if unit["validTo"] == "2025-06-30":
        return (unit["code"], "legacy")
    if unit["validFrom"] == "2025-07-01":
        return (unit["code"], "new")
    return (unit["code"], "legacy")  # Hà Nội: one record through the reform


def units_in(answer: Any) -> Iterator[UnitKey]:
    """Every unit anywhere in an answer, at any depth."""
    if isinstance(answer, dict):
        if {"code", "validFrom", "validTo"} <= answer.keys():
            yield record_of(answer)
        for value in answer.values():
            yield from units_in(value)
    elif isinstance(answer, list):
        for item in answer:
            yield from units_in(item)


def assert_inside(who: Who, answer: Any) -> None:
    outside = {unit for unit in units_in(answer) if not sees_unit(who, unit)}
    assert not outside, f"{who.label} was shown {sorted(outside)}"


def valid_on(unit: UnitKey, day: Any) -> bool:
    return unit[0] == "01" or (unit[1] == "legacy") == (day == LEGACY_DAY)


@for_every_principal
@pytest.mark.parametrize("day", [LEGACY_DAY, NEW_DAY], ids=["2025", "2026"])
def test_admin_units_lists_exactly_the_territory_and_nesting_stays_inside(
    client: TestClient, world: World, who: Who, day: Any
) -> None:
    body = post(client, ADMIN_UNITS, world.headers(who), asOf=day.isoformat())
    assert "errors" not in body, body
    listed = {record_of(unit) for unit in body["data"]["adminUnits"]}
    territory = expected_territory(who) or all_units()
    assert listed == {unit for unit in territory if valid_on(unit, day)}
    assert_inside(who, body)


@for_every_principal
def test_admin_unit_outside_the_territory_is_forbidden(
    client: TestClient, world: World, who: Who
) -> None:
    for code, era in sorted(all_units()):
        day = LEGACY_DAY if era == "legacy" else NEW_DAY
        body = post(client, ADMIN_UNIT, world.headers(who), code=code, asOf=day.isoformat())
        if sees_unit(who, (code, era)):
            assert "errors" not in body, body
            assert record_of(body["data"]["adminUnit"]) == (code, era)
            assert_inside(who, body)
        else:
            assert codes(body) == ["FORBIDDEN"] and body["data"]["adminUnit"] is None


@for_every_principal
def test_events_are_exactly_those_of_the_units_and_sectors(
    client: TestClient, world: World, who: Who
) -> None:
    body = post(client, EVENTS, world.headers(who))
    assert "errors" not in body, body
    found = {edge["node"]["sourceId"] for edge in body["data"]["events"]["edges"]}
    assert found == {
        source_id
        for source_id, (unit, sector) in world.events.items()
        if sees_unit(who, unit) and sees_sector(who, sector)
    }
    assert_inside(who, body)


@for_every_principal
@pytest.mark.parametrize(
    ("within", "day"),
    [
        ("62", LEGACY_DAY),
        ("608", LEGACY_DAY),
        ("23281", LEGACY_DAY),
        ("23293", NEW_DAY),
        ("51", NEW_DAY),
        ("01", NEW_DAY),
    ],
    ids=["Kon Tum 2025", "district 608", "merged 23281", "Phường Kon Tum", "Quảng Ngãi", "Hà Nội"],
)
def test_events_within_any_unit_never_leave_the_scope(
    client: TestClient, world: World, who: Who, within: str, day: Any
) -> None:
    body = post(client, EVENTS, world.headers(who), within=within, asOf=day.isoformat())
    assert "errors" not in body, body
    for edge in body["data"]["events"]["edges"]:
        unit, sector = world.events[edge["node"]["sourceId"]]
        assert sees_unit(who, unit) and sees_sector(who, sector)
    assert_inside(who, body)


@for_every_principal
def test_alerts_are_exactly_those_of_the_units_and_sectors(
    client: TestClient, world: World, who: Who
) -> None:
    body = post(client, ALERTS, world.headers(who))
    assert "errors" not in body, body
    found = {edge["node"]["message"] for edge in body["data"]["alerts"]["edges"]}
    assert found == {
        f"{unit[0]}-{unit[1]}-{sector}"
        for unit, sector in world.alerts.values()
        if sees_unit(who, unit) and sees_sector(who, sector)
    }
    assert_inside(who, body)


AREAS = [
    ({"units": ["23281"]}, LEGACY_DAY, ("23281", "legacy")),  # merged into 23293 in 2025
    ({"units": ["23293"]}, LEGACY_DAY, ("23293", "legacy")),  # the old Phường Thắng Lợi
    ({"units": ["23293"]}, NEW_DAY, ("23293", "new")),
    ({"units": ["23341"]}, NEW_DAY, ("23341", "new")),
    ({"level": "COMMUNE", "within": "608"}, LEGACY_DAY, ("608", "legacy")),
    ({"level": "DISTRICT", "within": "62"}, LEGACY_DAY, ("62", "legacy")),
    ({"level": "COMMUNE", "within": "51"}, NEW_DAY, ("51", "new")),
    ({"level": "COMMUNE", "within": "01"}, NEW_DAY, ("01", "legacy")),
    ({"level": "PROVINCE"}, NEW_DAY, None),
]


@for_every_principal
@pytest.mark.parametrize(("area", "day", "unit"), AREAS, ids=[str(a[0]) for a in AREAS])
def test_aggregates_over_more_than_the_territory_are_refused_not_shrunk(
    client: TestClient,
    world: World,
    who: Who,
    area: dict[str, Any],
    day: Any,
    unit: UnitKey | None,
) -> None:
    start, end = ("2025-01", "2025-02") if day == LEGACY_DAY else ("2026-01", "2026-01")
    body = post(
        client,
        AGGREGATE,
        world.headers(who),
        metric="visits",
        asOf=day.isoformat(),
        **{"from": start, "to": end},
        **area,
    )
    territory = expected_territory(who)
    allowed = sees_sector(who, "health") and (
        territory is None or (unit is not None and unit in territory)
    )
    if not allowed:
        assert codes(body) == ["FORBIDDEN"], body
        return
    assert "errors" not in body, body
    assert body["data"]["aggregate"], "an allowed aggregate has values"
    assert_inside(who, body)


@for_every_principal
def test_an_indicator_of_another_sector_is_refused(
    client: TestClient, world: World, who: Who
) -> None:
    body = post(
        client,
        AGGREGATE,
        world.headers(who),
        metric="pupils",
        units=["23293"],
        asOf=NEW_DAY.isoformat(),
        **{"from": "2026-01", "to": "2026-01"},
    )
    if who.sectors and "education" not in who.sectors:
        assert codes(body) == ["FORBIDDEN"]
    elif sees_unit(who, ("23293", "new")):
        assert "errors" not in body, body
        assert_inside(who, body)


@for_every_principal
def test_metrics_and_indicators_are_those_of_the_sectors(
    client: TestClient, world: World, who: Who
) -> None:
    body = post(
        client, "{ metrics { code sector } indicators { code sector } }", world.headers(who)
    )
    assert "errors" not in body, body
    defined = {metric.sector for _, metric in world.hub.definitions.metrics.values()}
    sectors = {metric["sector"] for metric in body["data"]["metrics"]}
    assert sectors == {sector for sector in defined if sees_sector(who, sector)}
    for indicator in body["data"]["indicators"]:
        assert indicator["sector"] is None or sees_sector(who, indicator["sector"])


@for_every_principal
def test_connectors_and_quarantine_by_role_and_sector(
    client: TestClient, world: World, who: Who
) -> None:
    query = """{ connectors { id lastRun { connector { id } } }
                 quarantine { edges { node { connectorId } } } }"""
    body = post(client, query, world.headers(who))
    if who.role in ("unit_officer", "service"):
        assert set(codes(body)) == {"FORBIDDEN"} and body["data"] is None
        return
    assert "errors" not in body, body
    listed = {connector["id"] for connector in body["data"]["connectors"]}
    quarantined = {edge["node"]["connectorId"] for edge in body["data"]["quarantine"]["edges"]}
    # The test plugin defines health and education metrics and security incidents.
    if who.sectors and not set(who.sectors) & {"health", "education", "security"}:
        assert listed == set() and quarantined == set()
    else:
        assert listed == {"kontum-feedback", "kontum-traffic"}
        assert quarantined == {"kontum-feedback"}


REPORTS = [
    ("23281", "2025-03", ("23281", "legacy")),
    ("23293", "2025-03", ("23293", "legacy")),
    ("23341", "2025-03", ("23341", "legacy")),
    ("00004", "2025-03", ("00004", "legacy")),
    ("23293", "2026-03", ("23293", "new")),
    ("23368", "2026-03", ("23368", "new")),
    ("00097", "2026-03", ("00097", "new")),
]


@for_every_principal
def test_reports_are_read_inside_the_territory_only(
    client: TestClient, world: World, who: Who
) -> None:
    for code, period, unit in REPORTS:
        body = post(client, REPORT, world.headers(who), unit=code, period=period)
        if who.sectors or not sees_unit(who, unit):  # reports belong to no sector
            assert codes(body) == ["FORBIDDEN"], (code, period, body)
        else:
            assert "errors" not in body, body
            assert record_of(body["data"]["report"]["unit"]) == unit
            assert_inside(who, body)


def test_a_commune_officer_cannot_climb_to_its_neighbours(client: TestClient, world: World) -> None:
    officer = next(who for who in PRINCIPALS if who.label == "Phường Kon Tum officer")
    query = """query($code: ID!, $asOf: Date) { adminUnit(code: $code, asOf: $asOf) {
      code parent { code children { code } } predecessors { code parent { code children { code } } }
    } }"""
    today = post(client, query, world.headers(officer), code="23293", asOf=NEW_DAY.isoformat())
    assert today["data"]["adminUnit"]["parent"] is None  # Quảng Ngãi: above the territory
    before = today["data"]["adminUnit"]["predecessors"]
    assert {unit["code"] for unit in before} == {"23281", "23287", "23293"}
    assert all(unit["parent"] is None for unit in before)  # Thành phố Kon Tum (608): above it
    merged = post(client, query, world.headers(officer), code="23281", asOf=LEGACY_DAY.isoformat())
    assert (
        merged["data"]["adminUnit"]["code"] == "23281"
        and merged["data"]["adminUnit"]["parent"] is None
    )
    neighbour = post(
        client, query, world.headers(officer), code="23284", asOf=LEGACY_DAY.isoformat()
    )
    assert codes(neighbour) == ["FORBIDDEN"]  # Phường Duy Tân became Phường Đăk Cấm, not ours


COMPLIANCE = f"""query($within: ID!, $period: String!) {{
  reportingCompliance(template: "KTXH-XA-THANG", period: $period, within: $within) {{
    within {{ {NESTED} }} units {{ unit {{ {NESTED} }} }} }} }}"""
WITHINS = [
    ("62", "2025-03", ("62", "legacy")),
    ("608", "2025-03", ("608", "legacy")),
    ("51", "2026-03", ("51", "new")),
    ("23293", "2026-03", ("23293", "new")),
    ("01", "2026-03", ("01", "legacy")),
]
HISTORY = f"""query($within: ID!, $period: String!) {{
  reportingComplianceHistory(template: "KTXH-XA-THANG", until: $period, within: $within,
    count: 2) {{ within {{ {NESTED} }} units {{ unit {{ {NESTED} }} }} }} }}"""


@for_every_principal
def test_compliance_is_read_inside_the_territory_only(
    client: TestClient, world: World, who: Who
) -> None:
    for code, period, unit in WITHINS:
        body = post(client, COMPLIANCE, world.headers(who), within=code, period=period)
        if who.sectors or not sees_unit(who, unit):
            assert codes(body) == ["FORBIDDEN"], (code, period, body)
        else:
            assert "errors" not in body, body
            assert record_of(body["data"]["reportingCompliance"]["within"]) == unit
            assert_inside(who, body)
        history = post(client, HISTORY, world.headers(who), within=code, period=period)
        if who.sectors or not sees_unit(who, unit):
            assert codes(history) == ["FORBIDDEN"], (code, period, history)
        else:
            boards = history["data"]["reportingComplianceHistory"]
            assert [record_of(board["within"]) for board in boards] == [unit, unit]
            assert_inside(who, history)
