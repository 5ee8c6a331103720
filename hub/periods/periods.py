"""Periods: a type, a canonical id, and the days they cover in a calendar.

Canonical ids: ``2026-03-05`` (day), ``2026-W10`` (ISO week), ``2026-03`` (month),
``2026-Q1`` (quarter), ``2026-H1`` (half-year), ``2026`` (year).

In the Gregorian calendar a month is a month. In the reporting calendar of Decree
09/2019/NĐ-CP (``ND09``) periods cut off on the 14th: the reporting month ``2026-03`` runs
15 Feb – 14 Mar, the quarter ``2026-Q1`` 15 Dec 2025 – 14 Mar 2026, the half-year ``2026-H1``
15 Dec – 14 Jun, the year ``2026`` 15 Dec 2025 – 14 Dec 2026. Days and ISO weeks are the same
in both calendars.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum
from functools import lru_cache


class PeriodType(StrEnum):
    DAY = "DAY"
    WEEK = "WEEK"
    MONTH = "MONTH"
    QUARTER = "QUARTER"
    HALF_YEAR = "HALF_YEAR"
    YEAR = "YEAR"


class Calendar(StrEnum):
    GREGORIAN = "GREGORIAN"
    ND09 = "ND09"


class PeriodError(ValueError):
    """A period id that does not parse, or does not exist."""


ND09_CUTOFF_DAY = 14

_PATTERNS: list[tuple[PeriodType, re.Pattern[str]]] = [
    (PeriodType.DAY, re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")),
    (PeriodType.WEEK, re.compile(r"^(\d{4})-W(\d{2})$")),
    (PeriodType.MONTH, re.compile(r"^(\d{4})-(\d{2})$")),
    (PeriodType.QUARTER, re.compile(r"^(\d{4})-Q([1-4])$")),
    (PeriodType.HALF_YEAR, re.compile(r"^(\d{4})-H([12])$")),
    (PeriodType.YEAR, re.compile(r"^(\d{4})$")),
]

# The first and last month of each period type's n-th period within a year.
_MONTH_SPANS = {
    PeriodType.MONTH: lambda n: (n, n),
    PeriodType.QUARTER: lambda n: (3 * n - 2, 3 * n),
    PeriodType.HALF_YEAR: lambda n: (6 * n - 5, 6 * n),
    PeriodType.YEAR: lambda n: (1, 12),
}


@dataclass(frozen=True, order=True)
class Period:
    """A period of a calendar: ``start`` and ``end`` are both inclusive."""

    start: date
    end: date
    id: str
    type: PeriodType
    calendar: Calendar = Calendar.GREGORIAN

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def contains(self, day: date) -> bool:
        return self.start <= day <= self.end


def parse_period(period_id: str, calendar: Calendar | str = Calendar.GREGORIAN) -> Period:
    """The period with this canonical id; PeriodError says why when there is none."""
    text = period_id.strip() if isinstance(period_id, str) else str(period_id)
    return _parse(text, Calendar(calendar))


@lru_cache(maxsize=1 << 16)
def _parse(text: str, calendar: Calendar) -> Period:
    # Cached: a load parses the same few hundred period ids millions of times.
    for period_type, pattern in _PATTERNS:
        match = pattern.match(text)
        if match:
            numbers = [int(group) for group in match.groups()]
            start, end = _span(period_type, numbers, text, calendar)
            return Period(start, end, text, period_type, calendar)
    raise PeriodError(
        f"{text!r} is not a period id (expected e.g. 2026-03-05, 2026-W10, 2026-03, "
        "2026-Q1, 2026-H1 or 2026)"
    )


def _span(kind: PeriodType, numbers: list[int], text: str, calendar: Calendar) -> tuple[date, date]:
    year = numbers[0]
    if kind is PeriodType.DAY:
        try:
            day = date(year, numbers[1], numbers[2])
        except ValueError as exc:
            raise PeriodError(f"{text!r} is not a date: {exc}") from None
        return day, day
    if kind is PeriodType.WEEK:
        try:
            monday = date.fromisocalendar(year, numbers[1], 1)
        except ValueError:
            raise PeriodError(f"{text!r}: {year} has no ISO week {numbers[1]}") from None
        return monday, monday + timedelta(days=6)
    number = numbers[1] if len(numbers) > 1 else 1
    if kind is PeriodType.MONTH and not 1 <= number <= 12:
        raise PeriodError(f"{text!r}: there is no month {number}")
    first_month, last_month = _MONTH_SPANS[kind](number)
    if calendar is Calendar.ND09:
        return _nd09_start(year, first_month), date(year, last_month, ND09_CUTOFF_DAY)
    return date(year, first_month, 1), _month_end(year, last_month)


def _nd09_start(year: int, month: int) -> date:
    """The day after the previous reporting month's cut-off."""
    if month == 1:
        return date(year - 1, 12, ND09_CUTOFF_DAY + 1)
    return date(year, month - 1, ND09_CUTOFF_DAY + 1)


def _month_end(year: int, month: int) -> date:
    if month == 12:
        return date(year, 12, 31)
    return date(year, month + 1, 1) - timedelta(days=1)
