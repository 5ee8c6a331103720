"""Period arithmetic the roll-ups rely on: the period of a day, ranges, and nesting."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hub.periods import (
    Calendar,
    PeriodType,
    add_months,
    containing,
    enclosing,
    nests,
    next_period,
    parse_period,
    period_of,
    periods_between,
)

days = st.dates(min_value=date(1990, 1, 1), max_value=date(2100, 12, 31))
kinds = st.sampled_from(list(PeriodType))
calendars = st.sampled_from(list(Calendar))


@given(days, kinds, calendars)
def test_the_period_of_a_day_holds_it_and_is_followed_by_the_next(
    day: date, period_type: PeriodType, calendar: Calendar
) -> None:
    period = period_of(day, period_type, calendar)
    assert period.start <= day <= period.end
    assert period == parse_period(period.id, calendar)
    assert next_period(period).start == period.end + timedelta(days=1)


@given(days, calendars)
def test_months_nest_in_quarters_half_years_and_years_of_their_calendar(
    day: date, calendar: Calendar
) -> None:
    month = period_of(day, PeriodType.MONTH, calendar)
    for longer in (PeriodType.QUARTER, PeriodType.HALF_YEAR, PeriodType.YEAR):
        outer = containing(month, longer, calendar)
        assert outer is not None and outer.start <= month.start and month.end <= outer.end


@pytest.mark.parametrize(
    ("day", "calendar", "expected"),
    [
        (date(2026, 3, 14), Calendar.ND09, "2026-03"),
        (date(2026, 3, 15), Calendar.ND09, "2026-04"),
        (date(2025, 12, 15), Calendar.ND09, "2026-01"),
        (date(2025, 12, 14), Calendar.GREGORIAN, "2025-12"),
    ],
)
def test_a_reporting_month_starts_on_the_15th(day: date, calendar: Calendar, expected: str) -> None:
    assert period_of(day, PeriodType.MONTH, calendar).id == expected


def test_what_nests_in_what() -> None:
    greg, nd09 = Calendar.GREGORIAN, Calendar.ND09
    assert nests(PeriodType.DAY, greg, PeriodType.QUARTER, nd09)
    assert nests(PeriodType.MONTH, nd09, PeriodType.YEAR, nd09)
    assert not nests(PeriodType.MONTH, greg, PeriodType.QUARTER, nd09)
    assert nests(PeriodType.WEEK, greg, PeriodType.YEAR, greg)
    assert not nests(PeriodType.WEEK, greg, PeriodType.MONTH, greg)
    assert not nests(PeriodType.YEAR, greg, PeriodType.MONTH, greg)


def test_a_week_is_held_by_the_year_of_its_thursday() -> None:
    week = parse_period("2026-W01")  # Monday 29 December 2025 to Sunday 4 January 2026
    assert containing(week, PeriodType.YEAR, Calendar.GREGORIAN).id == "2026"
    assert containing(week, PeriodType.MONTH, Calendar.GREGORIAN) is None


def test_enclosing_lists_every_period_holding_a_day_once() -> None:
    found = {(p.calendar.value, p.id) for p in enclosing(parse_period("2025-06-20"))}
    assert found == {
        ("GREGORIAN", "2025-06-20"),
        ("GREGORIAN", "2025-W25"),
        ("GREGORIAN", "2025-06"),
        ("GREGORIAN", "2025-Q2"),
        ("GREGORIAN", "2025-H1"),
        ("GREGORIAN", "2025"),
        ("ND09", "2025-07"),
        ("ND09", "2025-Q3"),
        ("ND09", "2025-H2"),
        ("ND09", "2025"),
    }


def test_ranges_and_months() -> None:
    first, last = parse_period("2025-11", "ND09"), parse_period("2026-02", "ND09")
    assert [p.id for p in periods_between(first, last)] == [
        "2025-11",
        "2025-12",
        "2026-01",
        "2026-02",
    ]
    assert periods_between(last, first) == []
    assert add_months(date(2024, 3, 31), -1) == date(2024, 2, 29)
    assert add_months(date(2024, 1, 15), -12) == date(2023, 1, 15)
