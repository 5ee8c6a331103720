"""The one timestamp parser: ISO 8601 or configured formats, naive times in Vietnam's zone."""

from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from hub.connectors.errors import BadInput
from hub.timestamps import TimestampError, optional_timestamp, parse_timestamp, utc_text


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
