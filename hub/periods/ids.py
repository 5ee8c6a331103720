r"""Canonical period ids built from their parts: what every source's period reader produces.

``2026-03-05`` (a day), ``2026-W10`` (an ISO week), ``2026-03`` (a month), ``2026-Q1``,
``2026-H1``, ``2026``. Each builder checks its parts and raises :class:`PeriodError` for
parts no period has (month 13, week 54 of a 52-week year, 31 February), so that a source's
reader only says where the parts are: :func:`read_period_id` reads a text by a list of
notations, each a pattern whose groups are the parts of its builder::

    DHIS2 = [(re.compile(r"^(\d{4})(\d{2})$"), month_id),
             (re.compile(r"^(\d{4})Q([1-4])$"), quarter_id)]
    read_period_id("2024Q1", DHIS2)   # "2024-Q1"
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from datetime import date

from hub.periods.periods import PeriodError

PeriodNotation = tuple[re.Pattern[str], Callable[..., str]]
"""How a source writes one period type: a pattern whose groups (those that matched, as
numbers, in order) are the parts the builder (:func:`month_id`…) takes."""


def day_id(year: int, month: int, day: int) -> str:
    """``2026-03-05``."""
    try:
        return date(year, month, day).isoformat()
    except ValueError:
        raise PeriodError(f"{year:04d}-{month:02d}-{day:02d} is not a day") from None


def iso_weeks(year: int) -> int:
    """How many ISO weeks ``year`` has (52 or 53): 28 December is always in the last."""
    return date(year, 12, 28).isocalendar().week


def week_id(year: int, week: int) -> str:
    """``2026-W10``: an ISO week (Monday to Sunday)."""
    if not 1 <= week <= iso_weeks(year):
        raise PeriodError(f"week {week} of {year}: {year} has {iso_weeks(year)} ISO weeks")
    return f"{year:04d}-W{week:02d}"


def month_id(year: int, month: int) -> str:
    """``2026-03``."""
    if not 1 <= month <= 12:
        raise PeriodError(f"month {month} of {year} is not a month")
    return f"{year:04d}-{month:02d}"


def quarter_id(year: int, quarter: int) -> str:
    """``2026-Q1``."""
    if not 1 <= quarter <= 4:
        raise PeriodError(f"quarter {quarter} of {year} is not a quarter")
    return f"{year:04d}-Q{quarter}"


def half_id(year: int, half: int) -> str:
    """``2026-H1``."""
    if half not in (1, 2):
        raise PeriodError(f"half {half} of {year} is not a half-year")
    return f"{year:04d}-H{half}"


def year_id(year: int) -> str:
    """``2026``."""
    return f"{year:04d}"


def month_of(day: date) -> str:
    """The id of the month holding ``day``."""
    return month_id(day.year, day.month)


def week_of(day: date) -> str:
    """The id of the ISO week holding ``day``."""
    year, week, _ = day.isocalendar()
    return week_id(year, week)


def months_id(start: date, months: int) -> str:
    """The id of the period of 1, 3, 6 or 12 months starting on ``start`` (a 1st, aligned)."""
    if months == 1:
        return month_of(start)
    if months == 3:
        return quarter_id(start.year, (start.month - 1) // 3 + 1)
    if months == 6:
        return half_id(start.year, (start.month - 1) // 6 + 1)
    if months == 12:
        return year_id(start.year)
    raise PeriodError(f"no period type spans {months} months")


def read_period_id(text: str, notations: Iterable[PeriodNotation]) -> str | None:
    """The id of ``text`` as the first of ``notations`` whose pattern matches it reads it;
    None when none matches. Raises :class:`PeriodError` when the matching notation's parts
    make no period (``202413``: month 13)."""
    for pattern, build in notations:
        match = pattern.match(text)
        if match:
            return build(*(int(part) for part in match.groups() if part is not None))
    return None
