"""A form's calendar: the periods around a report, when a period opens, and its deadlines.

Deadlines count Vietnamese working days, Monday to Friday, after the period's cut-off (its last
day: the 14th in the Decree 09 calendar). Public holidays can be given; by default none are.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta
from typing import Any

from hub.model.units import AdminLevel
from hub.periods import Period, PeriodType, parse_period
from hub.reports.errors import InputError
from hub.reports.template import Template

SATURDAY = 5


class WorkingDays:
    """Monday to Friday, less the holidays given."""

    def __init__(self, holidays: Iterable[date] = ()) -> None:
        self.holidays = frozenset(holidays)

    def is_working_day(self, day: date) -> bool:
        return day.weekday() < SATURDAY and day not in self.holidays

    def after(self, day: date, count: int) -> date:
        """The ``count``-th working day after ``day`` (``day`` itself does not count)."""
        found = 0
        while found < count:
            day += timedelta(days=1)
            found += self.is_working_day(day)
        return day


def working_days(settings: Any) -> WorkingDays:
    """A deployment's working days: the holidays of its config's ``[reports]`` table, if any.

    The config has no such table yet; once it gains ``holidays = [dates]`` there, every
    deadline counts them.
    """
    reports = getattr(settings, "reports", None)
    return WorkingDays(getattr(reports, "holidays", None) or ())


def report_period(template: Template, period_id: str) -> Period:
    """The period of this id in the form's calendar; InputError if it is not of its type."""
    try:
        period = parse_period(period_id, template.calendar)
    except ValueError as exc:
        raise InputError(str(exc)) from None
    if period.type is not template.period_type:
        raise InputError(
            f"{period_id!r} is a {period.type.value} period; the form "
            f"{template.code!r} is filed per {template.period_type.value}"
        )
    return period


def deadline(
    template: Template, level: AdminLevel | str, period: Period, days: WorkingDays | None = None
) -> date:
    """The last day on which the report of a unit of ``level`` is on time."""
    count = template.deadlines[AdminLevel(level)]
    return (days or WorkingDays()).after(period.end, count)


def opens_on(template: Template, period: Period) -> date:
    """The first day on which the period's report can be filed."""
    return period.end - timedelta(days=template.opens_days_before_cutoff)


def previous(period: Period) -> Period:
    """The period of the same type just before."""
    return _shifted(period, -1)


def last_year(period: Period) -> Period | None:
    """The same period one year earlier (None for a 29 February or an ISO week 53 without one)."""
    year, rest = period.id[:4], period.id[4:]
    try:
        return parse_period(f"{int(year) - 1:04d}{rest}", period.calendar)
    except ValueError:
        return None


def earlier_this_year(period: Period) -> list[Period]:
    """The periods of the same type and year before this one, oldest first."""
    if period.type is PeriodType.YEAR:
        return []
    found: list[Period] = []
    current = previous(period)
    while current.id[:4] == period.id[:4]:
        found.append(current)
        current = previous(current)
    return found[::-1]


def _shifted(period: Period, steps: int) -> Period:
    kind, year = period.type, int(period.id[:4])
    if kind is PeriodType.DAY:
        return parse_period((period.start + timedelta(days=steps)).isoformat(), period.calendar)
    if kind is PeriodType.WEEK:
        monday = period.start + timedelta(weeks=steps)
        iso_year, week, _ = monday.isocalendar()
        return parse_period(f"{iso_year}-W{week:02d}", period.calendar)
    if kind is PeriodType.YEAR:
        return parse_period(str(year + steps), period.calendar)
    per_year = {PeriodType.MONTH: 12, PeriodType.QUARTER: 4, PeriodType.HALF_YEAR: 2}[kind]
    index = year * per_year + int(period.id[-2:].lstrip("QH-")) - 1 + steps
    year, number = divmod(index, per_year)
    if kind is PeriodType.MONTH:
        return parse_period(f"{year:04d}-{number + 1:02d}", period.calendar)
    letter = "Q" if kind is PeriodType.QUARTER else "H"
    return parse_period(f"{year:04d}-{letter}{number + 1}", period.calendar)
