"""A form's calendar: the periods around a report, when a period opens, and its deadlines.

Deadlines count Vietnamese working days after the period's cut-off (its last day: the 14th in
the Decree 09 calendar): Monday to Friday, less the public holidays (Vietnam's, from
:mod:`hub.reports.holidays`, and the configuration's ``[reports] holidays``), plus the weekend
days worked in their place (``[reports] workdays``). Counting working days, a deadline never
falls on a weekend or a holiday: it moves on to the next working day, and it always lies at
least one working day after the cut-off (a form's deadlines are at least 1).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta
from typing import Any

from hub.model.units import AdminLevel
from hub.periods import Period, PeriodType, parse_period
from hub.reports.errors import InputError
from hub.reports.holidays import MAKE_UP_WORKDAYS, is_public_holiday
from hub.reports.template import Template

SATURDAY = 5


class WorkingDays:
    """Monday to Friday, less the holidays given, plus the weekend days given as worked.

    With ``public_holidays``, Vietnam's public holidays are days off too and its make-up
    Saturdays are worked (:mod:`hub.reports.holidays`); a weekday in ``workdays`` is worked
    even if it is a public holiday (a decision this hub's list does not know yet).
    """

    def __init__(
        self,
        holidays: Iterable[date] = (),
        workdays: Iterable[date] = (),
        public_holidays: bool = False,
    ) -> None:
        self.holidays = frozenset(holidays)
        made_up = MAKE_UP_WORKDAYS if public_holidays else {}
        self.workdays = frozenset([*made_up, *workdays]) - self.holidays
        self.public_holidays = public_holidays

    def is_working_day(self, day: date) -> bool:
        """Whether state agencies work on ``day``."""
        if day in self.workdays:
            return True
        if day.weekday() >= SATURDAY or day in self.holidays:
            return False
        return not (self.public_holidays and is_public_holiday(day))

    def after(self, day: date, count: int) -> date:
        """The ``count``-th working day after ``day`` (``day`` itself does not count)."""
        found = 0
        while found < count:
            day += timedelta(days=1)
            found += self.is_working_day(day)
        return day


def vietnam_working_days() -> WorkingDays:
    """Monday to Friday less Vietnam's public holidays, plus its make-up Saturdays."""
    return WorkingDays(public_holidays=True)


def working_days(settings: Any) -> WorkingDays:
    """A deployment's working days, from its config's ``[reports]`` table.

    Monday to Friday less Vietnam's public holidays (unless ``public_holidays = false``) and
    the ``holidays`` listed, plus the weekend days worked in their place (``workdays``).
    """
    reports = getattr(settings, "reports", None)
    if reports is None:
        return vietnam_working_days()
    return WorkingDays(reports.holidays, reports.workdays, reports.public_holidays)


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
    """The last day on which the report of a unit of ``level`` is on time.

    ``days``: the deployment's working days (:func:`working_days`); without them, Monday to
    Friday less Vietnam's public holidays.
    """
    count = template.deadlines[AdminLevel(level)]
    return (days or vietnam_working_days()).after(period.end, count)


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
