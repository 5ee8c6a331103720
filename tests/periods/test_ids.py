"""Period-id builders: the parts checked, the ids canonical."""

import re
from datetime import date

import pytest

from hub.periods import PeriodError, parse_period
from hub.periods.ids import (
    day_id,
    half_id,
    month_id,
    month_of,
    months_id,
    quarter_id,
    read_period_id,
    week_id,
    week_of,
    year_id,
)


def test_ids_are_canonical_and_parse_back() -> None:
    built = [
        day_id(2026, 3, 5),
        week_id(2026, 10),
        month_id(2026, 3),
        quarter_id(2026, 1),
        half_id(2026, 2),
        year_id(2026),
    ]
    assert built == ["2026-03-05", "2026-W10", "2026-03", "2026-Q1", "2026-H2", "2026"]
    assert [parse_period(text).id for text in built] == built


def test_week_53_exists_only_in_long_years() -> None:
    # a year has 53 ISO weeks when it begins on a Thursday (2026), or on a Wednesday in a
    # leap year (2020); 2025 began on a Wednesday and is not a leap year
    assert (week_id(2020, 53), week_id(2026, 53)) == ("2020-W53", "2026-W53")
    with pytest.raises(PeriodError, match="2025 has 52 ISO weeks"):
        week_id(2025, 53)
    assert week_of(date(2021, 1, 3)) == "2020-W53"  # a Sunday still in 2020's last week


@pytest.mark.parametrize(
    "build",
    [lambda: day_id(2026, 2, 31), lambda: month_id(2026, 13), lambda: quarter_id(2026, 5)],
)
def test_parts_no_period_has_are_refused(build) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(PeriodError):
        build()


def test_spans_of_months_from_their_first_day() -> None:
    assert month_of(date(2026, 11, 30)) == "2026-11"
    starts = [(date(2026, 4, 1), 3), (date(2026, 7, 1), 6), (date(2026, 1, 1), 12)]
    assert [months_id(start, months) for start, months in starts] == ["2026-Q2", "2026-H2", "2026"]
    with pytest.raises(PeriodError):
        months_id(date(2026, 1, 1), 2)


NOTATIONS = [
    (re.compile(r"^(\d{4})(\d{2})$"), month_id),
    (re.compile(r"^(\d{4})-?Q([1-4])$"), quarter_id),
]


def test_a_text_is_read_by_the_first_notation_that_matches_it() -> None:
    assert read_period_id("202403", NOTATIONS) == "2024-03"
    assert read_period_id("2024Q2", NOTATIONS) == "2024-Q2"
    assert read_period_id("nothing", NOTATIONS) is None


def test_groups_that_did_not_match_are_left_out_of_the_parts() -> None:
    swapped = [(re.compile(r"^(\d{4})-?Q([1-4])$|^Q([1-4])/(\d{4})$"), lambda q, y: f"{y}-Q{q}")]
    assert read_period_id("Q3/2024", swapped) == "2024-Q3"


def test_parts_that_make_no_period_raise() -> None:
    with pytest.raises(PeriodError, match="month 13"):
        read_period_id("202413", NOTATIONS)
