"""A GeoReport v2 request → a ``feedback.case`` event, or a bad record naming the request."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest
from iochub_plugins.feedback.cases import Case, CaseRules, read_case
from iochub_plugins.feedback.places import UnitFinder
from iochub_plugins.feedback.statuses import StatusMap

from hub.connectors.records import BadRecord, Event
from tests.plugins.feedback.conftest import KON_TUM_WARD, SERVICES, VN, at, request

RULES = CaseRules(
    StatusMap({"chờ bổ sung": "in_progress"}),
    UnitFinder("commune_code", {}, True),
    VN,
    history_limit=5,
    catalogue={s["service_code"]: s for s in SERVICES},
)


def event_of(entry: Any) -> Event:
    case = read_case(entry, RULES)
    assert isinstance(case, Case), case
    return case.event(RULES.history_limit)


def test_a_resolved_request_with_everything() -> None:
    event = event_of(
        request(
            "KT-1",
            at("2026-03-02", "09:30"),
            "resolved",
            updated_datetime=at("2026-03-05", "21:30"),
            expected_datetime=at("2026-03-09"),
            lat="14.35",
            long="108.01",
            address="12 Bà Triệu",
            status_notes="Đã vá",
            media_url="https://x/1.jpg",
        )
    )

    assert (event.kind, event.source_id, event.sector) == ("feedback.case", "KT-1", "feedback")
    assert event.occurred_at == datetime(2026, 3, 2, 9, 30, tzinfo=VN)
    assert (event.unit, event.status, event.lat, event.lon) == (
        KON_TUM_WARD,
        "resolved",
        14.35,
        108.01,
    )
    assert event.title == "Hư hỏng đường, cầu cống: Ổ gà trên đường"
    assert event.attributes == {
        "category": "DUONG_HU",
        "category_name": "Hư hỏng đường, cầu cống",
        "category_group": "Hạ tầng giao thông",
        "agency": "Sở Xây dựng",
        "source_status": "resolved",
        "requested_at": "2026-03-02T09:30:00+07:00",
        "updated_at": "2026-03-05T21:30:00+07:00",
        "deadline": "2026-03-09T08:00:00+07:00",
        "resolved_at": "2026-03-05T21:30:00+07:00",
        "days_to_resolve": 3.5,
        "on_time": True,
        "unit_found_by": "field",
        "status_history": [
            {"status": "received", "at": "2026-03-02T09:30:00+07:00"},
            {"status": "resolved", "source_status": "resolved", "at": "2026-03-05T21:30:00+07:00"},
        ],
        "description": "Ổ gà trên đường",
        "address": "12 Bà Triệu",
        "status_notes": "Đã vá",
        "media_url": "https://x/1.jpg",
    }


def test_a_case_closed_after_its_deadline_is_late() -> None:
    event = event_of(
        request(
            "KT-2",
            at("2026-03-02"),
            "closed",
            updated_datetime=at("2026-03-20"),
            expected_datetime=at("2026-03-09"),
        )
    )

    assert event.attributes["on_time"] is False
    assert event.attributes["days_to_resolve"] == 18.0


@pytest.mark.parametrize("status", ["open", "Acknowledged", "chờ bổ sung", "rejected"])
def test_an_unfinished_or_rejected_case_has_no_resolution(status: str) -> None:
    attributes = event_of(
        request("KT-3", at("2026-03-02"), status, expected_datetime=at("2026-03-09"))
    ).attributes

    assert {"resolved_at", "days_to_resolve", "on_time"} & set(attributes) == set()


def test_a_case_without_a_deadline_is_neither_on_time_nor_late() -> None:
    attributes = event_of(
        request("KT-4", at("2026-03-02"), "closed", updated_datetime=at("2026-03-03"))
    ).attributes

    assert "on_time" not in attributes and attributes["days_to_resolve"] == 1.0


def test_the_category_name_comes_from_the_service_list_when_the_request_has_none() -> None:
    entry = request("KT-5", at("2026-03-02"), service_code="RAC_THAI", service_name=None)

    assert event_of(entry).attributes["category_name"] == "Thu gom rác thải"


def test_a_request_without_a_unit_keeps_its_point_for_the_hub() -> None:
    event = event_of(request("KT-6", at("2026-03-02"), commune_code=None, lat=14.3, long=108.0))

    assert (event.unit, event.lat, event.lon) == (None, 14.3, 108.0)
    assert "unit_found_by" not in event.attributes


def test_a_blank_point_is_no_point() -> None:
    assert event_of(request("KT-7", at("2026-03-02"), lat="0", long="0")).lat is None


@pytest.mark.parametrize(
    ("fields", "reason"),
    [
        ({"requested_datetime": None}, "request KT-9: no requested_datetime"),
        (
            {"requested_datetime": "yesterday"},
            "request KT-9: requested_datetime: 'yesterday' is not a date and time",
        ),
        (
            {"expected_datetime": "soon"},
            "request KT-9: expected_datetime: 'soon' is not a date and time",
        ),
        ({"status": "on hold"}, "request KT-9: status 'on hold' is not in the status mapping"),
        ({"status": None}, "request KT-9: no status"),
        ({"lat": "north", "long": "1"}, "request KT-9: lat/long 'north', '1' are not numbers"),
        ({"lat": "14.3"}, "request KT-9: lat/long '14.3', None are not numbers"),
    ],
)
def test_a_bad_request_is_a_bad_record_naming_it(fields: dict[str, Any], reason: str) -> None:
    entry = {**request("KT-9", at("2026-03-02")), **fields}

    bad = read_case(entry, RULES)

    assert isinstance(bad, BadRecord)
    assert bad.reason.startswith(reason)
    assert (bad.payload, bad.place) == (entry, "request KT-9")


def test_a_request_without_an_id_or_not_an_object_is_a_bad_record() -> None:
    assert read_case({"status": "open"}, RULES) == BadRecord(
        "a request without service_request_id", {"status": "open"}, "requests"
    )
    assert read_case("KT-10", RULES) == BadRecord(
        "a request that is not an object", "KT-10", "requests"
    )


def test_a_long_description_makes_a_short_title() -> None:
    title = event_of(request("KT-11", at("2026-03-02"), description="x " * 200)).title

    assert title is not None and len(title) <= 120 and title.endswith("x…")
