"""Reading single values: times, counts, points, paths; and the accident severity scale."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from iochub_plugins.traffic.definitions import accident_severity
from iochub_plugins.traffic.values import (
    ValueProblem,
    dig,
    normal_type,
    parse_count,
    parse_point,
    parse_time,
)

from hub.numbers import NumberConvention

VIETNAM = timezone(timedelta(hours=7))


@pytest.mark.parametrize(
    ("value", "time_format", "expected"),
    [
        ("2026-03-05T07:40:00+07:00", None, datetime(2026, 3, 5, 7, 40, tzinfo=VIETNAM)),
        ("2026-03-05T00:40:00Z", None, datetime(2026, 3, 5, 0, 40, tzinfo=UTC)),
        # written without an offset: Vietnam time
        ("2026-03-05 07:40", None, datetime(2026, 3, 5, 7, 40, tzinfo=VIETNAM)),
        ("05/03/2026 07:40", "%d/%m/%Y %H:%M", datetime(2026, 3, 5, 7, 40, tzinfo=VIETNAM)),
        (1772671200, None, datetime(2026, 3, 5, 0, 40, tzinfo=UTC)),
        (1772671200000, None, datetime(2026, 3, 5, 0, 40, tzinfo=UTC)),
    ],
)
def test_times_are_read_from_iso_text_a_format_or_epoch_numbers(
    value: object, time_format: str | None, expected: datetime
) -> None:
    assert parse_time(value, time_format) == expected


@pytest.mark.parametrize("value", [None, "", "yesterday", "31/02/2026 07:00", True])
def test_unreadable_times_are_problems(value: object) -> None:
    with pytest.raises(ValueProblem):
        parse_time(value, "%d/%m/%Y %H:%M" if value == "31/02/2026 07:00" else None)


@pytest.mark.parametrize(
    ("value", "expected"), [("2", 2), (3, 3), ("1.0", 1), ("", 0), (None, 0), (" 4 ", 4)]
)
def test_counts_are_whole_numbers_and_blank_is_the_default(value: object, expected: int) -> None:
    assert parse_count(value, "deaths") == expected


@pytest.mark.parametrize("value", ["-1", "1.5", "không rõ", "nan", True])
def test_counts_refuse_what_is_not_a_whole_number_at_least_zero(value: object) -> None:
    with pytest.raises(ValueProblem, match="deaths"):
        parse_count(value, "deaths")


def test_points_take_both_coordinates_and_decimal_commas() -> None:
    assert parse_point("14,3545", "108,013", NumberConvention.VI) == (14.3545, 108.013)
    assert parse_point("14,3545", "108.0135") == (14.3545, 108.0135)  # one reading each
    with pytest.raises(ValueProblem, match="ambiguous"):
        parse_point("14.3545", "108.013")  # no convention said: 108013 or 108.013?
    assert parse_point(None, "") is None
    with pytest.raises(ValueProblem, match="both"):
        parse_point("14.35", None)
    with pytest.raises(ValueProblem, match="latitude and longitude"):
        parse_point(95.0, 14.3)


def test_dig_follows_dotted_paths_and_gives_none_for_what_is_missing() -> None:
    message = {"vehicle": {"plate": "82A-123.45"}, "speed": 72}
    assert dig(message, "vehicle.plate") == "82A-123.45"
    assert dig(message, "speed") == 72
    assert dig(message, "vehicle.colour") is None
    assert dig(message, "speed.value") is None


def test_types_are_compared_in_one_spelling() -> None:
    assert normal_type(" Red-Light ") == "red_light"
    assert normal_type("No Helmet") == "no_helmet"


@pytest.mark.parametrize(
    ("deaths", "injuries", "severity"), [(0, 0, 1), (0, 2, 2), (1, 0, 3), (2, 5, 3), (3, 0, 4)]
)
def test_accident_severity_follows_the_casualties(
    deaths: int, injuries: int, severity: int
) -> None:
    assert accident_severity(deaths, injuries) == severity
