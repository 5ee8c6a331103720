"""The ``open311`` connector through the hub's runtime (``iochub sync``), on SQLite and
PostgreSQL, against a portal on a real socket: the cases stored, the metrics the hub counts
from them (checked against a count made here from the portal's own data), changes between
syncs, faults, bad documents and bad requests."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any

import pytest

from hub.connectors.runtime import run_sync
from hub.core import Hub
from hub.model import ConnectorState, RunStatus
from hub.testing.acceptance import snapshot
from tests.plugins.feedback.conftest import (
    DAK_HA,
    KON_TUM_WARD,
    SA_THAY,
    VN,
    WARD_CENTRE,
    Clock,
    at,
    counts,
    event_units,
    local_day,
    observations,
    quarantined,
    request,
    stored_events,
    table,
)
from tests.plugins.feedback.portal_server import Open311Portal, RedirectingPortal
from tests.support.http_server import Reply

SOURCE = "portal"
DONE = {"resolved", "closed"}
TRASH = {
    "service_code": "RAC_THAI",
    "service_name": "Thu gom rác thải",
    "agency_responsible": "Công ty CP Môi trường đô thị Kon Tum",
}


def cases() -> list[dict[str, Any]]:
    """Twelve cases of Oct 2025 – Mar 2026 in three communes: open, late, on time, rejected;
    placed by code, by address, or by their point only."""
    return [
        request(
            "KT-01",
            at("2025-10-03", "09:00"),
            "closed",
            updated_datetime=at("2025-10-06"),
            expected_datetime=at("2025-10-18"),
        ),
        request(
            "KT-02",
            at("2025-10-03", "23:30"),
            "resolved",
            **TRASH,
            updated_datetime=at("2025-10-20"),
            expected_datetime=at("2025-10-08"),
        ),
        request(
            "KT-03",
            at("2025-11-11"),
            "rejected",
            commune_code=DAK_HA,
            updated_datetime=at("2025-11-12"),
        ),
        request(
            "KT-04",
            at("2025-12-01"),
            "Đã xử lý",
            commune_code=None,
            address="Thôn 2, Xã Sa Thầy",
            updated_datetime=at("2025-12-09", "18:00"),
        ),
        request(
            "KT-05",
            at("2025-12-30"),
            "in progress",
            commune_code=SA_THAY,
            updated_datetime=at("2026-01-02"),
            expected_datetime=at("2026-01-14"),
        ),
        request(
            "KT-06",
            at("2026-01-15"),
            "closed",
            **TRASH,
            commune_code=DAK_HA,
            updated_datetime=at("2026-01-16"),
            expected_datetime=at("2026-01-20"),
        ),
        request(
            "KT-07",
            at("2026-02-02"),
            "open",
            commune_code=None,
            lat=WARD_CENTRE[0],
            long=WARD_CENTRE[1],
            expected_datetime=at("2026-02-17"),
        ),
        request(
            "KT-08",
            at("2026-02-20"),
            "acknowledged",
            updated_datetime=at("2026-02-21"),
            expected_datetime=at("2026-03-20"),
        ),
        request(
            "KT-09",
            at("2026-03-01"),
            "resolved",
            commune_code=DAK_HA,
            updated_datetime=at("2026-03-04"),
            expected_datetime=at("2026-03-05"),
        ),
        request("KT-10", at("2026-03-05"), "open", **TRASH, expected_datetime=at("2026-03-10")),
        request("KT-11", at("2026-03-10"), "duplicate", updated_datetime=at("2026-03-10", "10:00")),
        request("KT-12", at("2026-03-14", "22:00"), "open", expected_datetime=at("2026-03-24")),
    ]


PLACES = {"KT-04": SA_THAY, "KT-07": KON_TUM_WARD}
"""Where the cases without a commune code are (by their address, by their point)."""


def expected_metrics(portal_cases: Iterable[dict[str, Any]]) -> Counter[tuple[str, ...]]:
    """The daily metrics, counted here from the portal's cases (not from the hub's events)."""
    values: Counter[tuple[str, ...]] = Counter()
    for case in portal_cases:
        unit = case.get("commune_code") or PLACES[case["service_request_id"]]
        dims = f"agency={case['agency_responsible']}|category={case['service_code']}"
        values["feedback_cases_received", unit, local_day(case["requested_datetime"]), dims] += 1
        if case["status"].casefold() not in DONE | {"đã xử lý"}:
            continue
        resolved = case["updated_datetime"]
        day = local_day(resolved)
        values["feedback_cases_resolved", unit, day, dims] += 1
        taken = datetime.fromisoformat(resolved) - datetime.fromisoformat(
            case["requested_datetime"]
        )
        values["feedback_days_to_resolve", unit, day, dims] += round(
            taken.days + taken.seconds / 86400, 2
        )
        if case.get("expected_datetime"):
            on_time = resolved <= case["expected_datetime"]  # one offset: text order is time order
            metric = f"feedback_cases_resolved_{'on_time' if on_time else 'late'}"
            values[metric, unit, day, dims] += 1
    return values


def flows(hub: Hub) -> Counter[tuple[str, ...]]:
    """The stored daily metrics counted from events (all but the overdue snapshot)."""
    return Counter(
        {
            key: value
            for key, value in observations(hub, SOURCE).items()
            if key[0] != "feedback_cases_overdue" and value
        }
    )


@pytest.fixture
def portal_hub(
    feedback_hub: Callable[..., Hub], portal: Open311Portal, clock: Clock
) -> Callable[..., Hub]:
    def build(**options: Any) -> Hub:
        for case in cases():
            portal.put(case)
        return feedback_hub({SOURCE: table(portal, **options)})

    return build


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_a_first_sync_stores_every_case_and_the_hub_counts_them(
    portal_hub: Callable[..., Hub], fmt: str
) -> None:
    hub = portal_hub(format=fmt)

    run = run_sync(hub, SOURCE)

    assert (run.status, run.error, run.records_quarantined) == (RunStatus.SUCCEEDED, None, 0)
    events = stored_events(hub, SOURCE)
    assert sorted(events) == [f"KT-{n:02d}" for n in range(1, 13)]
    assert event_units(hub, SOURCE) == {
        case["service_request_id"]: case.get("commune_code") or PLACES[case["service_request_id"]]
        for case in cases()
    }
    assert events["KT-07"].attributes["unit_approximate"] is True  # placed by its point
    assert events["KT-04"].attributes["unit_found_by"] == "address"
    assert events["KT-04"].status == "resolved" and events["KT-11"].status == "rejected"
    assert flows(hub) == expected_metrics(cases())


def test_the_overdue_snapshot_of_the_day(portal_hub: Callable[..., Hub]) -> None:
    hub = portal_hub()

    run_sync(hub, SOURCE)

    overdue = counts(observations(hub, SOURCE), "feedback_cases_overdue")
    road = "agency=Sở Xây dựng|category=DUONG_HU"
    trash = "agency=Công ty CP Môi trường đô thị Kon Tum|category=RAC_THAI"
    # KT-05 (Sa Thầy) and KT-10 (a ward's waste) are open past their deadline; KT-07 is too,
    # but placed only by its point, which the connector cannot turn into a commune.
    assert {key: value for key, value in overdue.items() if value} == {
        (SA_THAY, "2026-03-15", road): 1,
        (KON_TUM_WARD, "2026-03-15", trash): 1,
    }
    assert overdue[DAK_HA, "2026-03-15", road] == 0  # a combination with cases, none overdue


def test_changes_between_syncs_are_read_and_move_the_counts(
    portal_hub: Callable[..., Hub], portal: Open311Portal, clock: Clock
) -> None:
    hub = portal_hub()
    run_sync(hub, SOURCE)
    clock.advance(days=2)
    portal.change("KT-05", status="closed", updated_datetime=at("2026-03-16", "15:00"))
    portal.change("KT-09", status="reopened", updated_datetime=at("2026-03-16"))  # reopened
    portal.put(request("KT-13", at("2026-03-16", "20:00"), "open", commune_code=SA_THAY))
    # a request the portal got late, filed before the last sync's cursor
    portal.put(
        request(
            "KT-14", at("2026-03-15", "09:59"), "open", updated_datetime=at("2026-03-15", "11:00")
        )
    )

    run = run_sync(hub, SOURCE)

    assert run.status == RunStatus.SUCCEEDED
    assert run.records_read - snapshot_rows(hub, clock) == 4  # the changed and new cases only
    events = stored_events(hub, SOURCE)
    assert (events["KT-05"].status, events["KT-09"].status) == ("closed", "in_progress")
    assert {"KT-13", "KT-14"} <= set(events)
    assert flows(hub) == expected_metrics(portal.stored.values())
    assert not any(
        key[0] == "feedback_cases_resolved" and key[2] == "2026-03-04" for key in flows(hub)
    )  # the reopened case no longer counts as resolved


def test_a_change_stamped_just_before_the_last_sync_began_is_still_read(
    portal_hub: Callable[..., Hub], portal: Open311Portal, clock: Clock
) -> None:
    """The portal's clock runs 5 minutes behind the hub's: the overlap margin covers it."""
    hub = portal_hub()
    run_sync(hub, SOURCE)
    clock.advance(hours=1)
    portal.change("KT-08", status="resolved", updated_datetime=at("2026-03-15", "09:55"))

    run_sync(hub, SOURCE)

    assert stored_events(hub, SOURCE)["KT-08"].status == "resolved"


def test_an_unchanged_portal_gives_no_case_to_write(
    portal_hub: Callable[..., Hub], clock: Clock
) -> None:
    hub = portal_hub()
    run_sync(hub, SOURCE)
    before = stored_events(hub, SOURCE)
    clock.advance(hours=1)

    run = run_sync(hub, SOURCE)

    assert run.records_read == snapshot_rows(hub, clock)  # the day's overdue snapshot, nothing else
    after = stored_events(hub, SOURCE)
    assert {k: e.sync_run_id for k, e in after.items()} == {
        k: e.sync_run_id for k, e in before.items()
    }


def test_a_server_error_is_retried_and_nothing_is_lost_or_doubled(
    portal_hub: Callable[..., Hub], portal: Open311Portal
) -> None:
    hub = portal_hub()
    portal.fail_next(
        "requests",
        Reply(500),
        Reply(503, headers={"Retry-After": "0"}),
        when=lambda params: params["page"] == "2",
    )

    run = run_sync(hub, SOURCE)

    assert (run.status, run.attempts) == (RunStatus.SUCCEEDED, 3)
    assert len(stored_events(hub, SOURCE)) == 12
    assert flows(hub) == expected_metrics(cases())


def test_a_fault_after_a_checkpoint_resumes_there_and_still_makes_the_snapshot(
    portal_hub: Callable[..., Hub], portal: Open311Portal, clock: Clock
) -> None:
    hub = portal_hub()
    portal.fail_next("requests", Reply(502), when=lambda params: params["start_date"] > "2025-12")

    run = run_sync(hub, SOURCE)

    assert (run.status, run.attempts) == (RunStatus.SUCCEEDED, 2)
    first_window = [p for p in portal.request_calls() if p["start_date"] < "2025-12"]
    assert [p["page"] for p in first_window] == ["1", "2", "3"]  # read once, not again
    overdue = counts(observations(hub, SOURCE), "feedback_cases_overdue")
    assert sum(overdue.values()) == 2 and len(overdue) == snapshot_rows(hub, clock) > 0


def test_a_malformed_document_is_quarantined_and_the_run_goes_on(
    portal_hub: Callable[..., Hub], portal: Open311Portal
) -> None:
    hub = portal_hub(format="xml")
    portal.fail_next(
        "requests",
        Reply(200, b"<service_requests><request><service_"),
        when=lambda params: params["page"] == "1",
    )

    run = run_sync(hub, SOURCE)

    assert run.status == RunStatus.PARTIAL and run.records_quarantined == 1
    [reason] = quarantined(hub)
    assert reason.startswith("requests.xml?start_date=2025-10-01T00:00:00+07:00&end_date=")
    assert "page=1: not well-formed XML" in reason
    first_page = {"KT-01", "KT-02", "KT-03"}  # the portal pages by 3
    assert set(stored_events(hub, SOURCE)) == {f"KT-{n:02d}" for n in range(1, 13)} - first_page


def test_a_portal_paging_past_its_end_is_read_once(
    feedback_hub: Callable[..., Hub], clock: Clock
) -> None:
    with Open311Portal(requests=cases(), page_size=2, past_end="repeat") as portal:
        hub = feedback_hub({SOURCE: table(portal)})

        run = run_sync(hub, SOURCE)

    assert run.status == RunStatus.SUCCEEDED
    assert run.records_read - snapshot_rows(hub, clock) == 12
    assert flows(hub) == expected_metrics(cases())


def test_a_page_redirected_to_a_maintenance_page_is_quarantined_once_and_the_pass_goes_on(
    feedback_hub: Callable[..., Hub], clock: Clock
) -> None:
    with RedirectingPortal(requests=cases(), page_size=2, redirected_page=2) as portal:
        hub = feedback_hub({SOURCE: table(portal)})

        run = run_sync(hub, SOURCE)

        asked = [(p["start_date"], p["end_date"], p["page"]) for p in portal.request_calls()]
    assert (run.status, run.attempts, run.records_duplicate) == (RunStatus.PARTIAL, 1, 0)
    assert len(asked) == len(set(asked))  # no page asked twice
    second_pages = [(start, end) for start, end, page in asked if page == "2"]
    assert quarantined(hub) == [
        f"requests.json?start_date={start}&end_date={end}&page=2: not JSON: "
        "Expecting value: line 1 column 1 (char 0)"
        for start, end in second_pages
    ]
    lost = {case for start, end in second_pages for case in page_of(cases(), start, end, 2, 2)}
    assert set(stored_events(hub, SOURCE)) == {c["service_request_id"] for c in cases()} - lost
    with hub.db.session() as session:
        state = session.get(ConnectorState, SOURCE)
        assert state is not None and set(state.state) == {"read", "changed"}  # the pass ended


def page_of(entries: list[dict[str, Any]], start: str, end: str, page: int, size: int) -> list[str]:
    """The ids the test portal answers on a page of a window (both ends included)."""
    low, high = datetime.fromisoformat(start), datetime.fromisoformat(end)
    found = sorted(
        (e for e in entries if low <= datetime.fromisoformat(e["requested_datetime"]) <= high),
        key=lambda e: (e["requested_datetime"], e["service_request_id"]),
    )
    return [e["service_request_id"] for e in found[(page - 1) * size : page * size]]


def test_bad_requests_are_quarantined_by_id_and_the_others_stored(
    portal_hub: Callable[..., Hub], portal: Open311Portal
) -> None:
    hub = portal_hub()
    portal.put(
        {**request("KT-20", at("2026-01-05")), "requested_datetime": "", "updated_datetime": None}
    )
    portal.put(request("KT-21", at("2026-01-06"), "on hold"))
    portal.put(request("KT-22", at("2026-01-07"), commune_code="99999"))

    run = run_sync(hub, SOURCE)

    assert run.status == RunStatus.PARTIAL
    assert quarantined(hub) == [
        "request KT-21: status 'on hold' is not in the status mapping (add it to the "
        "connector's statuses)",
        "unknown unit '99999' on 2026-01-07",  # the hub's own check, of the case ...
        "unknown unit '99999' on 2026-03-15",  # ... and of its place in the overdue snapshot
    ]
    assert len(stored_events(hub, SOURCE)) == 12


def test_a_request_without_requested_datetime_is_quarantined_naming_it(
    portal_hub: Callable[..., Hub], portal: Open311Portal
) -> None:
    """A portal that lists such a request whatever the dates asked."""
    hub = portal_hub()
    undated = {**request("KT-30", at("2026-01-05")), "requested_datetime": None}
    portal.fail_next(
        "requests",
        Reply(200, json.dumps([undated]).encode()),
        when=lambda params: params["page"] == "2",
    )

    run = run_sync(hub, SOURCE)

    assert run.status == RunStatus.PARTIAL
    assert quarantined(hub) == ["request KT-30: no requested_datetime"]


def test_a_full_sync_reads_everything_again_without_doubling(
    portal_hub: Callable[..., Hub], clock: Clock
) -> None:
    hub = portal_hub()
    run_sync(hub, SOURCE)
    before = snapshot(hub, SOURCE)
    clock.advance(hours=1)

    run = run_sync(hub, SOURCE, full=True)

    assert run.records_read - snapshot_rows(hub, clock) == 12
    assert snapshot(hub, SOURCE) == before  # the same rows, the same values
    assert flows(hub) == expected_metrics(cases())


def snapshot_rows(hub: Hub, clock: Clock) -> int:
    """The overdue observations of the clock's day: each sync writes them (again)."""
    day = clock.now.astimezone(VN).date().isoformat()
    overdue = counts(observations(hub, SOURCE), "feedback_cases_overdue")
    return sum(1 for _, period, _ in overdue if period == day)
