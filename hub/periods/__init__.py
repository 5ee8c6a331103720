"""Typed periods with canonical ids, in the Gregorian and the Decree 09/2019 calendars."""

from hub.periods.periods import Calendar, Period, PeriodError, PeriodType, parse_period

__all__ = ["Calendar", "Period", "PeriodError", "PeriodType", "parse_period"]
