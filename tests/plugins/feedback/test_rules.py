"""The small rules: statuses, places, date windows, the cursor's pass."""

from __future__ import annotations

from datetime import datetime, timedelta
from itertools import pairwise

import pytest
from iochub_plugins.feedback.config import Open311Config
from iochub_plugins.feedback.cursor import Pass
from iochub_plugins.feedback.places import Placement, UnitFinder
from iochub_plugins.feedback.statuses import CaseStatus, StatusMap
from iochub_plugins.feedback.timestamps import BadTimestamp, parse_timestamp
from pydantic import ValidationError

from tests.plugins.feedback.conftest import NOW, VN


@pytest.mark.parametrize(
    ("label", "status"),
    [
        ("open", "received"),
        ("closed", "closed"),
        ("Acknowledged", "in_progress"),
        ("in progress", "in_progress"),
        ("IN_PROGRESS", "in_progress"),
        ("in-progress", "in_progress"),
        ("resolved", "resolved"),
        ("duplicate", "rejected"),
        ("Đang xử lý", "in_progress"),
        ("ĐÃ XỬ LÝ", "resolved"),
        ("Từ chối", "rejected"),
    ],
)
def test_default_statuses(label: str, status: str) -> None:
    assert StatusMap().normalise(label) == status


def test_the_mapping_adds_to_and_overrides_the_defaults() -> None:
    statuses = StatusMap({"Chuyển cơ quan khác": "rejected", "open": "in_progress"})

    assert statuses.normalise("chuyển cơ quan khác") == CaseStatus.REJECTED
    assert statuses.normalise("open") == CaseStatus.IN_PROGRESS
    assert statuses.normalise("on hold") is None


def test_an_unknown_normalised_status_is_a_config_error() -> None:
    with pytest.raises(ValidationError, match="statuses"):
        Open311Config(location="x", statuses={"on hold": "paused"})


def finder(**options: object) -> UnitFinder:
    defaults: dict[str, object] = {
        "unit_field": "commune_code",
        "units": {"Xã Đăk Hà": "23500", "Xã Đăk Tô": "23401", "P.KT": "23293"},
        "match_address": True,
    }
    return UnitFinder(**{**defaults, **options})  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("request_fields", "placement"),
    [
        ({"commune_code": "23527"}, Placement("23527", "field")),
        ({"commune_code": 23527}, Placement("23527", "field")),
        ({"commune_code": "p.kt"}, Placement("23293", "field")),
        (
            {"commune_code": "somewhere", "address": "Thôn 3, xã Đăk Hà"},
            Placement("23500", "address"),
        ),
        ({"address": "Thôn 3, Xã  ĐĂK HÀ, tỉnh Quảng Ngãi"}, Placement("23500", "address")),
        ({"address": "Xã Đăk Hàn"}, None),  # a name inside a longer word is not that name
        ({"address": "Thôn 1"}, None),
        ({}, None),
    ],
)
def test_a_request_is_placed_by_its_own_fields(
    request_fields: dict[str, object], placement: Placement | None
) -> None:
    assert finder().place(request_fields) == placement


def test_address_matching_can_be_turned_off() -> None:
    assert finder(match_address=False).place({"address": "Xã Đăk Hà"}) is None


def test_two_places_named_alike_are_not_guessed() -> None:
    clash = UnitFinder(None, {"Xã A": "11111", "Phường B": "22222"}, True)
    assert clash.place({"address": "Xã A, Phường B"}) is None


def test_timestamps_without_an_offset_are_in_the_portals_zone() -> None:
    assert parse_timestamp("2026-03-01T08:00:00", VN) == datetime(2026, 3, 1, 8, tzinfo=VN)
    assert parse_timestamp("2026-03-01T01:00:00Z", VN) == datetime(2026, 3, 1, 8, tzinfo=VN)
    with pytest.raises(BadTimestamp):
        parse_timestamp("1 March 2026", VN)


def config(**options: object) -> Open311Config:
    return Open311Config.model_validate({"location": "x", **options})


def asked(requested: datetime, updated: datetime | None) -> dict[str, object]:
    """A request as the portal lists it (only the times matter here)."""
    return {
        "service_request_id": "R1",
        "requested_datetime": requested.isoformat(),
        "updated_datetime": updated.isoformat() if updated else None,
    }


def state(read_to: datetime, changed: datetime) -> dict[str, object]:
    """A finished pass's state: every request filed before ``read_to`` read, and every
    change before ``changed`` (the pass's start)."""
    return {
        "read": {"value": read_to.isoformat(), "ties": []},
        "changed": {"value": changed.isoformat(), "ties": []},
    }


def test_windows_are_at_most_their_length_and_leave_no_gap() -> None:
    start = datetime(2025, 1, 1, tzinfo=VN)
    walk = Pass.plan({}, start + timedelta(days=200), config(since="2025-01-01"))
    found = list(walk.windows(90))

    assert [w.end - w.start for w in found][:2] == [timedelta(days=90)] * 2
    assert all(b.start == a.end for a, b in pairwise(found))
    assert found[0].start == start and found[-1].end == start + timedelta(days=200)
    boundary = found[0].end  # a request stamped on it belongs to one window only
    assert [w.holds(boundary) for w in found] == [False, True, False]
    assert list(Pass.plan({}, start, config(since="2025-01-01")).windows(90)) == []


def test_a_first_pass_starts_at_since_and_takes_everything() -> None:
    walk = Pass.plan({}, NOW, config(since="2025-10-01"))

    assert next(walk.windows(90)).start == datetime(2025, 10, 1, tzinfo=VN)
    assert walk.started == NOW and not walk.resumed
    assert walk.wants(asked(NOW - timedelta(days=400), NOW - timedelta(days=400)))


def test_a_later_pass_revisits_the_span_and_takes_what_is_new_or_changed() -> None:
    before = NOW - timedelta(days=1)
    walk = Pass.plan(state(before, before), NOW, config(since="2025-10-01", revisit_days=30))
    old = before - timedelta(days=10)

    assert next(walk.windows(90)).start == NOW - timedelta(days=30)
    assert walk.wants(asked(before, before))  # requested at the cursor: new (ties are taken)
    assert walk.wants(asked(old, before - timedelta(minutes=15)))  # updated on the threshold
    assert not walk.wants(asked(old, before - timedelta(minutes=16)))
    assert walk.wants(asked(old, None))  # no updated_datetime: cannot tell, so taken


def test_a_pass_resumes_where_its_last_checkpoint_left_off() -> None:
    walk = Pass.plan({}, NOW, config(since="2025-01-01"))
    first = next(walk.windows(90))
    saved = walk.after(first)

    resumed = Pass.plan(saved, NOW + timedelta(hours=1), config(since="2025-01-01"))

    assert resumed.resumed and resumed.started == NOW
    assert next(resumed.windows(90)).start == first.end
    assert resumed.wants(asked(first.start, first.start))  # still the first pass: everything
    for window in resumed.windows(90):
        resumed.after(window)
    done = resumed.finished()
    assert "pass_started" not in done
    later = Pass.plan(done, NOW + timedelta(hours=2), config(since="2025-01-01", revisit_days=0))
    assert later.changed.since == NOW - timedelta(minutes=15)
    assert next(later.windows(90)).start == NOW  # revisiting nothing: from the pass's start on


def test_a_connector_down_for_long_goes_back_to_its_cursor() -> None:
    long_ago = NOW - timedelta(days=400)

    walk = Pass.plan(state(long_ago, long_ago), NOW, config(revisit_days=30))

    assert next(walk.windows(90)).start == long_ago


def test_an_older_releases_state_is_read_as_the_same_place() -> None:
    """A hub upgraded mid-life neither reads everything again nor loses its place."""
    before = NOW - timedelta(days=1)
    changed_since = before - timedelta(minutes=15)
    old = {"read_to": before.isoformat(), "changed_since": changed_since.isoformat()}

    walk = Pass.plan(old, NOW, config(since="2025-10-01", revisit_days=30))

    assert not walk.resumed and next(walk.windows(90)).start == NOW - timedelta(days=30)
    assert walk.changed.since == changed_since  # the question the older release would ask
    assert walk.wants(asked(before - timedelta(days=10), changed_since))
    assert not walk.wants(asked(before - timedelta(days=10), before - timedelta(minutes=16)))


def test_an_older_releases_pass_in_progress_goes_on_where_it_was() -> None:
    started, going_on = NOW - timedelta(hours=2), NOW - timedelta(days=100)
    old = {
        "read_to": (going_on + timedelta(seconds=1)).isoformat(),
        "pass_started": started.isoformat(),
        "pass_next": going_on.isoformat(),
    }  # a full pass: no changed_since yet

    walk = Pass.plan(old, NOW, config(since="2025-01-01"), full=True)

    assert walk.resumed and walk.started == started
    assert next(walk.windows(90)).start == going_on
    assert walk.wants(asked(going_on, going_on - timedelta(days=300)))  # a full pass takes all


def test_a_name_inside_a_longer_one_is_the_longer_one() -> None:
    nested = UnitFinder(None, {"Kon Tum": "62", "Phường Kon Tum": "23293"}, True)

    assert nested.place({"address": "12 Bà Triệu, Phường Kon Tum"}) == Placement("23293", "address")
