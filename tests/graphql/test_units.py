"""Administrative units: asOf picks the record valid that day; the hierarchy moves with it."""

from __future__ import annotations

from unittest.mock import patch

from litestar.testing import TestClient

from tests.graphql.conftest import data, error_codes, graphql

UNIT = """query($code: ID!, $asOf: Date) {
    adminUnit(code: $code, asOf: $asOf) { code name validFrom validTo } }"""


def codes(units: list[dict]) -> list[str]:
    return [unit["code"] for unit in units]


def test_a_code_and_a_day_pick_the_record_valid_that_day(client: TestClient) -> None:
    before = data(client, UNIT, code="23293", asOf="2025-06-30")["adminUnit"]
    after = data(client, UNIT, code="23293", asOf="2025-07-01")["adminUnit"]
    assert before == {
        "code": "23293",
        "name": "Phường Thắng Lợi",
        "validFrom": None,
        "validTo": "2025-06-30",
    }
    assert after == {
        "code": "23293",
        "name": "Phường Kon Tum",
        "validFrom": "2025-07-01",
        "validTo": None,
    }


def test_a_code_not_valid_that_day_is_null(client: TestClient) -> None:
    assert data(client, UNIT, code="62", asOf="2025-07-01")["adminUnit"] is None
    assert data(client, UNIT, code="99999")["adminUnit"] is None


def test_the_default_day_is_today_in_vietnam(client: TestClient) -> None:
    assert data(client, UNIT, code="23293")["adminUnit"]["name"] == "Phường Kon Tum"
    assert data(client, UNIT, code="62")["adminUnit"] is None


def test_today_is_vietnams_date_not_utcs() -> None:
    from datetime import UTC, datetime

    from hub.graphql import context

    # 30 June 2025, 18:00 UTC is already 1 July 01:00 in Vietnam.
    class Clock(datetime):
        @classmethod
        def now(cls, tz=None):  # type: ignore[no-untyped-def, override]
            return datetime(2025, 6, 30, 18, 0, tzinfo=UTC).astimezone(tz)

    with patch.object(context, "datetime", Clock):
        assert context.today().isoformat() == "2025-07-01"


def test_admin_units_of_a_level_within_a_unit(client: TestClient) -> None:
    query = """query($level: AdminLevel, $within: ID, $asOf: Date) {
        adminUnits(level: $level, within: $within, asOf: $asOf) { code level } }"""
    districts = data(client, query, level="DISTRICT", within="62", asOf="2025-01-01")
    assert districts["adminUnits"] == [
        {"code": "608", "level": "DISTRICT"},
        {"code": "610", "level": "DISTRICT"},
    ]
    communes = data(client, query, level="COMMUNE", within="62", asOf="2025-01-01")
    assert codes(communes["adminUnits"]) == [
        "23281",
        "23284",
        "23287",
        "23293",
        "23311",
        "23341",
        "23353",
        "23368",
    ]
    everything_below = data(client, query, within="608", asOf="2025-01-01")
    assert codes(everything_below["adminUnits"]) == ["23281", "23284", "23287", "23293", "23311"]
    today = data(client, query, level="COMMUNE", within="51")
    assert codes(today["adminUnits"]) == ["23284", "23293", "23341", "23368"]


def test_admin_units_of_a_day_without_within(client: TestClient) -> None:
    query = "query($asOf: Date) { adminUnits(level: PROVINCE, asOf: $asOf) { code name } }"
    assert codes(data(client, query, asOf="2025-06-30")["adminUnits"]) == ["01", "51", "62"]
    assert codes(data(client, query, asOf="2025-07-01")["adminUnits"]) == ["01", "51"]


def test_within_a_unit_that_did_not_exist_that_day_is_bad_user_input(client: TestClient) -> None:
    body = graphql(client, '{ adminUnits(within: "62") { code } }')
    assert error_codes(body) == ["BAD_USER_INPUT"]
    assert "62" in body["errors"][0]["message"]


def test_children_differ_before_and_after_the_reform(client: TestClient) -> None:
    query = """{ adminUnit(code: "01", asOf: "2025-01-01") {
        before: children(asOf: "2025-06-30") { code level }
        after: children(asOf: "2025-07-01") { code level }
        asked: children { code } } }"""
    unit = data(client, query)["adminUnit"]
    assert unit["before"] == [{"code": "001", "level": "DISTRICT"}]
    assert unit["after"] == [
        {"code": "00004", "level": "COMMUNE"},
        {"code": "00097", "level": "COMMUNE"},
    ]
    assert codes(unit["asked"]) == ["001"]  # by default, the day the unit was asked for


def test_nested_fields_read_the_hierarchy_on_the_day_asked(client: TestClient) -> None:
    query = """query($asOf: Date) { adminUnits(level: PROVINCE, asOf: $asOf) {
        code children { code parent { code } } } }"""
    before = {u["code"]: u for u in data(client, query, asOf="2025-01-01")["adminUnits"]}
    assert codes(before["62"]["children"]) == ["608", "610"]
    assert codes(before["51"]["children"]) == []
    assert before["01"]["children"] == [{"code": "001", "parent": {"code": "01"}}]
    after = {u["code"]: u for u in data(client, query, asOf="2025-08-01")["adminUnits"]}
    assert codes(after["51"]["children"]) == ["23284", "23293", "23341", "23368"]


def test_parent_is_null_when_it_was_not_valid_on_the_day(client: TestClient) -> None:
    query = """{ adminUnit(code: "23293", asOf: "2025-01-01") {
        parent { code name parent { code } } later: parent(asOf: "2025-07-01") { code } } }"""
    unit = data(client, query)["adminUnit"]
    assert unit["parent"] == {"code": "608", "name": "Thành phố Kon Tum", "parent": {"code": "62"}}
    assert unit["later"] is None


def test_successors_and_predecessors(client: TestClient) -> None:
    query = """{
      old: adminUnit(code: "23293", asOf: "2025-01-01") { successors { code name validFrom } }
      new: adminUnit(code: "23293") { predecessors { name validTo successors { name } } }
      province: adminUnit(code: "62", asOf: "2025-01-01") { successors { code name } }
    }"""
    result = data(client, query)
    assert result["old"]["successors"] == [
        {"code": "23293", "name": "Phường Kon Tum", "validFrom": "2025-07-01"}
    ]
    predecessors = result["new"]["predecessors"]
    assert [p["name"] for p in predecessors] == [
        "Phường Quang Trung",
        "Phường Quyết Thắng",
        "Phường Thắng Lợi",
    ]
    assert {p["validTo"] for p in predecessors} == {"2025-06-30"}
    assert all(p["successors"] == [{"name": "Phường Kon Tum"}] for p in predecessors)
    assert result["province"]["successors"] == [{"code": "51", "name": "Tỉnh Quảng Ngãi"}]


def test_a_predecessors_children_default_to_its_last_day(client: TestClient) -> None:
    query = """{ adminUnit(code: "51") { predecessors { code validTo children { code } } } }"""
    predecessors = data(client, query)["adminUnit"]["predecessors"]
    kontum = next(p for p in predecessors if p["code"] == "62")
    assert codes(kontum["children"]) == ["608", "610"]


def test_a_malformed_date_is_bad_user_input(client: TestClient) -> None:
    body = graphql(client, UNIT, code="23293", asOf="2025-13-45")
    assert error_codes(body) == ["BAD_USER_INPUT"]
