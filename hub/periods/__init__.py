"""Typed periods with canonical ids, in the Gregorian and the Decree 09/2019 calendars."""

from hub.periods.periods import Calendar, Period, PeriodError, PeriodType, parse_period
from hub.periods.spans import (
    CALENDAR_FREE,
    RANK,
    add_months,
    containing,
    enclosing,
    nests,
    next_period,
    period_of,
    periods_between,
)

__all__ = [
    "CALENDAR_FREE",
    "RANK",
    "Calendar",
    "Period",
    "PeriodError",
    "PeriodType",
    "add_months",
    "containing",
    "enclosing",
    "nests",
    "next_period",
    "parse_period",
    "period_of",
    "periods_between",
]
