"""The cursor saved after each page of a ``_lastUpdated`` search: never past an unread resource."""

from __future__ import annotations

from datetime import timedelta

from iochub_plugins.health.cursor import Watermark

T1, T2, T3 = "2024-07-01T08:00:00+07:00", "2024-07-01T08:01:00+07:00", "2024-07-01T08:02:00+07:00"


def seen(watermark: Watermark, *stamps: str | None) -> Watermark:
    for stamp in stamps:
        watermark.see(stamp)
    return watermark


def test_mid_search_the_cursor_stops_below_the_latest_instant_whose_ties_may_go_on() -> None:
    watermark = seen(Watermark(None), T1, T1, T2, T2)

    assert watermark.settled() == T1
    assert watermark.finished() == T2


def test_a_page_of_one_instant_does_not_move_the_cursor_until_the_next_instant() -> None:
    watermark = seen(Watermark(T1), T2, T2, T2)
    assert watermark.settled() == T1

    watermark.see(T3)
    assert watermark.settled() == T2


def test_values_out_of_order_keep_the_cursor_until_the_search_ends() -> None:
    watermark = seen(Watermark(T1), T2, T3, T2)

    assert watermark.settled() == T1
    assert watermark.finished() == T3


def test_without_sorting_the_cursor_moves_only_at_the_end() -> None:
    watermark = seen(Watermark(None, sorted=False), T1, T2, T3)

    assert watermark.settled() is None
    assert watermark.finished() == T3


def test_the_cursor_never_goes_back_and_ignores_what_is_not_an_instant() -> None:
    watermark = seen(Watermark(T2), T1, None, "yesterday", "2024-07-01")

    assert watermark.settled() == T2
    assert watermark.finished() == T2


def test_instants_compare_as_moments_whatever_their_zone() -> None:
    watermark = seen(Watermark("2024-07-01T02:00:00Z"), T1)  # 08:00 in Vietnam = 01:00 UTC

    assert watermark.finished() == "2024-07-01T02:00:00Z"


def test_the_search_starts_an_overlap_before_the_cursor() -> None:
    assert Watermark(T2).since(timedelta(seconds=60)) == T1
    assert Watermark(T2).since(timedelta(0)) == T2
    assert Watermark(None).since(timedelta(seconds=60)) is None
