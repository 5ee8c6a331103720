"""The one timestamp parser: ISO 8601 or configured formats, naive times in Vietnam's zone."""

from datetime import UTC, date, datetime, time, timedelta, timezone

import pytest

from hub.connectors.errors import BadInput
from hub.timestamps import (
    TimestampError,
    in_latest_year,
    optional_timestamp,
    parse_instant,
    parse_partial,
    parse_timestamp,
    utc_text,
)


def test_naive_times_are_read_in_vietnams_zone_by_default() -> None:
    moment = parse_timestamp("2026-03-05T08:30:00")
    assert moment.utcoffset() == timedelta(hours=7)
    assert moment.astimezone(UTC) == datetime(2026, 3, 5, 1, 30, tzinfo=UTC)


def test_an_offset_written_in_the_text_wins_over_the_zone() -> None:
    assert parse_timestamp("2026-03-05T08:30:00Z") == datetime(2026, 3, 5, 8, 30, tzinfo=UTC)
    utc_plus_2 = parse_timestamp("2026-03-05T08:30:00+0200", zone=UTC)
    assert utc_plus_2.utcoffset() == timedelta(hours=2)


def test_configured_formats_are_tried_before_iso() -> None:
    moment = parse_timestamp("05/03/2026 08:30", formats=["%d/%m/%Y %H:%M"])
    assert (moment.day, moment.month, moment.utcoffset()) == (5, 3, timedelta(hours=7))
    other = timezone(timedelta(hours=-5))
    assert parse_timestamp("2026-03-05", zone=other) == datetime(2026, 3, 5, tzinfo=other)


def test_datetimes_and_dates_pass_through_made_aware() -> None:
    assert parse_timestamp(datetime(2026, 1, 1)).utcoffset() == timedelta(hours=7)
    assert parse_timestamp(date(2026, 1, 1)) == parse_timestamp("2026-01-01T00:00:00+07:00")


@pytest.mark.parametrize("bad", ["yesterday", "2026-13-01", "", None, 17])
def test_what_is_no_time_is_bad_input_with_a_reason(bad: object) -> None:
    with pytest.raises(TimestampError) as raised:
        parse_timestamp(bad, formats=["%d/%m/%Y"])
    assert isinstance(raised.value, BadInput) and "is not a time" in raised.value.reason


def test_optional_and_utc_text() -> None:
    assert optional_timestamp(None) is None and optional_timestamp("  ") is None
    assert utc_text(parse_timestamp("2026-03-05T08:30:00")) == "2026-03-05T01:30:00Z"


def test_an_instant_keeps_its_offset_and_must_have_one() -> None:
    moment = parse_instant("2024-07-01T08:30:00.123+07:00")
    assert moment == datetime(2024, 7, 1, 1, 30, 0, 123000, tzinfo=UTC)
    assert parse_instant("2024-07-01T01:30:00Z").utcoffset() == timedelta(0)


@pytest.mark.parametrize("bad", ["2024-07-01T08:30:00", "2024-07-01", "yesterday", None, ""])
def test_a_time_without_its_offset_is_no_instant(bad: object) -> None:
    with pytest.raises(TimestampError, match="is not an instant"):
        parse_instant(bad)


@pytest.mark.parametrize(
    ("text", "precision", "start"),
    [
        ("2024", "year", datetime(2024, 1, 1)),
        ("2024-07", "month", datetime(2024, 7, 1)),
        ("2024-07-05", "day", datetime(2024, 7, 5)),
        ("2024-07-05T22:30:00", "time", datetime(2024, 7, 5, 22, 30)),
    ],
)
def test_partial_times_say_their_precision_and_start_in_vietnams_zone(
    text: str, precision: str, start: datetime
) -> None:
    found = parse_partial(text)
    assert (found.precision, found.start.replace(tzinfo=None)) == (precision, start)
    assert found.start.utcoffset() == timedelta(hours=7)


def test_a_partial_time_with_an_offset_keeps_it() -> None:
    found = parse_partial("2024-07-05T15:30:00Z")
    assert found.start == datetime(2024, 7, 5, 15, 30, tzinfo=UTC)


@pytest.mark.parametrize("bad", ["2024-13", "2024-02-30", "20240705", "July 2024", "", None])
def test_what_is_no_partial_time_is_bad_input(bad: object) -> None:
    with pytest.raises(TimestampError, match="is not a time"):
        parse_partial(bad)


BSD = "%b %d %H:%M:%S"


def test_a_format_without_a_year_is_the_latest_such_moment_not_ahead_of_now() -> None:
    now = datetime(2026, 1, 2, 10, tzinfo=UTC)
    assert parse_timestamp("Jan  2 09:00:00", UTC, [BSD], now) == datetime(
        2026, 1, 2, 9, tzinfo=UTC
    )
    assert parse_timestamp("Jan  3 09:00:00", UTC, [BSD], now).year == 2026  # a clock ahead
    december = parse_timestamp("Dec 31 23:59:59", UTC, [BSD], now)  # read in January
    assert december == datetime(2025, 12, 31, 23, 59, 59, tzinfo=UTC)


def test_a_leap_day_without_a_year_from_a_year_ahead_is_the_28th_of_the_year_before() -> None:
    now = datetime(2028, 1, 2, tzinfo=UTC)
    assert parse_timestamp("Feb 29 10:00:00", UTC, [BSD], now) == datetime(
        2027, 2, 28, 10, tzinfo=UTC
    )


def test_a_format_without_a_year_takes_the_year_of_now_in_the_zone() -> None:
    now = datetime(2025, 12, 31, 20, tzinfo=UTC)  # already 1 January 2026 in Vietnam
    assert parse_timestamp("Jan  1 02:00:00", formats=[BSD], now=now).year == 2026


def test_a_day_without_a_year_falls_in_the_latest_year_that_has_it() -> None:
    after_a_leap_year = datetime(2029, 1, 5, tzinfo=UTC)
    assert in_latest_year(2, 29, time(10), UTC, after_a_leap_year) == datetime(
        2028, 2, 29, 10, tzinfo=UTC
    )
    with pytest.raises(TimestampError, match="not a day"):
        in_latest_year(2, 30, time(10), UTC, after_a_leap_year)
    with pytest.raises(TimestampError):
        parse_timestamp("Feb 30 10:00:00", UTC, [BSD], after_a_leap_year)
