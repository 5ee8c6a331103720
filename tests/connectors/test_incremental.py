"""The one incremental cursor: boundary ties, lookback, sorted and unsorted sources, windows."""

from __future__ import annotations

import itertools
import json
from datetime import UTC, datetime, timedelta

import pytest

from hub.connectors.incremental import MAX_TIES, Incremental, Window, date_windows
from hub.zone import LOCAL_TIME


def _records(*pairs: tuple[str, str]) -> list[dict[str, str]]:
    return [{"id": record_id, "updated": updated} for record_id, updated in pairs]


def _read_in_pages(source: list[dict], pages: list[int], state: dict) -> tuple[list[str], dict]:
    """One run over ``source`` (sorted by ``updated``), served from the cursor's ``since``
    on in pages of the given sizes, stopping (as a crash would) after the listed pages."""
    cursor = Incremental("updated", id="id", state=state)
    since = cursor.since
    served = [r for r in source if since is None or cursor.value_of(r) >= since]
    read: list[str] = []
    for size in pages:
        page, served = served[:size], served[size:]
        read += [record["id"] for record in cursor.take(page)]
        state = cursor.state()
    if not served:
        state = cursor.finish()
    return read, state


def test_ties_at_the_boundary_are_neither_lost_nor_read_twice_across_a_crash() -> None:
    # five records share one instant, and the page ends in the middle of them
    source = _records(
        ("a", "2026-03-01T10:00:00Z"),
        ("b", "2026-03-01T10:00:05Z"),
        ("c", "2026-03-01T10:00:05Z"),
        ("d", "2026-03-01T10:00:05Z"),
        ("e", "2026-03-01T10:00:05Z"),
        ("f", "2026-03-01T10:00:05Z"),
        ("g", "2026-03-01T10:00:09Z"),
    )
    first, state = _read_in_pages(source, [3], {})
    assert first == ["a", "b", "c"]
    assert state == {"value": "2026-03-01T10:00:05Z", "ties": ["b", "c"]}
    second, state = _read_in_pages(source, [3, 3], state)
    assert second == ["d", "e", "f", "g"]
    assert state == {"value": "2026-03-01T10:00:09Z", "ties": ["g"]}
    third, _ = _read_in_pages(source, [3], state)
    assert third == []


def test_lookback_reads_again_what_lies_just_before_the_boundary_but_not_its_ties() -> None:
    state = {"value": "2026-03-01T10:00:00Z", "ties": ["x"]}
    cursor = Incremental("updated", id="id", lookback=timedelta(minutes=5), state=state)
    assert cursor.since == datetime(2026, 3, 1, 9, 55, tzinfo=UTC)
    assert cursor.since_text == "2026-03-01T09:55:00Z"
    late = _records(
        ("old", "2026-03-01T09:50:00Z"),  # before the lookback: the source ignored `since`
        ("late", "2026-03-01T09:58:00Z"),  # committed late: read again
        ("x", "2026-03-01T10:00:00Z"),  # a tie the last run read
        ("y", "2026-03-01T10:00:00Z"),  # a tie it had not
    )
    assert [record["id"] for record in cursor.take(late)] == ["late", "y"]
    assert cursor.state() == {"value": "2026-03-01T10:00:00Z", "ties": ["x", "y"]}


def test_numeric_lookback_on_times_is_seconds_and_naive_times_are_vietnams() -> None:
    cursor = Incremental("t", state={"value": "2026-03-01 17:00:00"}, lookback=60)
    assert cursor.boundary == datetime(2026, 3, 1, 17, tzinfo=LOCAL_TIME)
    assert cursor.since_text == "2026-03-01T09:59:00Z"  # 17:00 in Hanoi is 10:00 UTC


def test_an_unsorted_source_moves_the_cursor_only_at_its_end() -> None:
    start = {"value": "2026-01-01T00:00:00Z", "ties": []}
    cursor = Incremental("updated", id="id", state=start, sorted=False)
    cursor.see({"id": "b", "updated": "2026-01-03T00:00:00Z"})
    cursor.see({"id": "a", "updated": "2026-01-02T00:00:00Z"})
    assert cursor.state() == start
    assert cursor.finish() == {"value": "2026-01-03T00:00:00Z", "ties": ["b"]}


def test_a_sorted_source_found_out_of_order_stops_advancing_until_the_end(
    caplog: pytest.LogCaptureFixture,
) -> None:
    cursor = Incremental("updated", id="id", what="alerts")
    cursor.see({"id": "a", "updated": "2026-01-02T00:00:00Z"})
    assert cursor.state() == {"value": "2026-01-02T00:00:00Z", "ties": ["a"]}
    cursor.see({"id": "b", "updated": "2026-01-01T00:00:00Z"})
    assert cursor.state() == {}  # it started from nothing
    assert "alerts arrive out of order" in caplog.text
    assert cursor.finish() == {"value": "2026-01-02T00:00:00Z", "ties": ["a"]}


def test_records_without_a_readable_value_are_taken_and_do_not_move_the_cursor() -> None:
    cursor = Incremental("updated", id="id", state={"value": "2026-01-01T00:00:00Z"})
    odd = [{"id": "a"}, {"id": "b", "updated": "yesterday"}, {"id": "c", "updated": ""}]
    assert [record["id"] for record in cursor.take(odd)] == ["a", "b", "c"]
    assert cursor.state() == {"value": "2026-01-01T00:00:00Z", "ties": []}


def test_the_state_stays_bounded_when_ties_overflow() -> None:
    cursor = Incremental("n", id="id", parse=None, max_ties=10)
    for number in range(25):
        cursor.see({"id": number, "n": 7})
    assert cursor.state() == {"value": 7, "ties": []}  # read again next time, not kept
    assert MAX_TIES >= 1000
    many = Incremental("n", id="id", parse=None)
    for number in range(5000):
        many.see({"id": f"id-{number}", "n": number})
    assert len(json.dumps(many.state())) < 100  # one value, one tie: not a history


def test_plain_values_compare_as_they_are() -> None:
    cursor = Incremental("seq", id="id", parse=None, state={"value": 41, "ties": [41]}, lookback=2)
    assert cursor.since == 39
    records = [{"id": 40, "seq": 40}, {"id": 41, "seq": 41}, {"id": 42, "seq": 42}]
    assert [record["id"] for record in cursor.take(records)] == [40, 42]


def test_start_is_where_a_first_run_begins() -> None:
    cursor = Incremental("updated", start="2026-02-01")
    assert cursor.since == datetime(2026, 2, 1, tzinfo=LOCAL_TIME)
    assert not cursor.is_new({"updated": "2026-01-31T23:00:00+07:00"})
    assert cursor.is_new({"updated": "2026-02-01T00:00:00+07:00"})


def test_date_windows_cover_the_span_without_gaps_or_overlaps() -> None:
    start = datetime(2026, 1, 1, tzinfo=UTC)
    windows = list(date_windows(start, start + timedelta(days=200), timedelta(days=90)))
    assert [(w.end - w.start).days for w in windows] == [90, 90, 20]
    assert all(a.end == b.start for a, b in itertools.pairwise(windows))
    assert Window(start, start + timedelta(days=1)).holds(start)
    assert not Window(start, start + timedelta(days=1)).holds(start + timedelta(days=1))
    with pytest.raises(ValueError):
        list(date_windows(start, start + timedelta(days=1), timedelta(0)))


def test_windows_save_their_end_as_the_boundary_and_resume_there() -> None:
    now = datetime(2026, 6, 1, tzinfo=UTC)
    cursor = Incremental("requested", id="id", start=datetime(2026, 1, 1, tzinfo=UTC))
    windows = cursor.windows(now, timedelta(days=90))
    first = next(windows)
    cursor.see({"id": "r1", "requested": "2026-02-01T00:00:00Z"})
    state = cursor.close_window(first)
    assert state == {"value": "2026-04-01T00:00:00Z", "ties": []}
    resumed = Incremental("requested", id="id", state=state)
    rest = list(resumed.windows(now, timedelta(days=90)))
    assert rest[0].start == first.end and rest[-1].end == now
    with pytest.raises(ValueError, match="needs a start"):
        Incremental("requested").windows(now, timedelta(days=1))
