"""The cursor saved after each page of a ``_lastUpdated`` search: never past an unread resource,
ties at the boundary neither lost nor read twice, and the state of older releases still read."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from iochub_plugins.health.cursor import MAX_TIES, fhir_cursor

from hub.connectors.incremental import Incremental

T1, T2, T3 = "2024-07-01T08:00:00+07:00", "2024-07-01T08:01:00+07:00", "2024-07-01T08:02:00+07:00"


def resource(ident: str, stamp: str | None) -> dict[str, Any]:
    return {"resourceType": "Encounter", "id": ident, "meta": {"lastUpdated": stamp}}


def taken(cursor: Incremental, *stamps: tuple[str, str | None]) -> list[str]:
    """The ids of the resources the cursor takes as new, in order."""
    return [r["id"] for r in cursor.take(resource(ident, stamp) for ident, stamp in stamps)]


def test_mid_search_the_cursor_keeps_the_latest_instant_and_the_ties_read_at_it() -> None:
    cursor = fhir_cursor(None)
    taken(cursor, ("a", T1), ("b", T1), ("c", T2), ("d", T2))

    assert cursor.state() == {"value": T2, "ties": ["c", "d"]}
    resumed = fhir_cursor(cursor.state())
    assert resumed.since_text == T2
    # A tie that went on past the page is read; those read already are not.
    assert taken(resumed, ("c", T2), ("d", T2), ("e", T2), ("f", T3)) == ["e", "f"]
    assert resumed.finish() == {"value": T3, "ties": ["f"]}


def test_a_page_of_one_instant_keeps_every_tie_until_the_next_instant() -> None:
    cursor = fhir_cursor(T1)
    taken(cursor, ("a", T2), ("b", T2), ("c", T2))
    assert cursor.state() == {"value": T2, "ties": ["a", "b", "c"]}

    taken(cursor, ("d", T3))
    assert cursor.state() == {"value": T3, "ties": ["d"]}


def test_values_out_of_order_keep_the_cursor_until_the_search_ends() -> None:
    cursor = fhir_cursor(T1)
    taken(cursor, ("a", T2), ("b", T3), ("c", T2))

    assert cursor.state() == {"value": T1, "ties": []}
    assert cursor.finish() == {"value": T3, "ties": ["b"]}


def test_without_sorting_the_cursor_moves_only_at_the_end() -> None:
    cursor = fhir_cursor(None, sorted=False)
    taken(cursor, ("a", T1), ("b", T2), ("c", T3))

    assert cursor.state() == {}
    assert cursor.finish() == {"value": T3, "ties": ["c"]}


def test_the_cursor_never_goes_back_and_ignores_what_is_not_an_instant() -> None:
    cursor = fhir_cursor(T2)
    stamps = [None, "yesterday", "2024-07-01", "2024-07-01T09:00:00"]  # the last has no zone
    taken(cursor, ("a", T1), *((f"x{n}", stamp) for n, stamp in enumerate(stamps)))

    assert cursor.state() == {"value": T2, "ties": []}
    assert cursor.finish() == {"value": T2, "ties": []}


def test_instants_compare_as_moments_whatever_their_zone() -> None:
    cursor = fhir_cursor("2024-07-01T02:00:00Z")  # 08:00 in Vietnam = 01:00 UTC
    taken(cursor, ("a", T1))

    assert cursor.finish()["value"] == "2024-07-01T02:00:00Z"


def test_the_search_starts_an_overlap_before_the_cursor() -> None:
    assert fhir_cursor(T2, overlap=timedelta(seconds=60)).since_text == "2024-07-01T01:00:00Z"
    assert fhir_cursor(T2).since_text == T2
    assert fhir_cursor(None, overlap=timedelta(seconds=60)).since_text is None


def test_an_older_releases_bare_cursor_is_the_boundary_with_no_ties() -> None:
    cursor = fhir_cursor(T2)  # as releases before the kit's cursor saved it

    assert (cursor.since_text, cursor.state()) == (T2, {"value": T2, "ties": []})
    # Everything up to T2 was read; the resources of T2 itself are read again (upserted).
    assert taken(cursor, ("a", T1), ("b", T2), ("c", T3)) == ["b", "c"]
    assert cursor.finish() == {"value": T3, "ties": ["c"]}


def test_a_tie_too_big_for_the_state_is_read_again_instead_of_kept() -> None:
    cursor = fhir_cursor(T1)
    taken(cursor, *((f"bulk-{n:04d}", T2) for n in range(MAX_TIES + 1)))

    assert cursor.state() == {"value": T2, "ties": []}
