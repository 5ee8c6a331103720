"""The ``open311`` connector on its own, against a portal on a real socket: the windows and
pages it asks for, how it stops paging, what it does with bad documents and faults."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from itertools import islice, pairwise
from pathlib import Path
from typing import Any

import pytest
from iochub_plugins.feedback.timestamps import parse_timestamp

from hub.connectors.errors import PermanentSourceError, TransientSourceError
from hub.connectors.records import BadRecord, Checkpoint, Event, Observation
from tests.plugins.feedback.conftest import NOW, VN, Clock, at, make_connector, request, utc
from tests.plugins.feedback.portal_server import Open311Portal, RedirectingPortal
from tests.support.http_server import Reply

SINCE = datetime(2025, 10, 1, tzinfo=VN)
DAYS = [f"2025-10-{d:02d}" for d in (1, 5, 20)] + [
    "2025-12-29",
    "2025-12-30",
    "2026-01-15",
    "2026-03-01",
    "2026-03-14",
]


def requests_on(days: list[str]) -> list[dict[str, Any]]:
    return [request(f"R{n}", at(day)) for n, day in enumerate(days, 1)]


def read(portal: Open311Portal, state: dict[str, Any] | None = None, **options: Any) -> list[Any]:
    table = {"location": portal.base_url, "since": "2025-10-01", "unit_field": "commune_code"}
    connector = make_connector(**{**table, **options})
    return list(connector.read(state or {}, full=False))


def ids(items: list[Any]) -> list[str]:
    return [item.source_id for item in items if isinstance(item, Event)]


def windows_asked(portal: Open311Portal) -> list[tuple[datetime, datetime]]:
    asked = {(p["start_date"], p["end_date"]) for p in portal.request_calls()}
    return sorted((parse_timestamp(s, VN), parse_timestamp(e, VN)) for s, e in asked)


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_a_first_read_walks_windows_of_90_days_from_since_to_now(
    portal: Open311Portal, clock: Clock, fmt: str
) -> None:
    for entry in requests_on(DAYS):
        portal.put(entry)

    items = read(portal, format=fmt)

    assert sorted(ids(items)) == sorted(f"R{n}" for n in range(1, len(DAYS) + 1))
    asked = windows_asked(portal)
    assert asked[0][0] == SINCE and asked[-1][1] == NOW
    assert all(end - start <= timedelta(days=90) for start, end in asked)
    assert all(b[0] <= a[1] for a, b in pairwise(asked))  # no gap between windows
    assert all(call.path.endswith(f".{fmt}") for call in portal.requests)


def test_a_checkpoint_follows_each_window_and_the_last_one_closes_the_pass(
    portal: Open311Portal, clock: Clock
) -> None:
    items = read(portal)

    checkpoints = [item.state for item in items if isinstance(item, Checkpoint)]
    assert len(checkpoints) == len(windows_asked(portal)) + 1
    assert datetime.fromisoformat(checkpoints[0]["pass_started"]) == NOW
    assert set(checkpoints[-1]) == {"read", "changed"}  # no pass in progress
    assert datetime.fromisoformat(checkpoints[-1]["read"]["value"]) == NOW
    assert datetime.fromisoformat(checkpoints[-1]["changed"]["value"]) == NOW  # 15 min lookback


@pytest.mark.parametrize("past_end", ["empty", "repeat", "ignore"])
def test_paging_stops_however_the_portal_behaves_past_its_last_page(
    clock: Clock, past_end: str
) -> None:
    entries = requests_on(["2026-02-01"] * 7)
    with Open311Portal(requests=entries, page_size=3, past_end=past_end) as portal:  # type: ignore[arg-type]
        items = read(portal, since="2026-01-20")

        assert sorted(ids(items)) == sorted(e["service_request_id"] for e in entries)
        pages = [int(p["page"]) for p in portal.request_calls()]
    assert max(pages) == {"empty": 4, "repeat": 4, "ignore": 2}[past_end]


def test_a_short_page_ends_the_window_when_the_page_size_is_known(clock: Clock) -> None:
    with Open311Portal(requests=requests_on(["2026-02-01"] * 5)) as portal:
        items = read(portal, since="2026-01-20", page_size=3)

        assert len(ids(items)) == 5
        assert [p["page"] for p in portal.request_calls()] == ["1", "2"]
        assert portal.request_calls()[0]["page_size"] == "3"


def test_a_portal_that_never_stops_paging_fails_the_run(clock: Clock) -> None:
    class Endless(Open311Portal):
        def _page(self, found: list[dict[str, Any]], params: dict[str, str]) -> list[Any]:
            page = int(params["page"])
            return [request(f"P{page}", at("2026-02-01"))]

    with Endless() as portal, pytest.raises(PermanentSourceError, match="more than 5 pages"):
        read(portal, since="2026-01-20", max_pages=5)


def test_paging_can_be_turned_off(portal: Open311Portal, clock: Clock) -> None:
    for entry in requests_on(["2026-02-01"] * 5):
        portal.put(entry)

    items = read(portal, since="2026-01-20", paging=False)

    assert len(ids(items)) == 3  # the portal's first page only: what a portal without paging gives
    assert "page" not in portal.request_calls()[0]


def test_a_malformed_page_is_quarantined_with_its_place_and_reading_goes_on(
    portal: Open311Portal, clock: Clock
) -> None:
    for entry in requests_on(["2026-02-01"] * 8):
        portal.put(entry)
    portal.fail_next(
        "requests",
        Reply(200, b'[{"service_request_id": "R4",'),
        when=lambda params: params["page"] == "2",
    )

    items = read(portal, since="2026-01-20")

    bad = [item for item in items if isinstance(item, BadRecord)]
    assert len(bad) == 1
    assert bad[0].reason.startswith("requests.json?start_date=2026-01-20T00:00:00+07:00&end_date=")
    assert "&page=2: not JSON: " in bad[0].reason and bad[0].place.endswith("&page=2")
    assert bad[0].payload == {"excerpt": '[{"service_request_id": "R4",'}
    assert sorted(ids(items)) == ["R1", "R2", "R3", "R7", "R8"]  # page 2 (R4–R6) was lost


def test_two_unreadable_pages_in_a_row_end_the_window(portal: Open311Portal, clock: Clock) -> None:
    portal.put(request("R1", at("2026-02-01")))
    portal.fail_next(
        "requests", Reply(200, b"<html>maintenance</html>"), Reply(200, b"<html>maintenance</html>")
    )

    items = read(portal, since="2026-01-20")

    assert [type(item).__name__ for item in items].count("BadRecord") == 2
    assert ids(items) == []
    assert [p["page"] for p in portal.request_calls()] == ["1", "2"]


def test_an_unreadable_page_behind_a_redirect_is_asked_once_and_named_by_its_number(
    clock: Clock,
) -> None:
    entries = requests_on(["2026-02-01"] * 8)
    with RedirectingPortal(requests=entries, page_size=3, redirected_page=3) as portal:
        table = {"location": portal.base_url, "since": "2026-01-20", "unit_field": "commune_code"}
        connector = make_connector(**table)
        items = list(islice(connector.read({}, full=False), 100))  # a loop would be cut here

        pages = [p["page"] for p in portal.request_calls()]
    assert pages == ["1", "2", "3", "4"]  # page 4 (past the end) is empty
    [bad] = [item for item in items if isinstance(item, BadRecord)]
    assert bad.place.startswith("requests.json?start_date=2026-01-20T00:00:00+07:00&end_date=")
    assert bad.place.endswith("&page=3") and bad.reason.startswith(f"{bad.place}: not JSON: ")
    assert bad.payload == {"excerpt": "<html>busy</html>"}
    assert ids(items) == [f"R{n}" for n in range(1, 7)]


def test_a_server_error_is_a_transient_fault_after_the_windows_already_read(
    portal: Open311Portal, clock: Clock
) -> None:
    for entry in requests_on(DAYS):
        portal.put(entry)
    portal.fail_next("requests", Reply(500), when=lambda params: params["start_date"] > "2025-12")

    read_so_far: list[Any] = []
    with pytest.raises(TransientSourceError, match="HTTP 500"):
        connector = make_connector(location=portal.base_url, since="2025-10-01")
        for item in connector.read({}, full=False):
            read_so_far.append(item)

    assert ids(read_so_far) == ["R1", "R2", "R3", "R4"]
    assert isinstance(read_so_far[-1], Checkpoint)


def test_an_unreadable_service_list_is_quarantined_and_the_requests_still_read(
    portal: Open311Portal, clock: Clock
) -> None:
    portal.put(request("R1", at("2026-02-01"), service_name=None))
    portal.fail_next("services", Reply(200, b"{oops"))

    items = read(portal, since="2026-01-20")

    assert isinstance(items[0], BadRecord) and items[0].place == "services.json"
    event = next(item for item in items if isinstance(item, Event))
    assert "category_name" not in event.attributes and event.attributes["category"] == "DUONG_HU"


def test_api_key_and_jurisdiction_are_sent_and_never_named_in_messages(
    portal: Open311Portal, clock: Clock
) -> None:
    portal.fail_next("requests", Reply(200, b"nonsense"))

    items = read(portal, since="2026-03-10", api_key="s3cret", jurisdiction_id="kontum.gov.vn")

    call = portal.request_calls()[0]
    assert (call["api_key"], call["jurisdiction_id"]) == ("s3cret", "kontum.gov.vn")
    bad = next(item for item in items if isinstance(item, BadRecord))
    assert "s3cret" not in json.dumps([bad.reason, bad.place, bad.payload])


def test_the_snapshot_counts_open_cases_past_their_deadline_at_the_pass_start(
    portal: Open311Portal, clock: Clock
) -> None:
    portal.put(request("late", at("2026-03-01"), expected_datetime=at("2026-03-10")))
    portal.put(request("due", at("2026-03-01"), expected_datetime=at("2026-03-20")))
    portal.put(
        request(
            "done",
            at("2026-03-01"),
            "closed",
            updated_datetime=at("2026-03-12"),
            expected_datetime=at("2026-03-10"),
        )
    )
    portal.put(
        request(
            "trash",
            at("2026-03-02"),
            service_code="RAC_THAI",
            agency_responsible="Công ty CP Môi trường đô thị Kon Tum",
            expected_datetime=at("2026-03-07"),
        )
    )

    items = read(portal, since="2026-02-01")

    snapshot = {
        (o.unit, o.period, tuple(sorted(o.dims.items()))): o.value
        for o in items
        if isinstance(o, Observation)
    }
    assert snapshot == {
        ("23293", "2026-03-15", (("agency", "Sở Xây dựng"), ("category", "DUONG_HU"))): 1,
        (
            "23293",
            "2026-03-15",
            (("agency", "Công ty CP Môi trường đô thị Kon Tum"), ("category", "RAC_THAI")),
        ): 1,
    }


def test_check_says_what_the_portal_offers(portal: Open311Portal, clock: Clock) -> None:
    portal.put(request("R1", at("2026-03-14")))
    connector = make_connector(location=portal.base_url)

    assert connector.check() == (
        f"{portal.base_url}: 2 services; 1 requests on the first page of the last 7 days"
    )


def test_check_fails_on_an_unreadable_answer(portal: Open311Portal, clock: Clock) -> None:
    portal.fail_next("services", Reply(200, b"<html/>"))

    with pytest.raises(PermanentSourceError, match=r"services\.json: not JSON"):
        make_connector(location=portal.base_url).check()


def write_export(folder: Path, entries: list[Any]) -> None:
    (folder / "services.json").write_text("[]", encoding="utf-8")
    (folder / "requests.json").write_text(json.dumps(entries), encoding="utf-8")


def test_a_folder_export_is_windowed_like_a_portal(tmp_path: Path, clock: Clock) -> None:
    entries = requests_on(["2025-09-30", "2025-10-01", "2026-01-15", "2026-03-14"])
    undated = {**request("R9", at("2026-01-01")), "requested_datetime": None}
    write_export(tmp_path, [*entries, undated])

    items = list(make_connector(location=str(tmp_path), since="2025-10-01").read({}, False))

    assert ids(items) == ["R2", "R3", "R4"]  # R1 was filed before `since`
    bad = [item for item in items if isinstance(item, BadRecord)]
    assert [b.reason for b in bad] == ["request R9: no requested_datetime"]  # once, not per window


def test_a_malformed_export_is_quarantined_once(tmp_path: Path, clock: Clock) -> None:
    write_export(tmp_path, [])
    (tmp_path / "requests.json").write_text("[{", encoding="utf-8")

    items = list(make_connector(location=str(tmp_path), since="2025-01-01").read({}, False))

    bad = [item for item in items if isinstance(item, BadRecord)]
    assert [b.place for b in bad] == ["requests.json"]


def test_a_missing_export_fails_the_run(tmp_path: Path, clock: Clock) -> None:
    with pytest.raises(PermanentSourceError, match="no such file"):
        list(make_connector(location=str(tmp_path / "nowhere")).read({}, False))


def test_a_pass_begun_by_an_earlier_sync_goes_on_without_a_snapshot(
    portal: Open311Portal, clock: Clock
) -> None:
    for entry in requests_on(DAYS):
        portal.put(entry)
    first_window = next(item for item in read(portal) if isinstance(item, Checkpoint))

    items = read(portal, first_window.state)

    assert ids(items) == ["R5", "R6", "R7", "R8"]
    assert not any(isinstance(item, Observation) for item in items)


def test_an_older_releases_state_goes_on_where_it_was(portal: Open311Portal, clock: Clock) -> None:
    """A hub upgraded between two syncs neither reads everything again nor loses its place."""
    for entry in requests_on(DAYS):
        portal.put(entry)
    last_pass = NOW - timedelta(hours=1)
    old_state = {
        "read_to": utc(last_pass).isoformat(),
        "changed_since": utc(last_pass - timedelta(minutes=15)).isoformat(),
    }
    portal.change("R6", status="closed", updated_datetime=at("2026-03-15", "09:50"))

    items = read(portal, old_state)

    assert ids(items) == ["R6"]  # changed since the last pass; the others known and unchanged
    assert set([item for item in items if isinstance(item, Checkpoint)][-1].state) == {
        "read",
        "changed",
    }


def test_a_full_read_ignores_the_saved_cursor(portal: Open311Portal, clock: Clock) -> None:
    for entry in requests_on(DAYS):
        portal.put(entry)
    finished = [item for item in read(portal) if isinstance(item, Checkpoint)][-1].state

    connector = make_connector(location=portal.base_url, since="2025-10-01")

    assert len(ids(list(connector.read(finished, full=True)))) == len(DAYS)
    assert ids(list(connector.read(finished, full=False))) == []
