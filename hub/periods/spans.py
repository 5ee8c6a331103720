"""Arithmetic on periods: the period holding a day, the next one, ranges, and nesting.

Nesting decides what can be rolled up into what. Every period of an inner kind must lie
whole inside one period of the outer kind:

- a day nests in every period of both calendars (days are the same in both);
- an ISO week nests in its own week, and in the Gregorian year that holds its Thursday
  (ISO 8601: a week belongs to the year of its Thursday), nowhere else: weeks straddle months;
- a month, quarter or half-year nests in the longer periods of its own calendar only: a
  Gregorian month straddles two reporting months of Decree 09 and the other way round.
"""

from __future__ import annotations

from datetime import date, timedelta
from functools import lru_cache

from hub.periods.periods import Calendar, Period, PeriodType, parse_period

RANK: dict[PeriodType, int] = {
    PeriodType.DAY: 0,
    PeriodType.WEEK: 1,
    PeriodType.MONTH: 2,
    PeriodType.QUARTER: 3,
    PeriodType.HALF_YEAR: 4,
    PeriodType.YEAR: 5,
}
CALENDAR_FREE = (PeriodType.DAY, PeriodType.WEEK)
"""Period types that are the same in both calendars."""

_MONTHS_PER = {PeriodType.MONTH: 1, PeriodType.QUARTER: 3, PeriodType.HALF_YEAR: 6}


def period_of(
    day: date, period_type: PeriodType, calendar: Calendar = Calendar.GREGORIAN
) -> Period:
    """The period of this type and calendar that holds ``day``."""
    calendar = Calendar(calendar)
    if period_type is PeriodType.DAY:
        return parse_period(day.isoformat(), calendar)
    if period_type is PeriodType.WEEK:
        year, week, _ = day.isocalendar()
        return parse_period(f"{year}-W{week:02d}", calendar)
    year, month = day.year, day.month
    if calendar is Calendar.ND09 and day.day > 14:  # past the cut-off: the next reporting month
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    if period_type is PeriodType.YEAR:
        return parse_period(str(year), calendar)
    if period_type is PeriodType.MONTH:
        return parse_period(f"{year}-{month:02d}", calendar)
    number = (month - 1) // _MONTHS_PER[period_type] + 1
    letter = "Q" if period_type is PeriodType.QUARTER else "H"
    return parse_period(f"{year}-{letter}{number}", calendar)


def next_period(period: Period) -> Period:
    """The period of the same type and calendar that follows ``period``."""
    return period_of(period.end + timedelta(days=1), period.type, period.calendar)


def periods_between(first: Period, last: Period) -> list[Period]:
    """``first``, ``last`` and every period between them (empty when ``first`` is later)."""
    found: list[Period] = []
    period = first
    while period.start <= last.start:
        found.append(period)
        period = next_period(period)
    return found


def nests(
    inner: PeriodType,
    inner_calendar: Calendar,
    outer: PeriodType,
    outer_calendar: Calendar,
) -> bool:
    """Whether every period of the inner kind lies whole in one period of the outer kind."""
    if inner is PeriodType.DAY:
        return True
    if inner is PeriodType.WEEK:
        return outer is PeriodType.WEEK or (
            outer is PeriodType.YEAR and Calendar(outer_calendar) is Calendar.GREGORIAN
        )
    if outer in CALENDAR_FREE:
        return False
    return Calendar(inner_calendar) is Calendar(outer_calendar) and RANK[inner] <= RANK[outer]


def containing(period: Period, period_type: PeriodType, calendar: Calendar) -> Period | None:
    """The period of this type and calendar that holds all of ``period``; None if none does."""
    if not nests(period.type, period.calendar, period_type, calendar):
        return None
    if period.type is PeriodType.WEEK and period_type is PeriodType.YEAR:
        thursday = period.start + timedelta(days=3)
        return parse_period(str(thursday.year), calendar)
    return period_of(period.start, period_type, calendar)


@lru_cache(maxsize=1 << 16)
def enclosing(period: Period) -> tuple[Period, ...]:
    """Every period that holds ``period`` whole, itself included, in both calendars.

    Days and weeks appear once, labelled GREGORIAN: they are the same in both calendars.
    """
    found: list[Period] = []
    for calendar in Calendar:
        for period_type in PeriodType:
            if period_type in CALENDAR_FREE and calendar is not Calendar.GREGORIAN:
                continue
            outer = containing(period, period_type, calendar)
            if outer is not None:
                found.append(outer)
    return tuple(found)


def add_months(day: date, months: int) -> date:
    """``day`` moved by ``months``, kept inside the month it lands in (31 Mar − 1 → 29 Feb)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    last = (date(year + month // 12, month % 12 + 1, 1) - timedelta(days=1)).day
    return date(year, month, min(day.day, last))
