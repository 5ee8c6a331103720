"""Events: newest first, in pages that visit each event once; filters; cursors."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from litestar.testing import TestClient

from hub.core import Hub
from tests.graphql.conftest import Seed, add_event, data, error_codes, graphql, local

PAGE = """query($first: Int, $after: String) {
  events(first: $first, after: $after) {
    edges { cursor node { sourceId occurredAt } }
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
  } }"""

FILTERED = """query($sector: String, $kind: String, $status: String, $within: ID, $asOf: Date,
                    $from: DateTime, $to: DateTime, $minSeverity: Int) {
  events(sector: $sector, kind: $kind, status: $status, within: $within, asOf: $asOf,
         from: $from, to: $to, minSeverity: $minSeverity) {
    edges { node { sourceId } } } }"""


def source_ids(result: dict) -> list[str]:
    return [edge["node"]["sourceId"] for edge in result["events"]["edges"]]


@pytest.fixture
def many(hub: Hub, seed: Seed) -> list[str]:
    """23 events, several sharing a moment; their source ids, newest first."""
    start = datetime(2026, 1, 1, tzinfo=UTC)
    added = []
    for number in range(23):
        moment = start + timedelta(hours=number // 3)  # three events per moment
        row_id = add_event(hub, seed, f"e{number:02d}", moment, ("23293", "new"))
        added.append((moment, row_id, f"e{number:02d}"))
    return [source_id for *_, source_id in sorted(added, reverse=True)]


def test_pages_visit_every_event_once_newest_first(client: TestClient, many: list[str]) -> None:
    seen: list[str] = []
    after = None
    pages = 0
    while True:
        page = data(client, PAGE, first=4, after=after)["events"]
        seen += [edge["node"]["sourceId"] for edge in page["edges"]]
        pages += 1
        assert page["pageInfo"]["hasPreviousPage"] == (after is not None)
        assert page["pageInfo"]["endCursor"] == page["edges"][-1]["cursor"]
        assert page["pageInfo"]["startCursor"] == page["edges"][0]["cursor"]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert seen == many
    assert pages == 6


def test_an_event_added_meanwhile_neither_shifts_nor_repeats_a_page(
    client: TestClient, hub: Hub, seed: Seed, many: list[str]
) -> None:
    first = data(client, PAGE, first=5)["events"]
    add_event(hub, seed, "newest", datetime(2027, 1, 1, tzinfo=UTC), None)
    second = data(client, PAGE, first=5, after=first["pageInfo"]["endCursor"])["events"]
    assert [e["node"]["sourceId"] for e in first["edges"] + second["edges"]] == many[:10]


def test_first_zero_and_an_empty_listing(client: TestClient, many: list[str]) -> None:
    empty_page = data(client, PAGE, first=0)["events"]
    assert empty_page == {
        "edges": [],
        "pageInfo": {
            "hasNextPage": True,
            "hasPreviousPage": False,
            "startCursor": None,
            "endCursor": None,
        },
    }
    everything = data(client, PAGE, first=50)["events"]
    last = data(client, PAGE, after=everything["pageInfo"]["endCursor"])["events"]
    assert last["edges"] == [] and last["pageInfo"]["hasNextPage"] is False


def test_the_default_page_is_50(client: TestClient, hub: Hub, seed: Seed) -> None:
    for number in range(51):
        add_event(hub, seed, f"x{number}", datetime(2026, 1, 1, tzinfo=UTC), None)
    page = data(client, PAGE)["events"]
    assert len(page["edges"]) == 50 and page["pageInfo"]["hasNextPage"] is True


@pytest.mark.parametrize("first", [-1, 501])
def test_a_page_size_out_of_range_is_bad_user_input(client: TestClient, first: int) -> None:
    body = graphql(client, PAGE, first=first)
    assert error_codes(body) == ["BAD_USER_INPUT"]
    assert "first" in body["errors"][0]["message"]


@pytest.mark.parametrize("cursor", ["garbage", "WyJldmVudCJd", "WyJxdWFyYW50aW5lIiw1XQ==", ""])
def test_a_malformed_cursor_is_bad_user_input(client: TestClient, cursor: str) -> None:
    body = graphql(client, PAGE, after=cursor)
    assert error_codes(body) == ["BAD_USER_INPUT"]
    assert "cursor" in body["errors"][0]["message"]


@pytest.fixture
def varied(hub: Hub, seed: Seed) -> None:
    add_event(
        hub,
        seed,
        "old-thang-loi",
        local(2025, 3, 10, 8),
        ("23293", "legacy"),
        sector="traffic",
        kind="traffic.accident",
        severity=3,
    )
    add_event(
        hub,
        seed,
        "old-quang-trung",
        local(2025, 5, 1),
        ("23281", "legacy"),
        severity=1,
        status="closed",
    )
    add_event(
        hub,
        seed,
        "new-kon-tum",
        local(2025, 8, 1),
        ("23293", "new"),
        sector="security",
        kind="security.alert",
        severity=5,
    )
    add_event(hub, seed, "old-dak-glei", local(2025, 2, 2), ("23341", "legacy"), severity=2)
    add_event(hub, seed, "new-dak-pek", local(2025, 9, 9), ("23341", "new"))
    add_event(hub, seed, "hanoi", local(2025, 4, 4), ("00004", "legacy"))
    add_event(hub, seed, "nowhere", local(2025, 1, 1), None)


@pytest.mark.usefixtures("varied")
@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        (
            {},
            [
                "new-dak-pek",
                "new-kon-tum",
                "old-quang-trung",
                "hanoi",
                "old-thang-loi",
                "old-dak-glei",
                "nowhere",
            ],
        ),
        ({"sector": "traffic"}, ["old-thang-loi"]),
        ({"kind": "security.alert"}, ["new-kon-tum"]),
        ({"status": "closed"}, ["old-quang-trung"]),
        ({"minSeverity": 3}, ["new-kon-tum", "old-thang-loi"]),
        # `from` is inclusive, `to` exclusive, and a time without a zone is Vietnam's.
        ({"from": "2025-05-01T00:00:00", "to": "2025-08-01T00:00:00+07:00"}, ["old-quang-trung"]),
        (
            {"from": "2025-03-10T01:00:00Z", "to": "2025-05-01T00:00:00+07:00"},
            ["hanoi", "old-thang-loi"],
        ),
        # today's Phường Kon Tum covers the wards that merged into it
        ({"within": "23293"}, ["new-kon-tum", "old-quang-trung", "old-thang-loi"]),
        ({"within": "23293", "asOf": "2025-01-01"}, ["old-thang-loi"]),
        (
            {"within": "62", "asOf": "2025-01-01"},
            ["old-quang-trung", "old-thang-loi", "old-dak-glei"],
        ),
        (
            {"within": "51"},
            ["new-dak-pek", "new-kon-tum", "old-quang-trung", "old-thang-loi", "old-dak-glei"],
        ),
        ({"within": "01", "sector": "feedback"}, ["hanoi"]),
        ({"within": "608", "asOf": "2025-06-30", "minSeverity": 2}, ["old-thang-loi"]),
    ],
)
def test_filters(client: TestClient, filters: dict, expected: list[str]) -> None:
    assert source_ids(data(client, FILTERED, **filters)) == expected


@pytest.mark.usefixtures("varied")
def test_within_an_unknown_unit_is_bad_user_input(client: TestClient) -> None:
    assert error_codes(graphql(client, FILTERED, within="62")) == ["BAD_USER_INPUT"]


@pytest.mark.usefixtures("varied")
def test_an_event_and_its_unit_as_it_was_that_day(client: TestClient) -> None:
    query = """{ events(sector: "traffic") { edges { node {
        id sector kind title status severity occurredAt lat lon attributes source sourceId
        unit { code name parent { code } }
    } } } }"""
    (edge,) = data(client, query)["events"]["edges"]
    node = edge["node"]
    assert node["occurredAt"] == "2025-03-10T01:00:00+00:00"
    assert node["unit"] == {"code": "23293", "name": "Phường Thắng Lợi", "parent": {"code": "608"}}
    assert node["attributes"] == {"id": "old-thang-loi"}
    assert (node["kind"], node["severity"], node["source"]) == ("traffic.accident", 3, "seed")
    assert int(node["id"]) > 0
