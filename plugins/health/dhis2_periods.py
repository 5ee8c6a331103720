"""DHIS2 period ids → the hub's canonical period ids.

==================  ============  ===============
DHIS2 period type   DHIS2 id      canonical id
==================  ============  ===============
Daily               ``20240115``  ``2024-01-15``
Weekly (ISO)        ``2024W3``    ``2024-W03``
Monthly             ``202401``    ``2024-01``
Quarterly           ``2024Q1``    ``2024-Q1``
SixMonthly          ``2024S1``    ``2024-H1``
Yearly              ``2024``      ``2024``
==================  ============  ===============

The other DHIS2 types — weeks starting on another day (``2024WedW3``), bi-weeks
(``2024BiW2``), bi-months (``202401B``), six-months or financial years that start in another
month (``2024AprilS1``, ``2024July``), quarters starting in November — span no hub period:
:func:`dhis2_period` says so rather than guess.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from hub.periods import PeriodError
from hub.periods.ids import day_id, half_id, month_id, quarter_id, week_id, year_id

_DAILY = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_WEEKLY = re.compile(r"^(\d{4})W(\d{1,2})$")
_MONTHLY = re.compile(r"^(\d{4})(\d{2})$")
_QUARTERLY = re.compile(r"^(\d{4})Q([1-4])$")
_SIX_MONTHLY = re.compile(r"^(\d{4})S([12])$")
_YEARLY = re.compile(r"^(\d{4})$")
_OTHER_TYPES = (
    (re.compile(r"^\d{4}(Wed|Thu|Sat|Sun)W\d{1,2}$"), "a week that does not start on Monday"),
    (re.compile(r"^\d{4}BiW\d{1,2}$"), "a bi-week"),
    (re.compile(r"^\d{6}B$"), "a bi-month"),
    (re.compile(r"^\d{4}(April|Nov)S[12]$"), "a six-month period not starting in January"),
    (re.compile(r"^\d{4}NovQ[1-4]$"), "a quarter starting in November"),
    (re.compile(r"^\d{4}(April|July|Oct|Nov)$"), "a financial year"),
)


@dataclass(frozen=True)
class Period:
    """A canonical period id, or why a DHIS2 period has none."""

    id: str | None
    problem: str | None = None


def dhis2_period(text: str) -> Period:
    """The canonical id of a DHIS2 period id (see the module docstring)."""
    text = text.strip()
    for read in (_day, _week, _month, _quarter, _half, _year):
        found = read(text)
        if found is not None:
            return found
    for pattern, what in _OTHER_TYPES:
        if pattern.match(text):
            return Period(None, f"DHIS2 period {text!r} is {what}, which the hub has no type for")
    return Period(None, f"{text!r} is not a DHIS2 period")


def _day(text: str) -> Period | None:
    match = _DAILY.match(text)
    return _built(text, day_id, int(match[1]), int(match[2]), int(match[3])) if match else None


def _week(text: str) -> Period | None:
    match = _WEEKLY.match(text)
    return _built(text, week_id, int(match[1]), int(match[2])) if match else None


def _month(text: str) -> Period | None:
    match = _MONTHLY.match(text)
    return _built(text, month_id, int(match[1]), int(match[2])) if match else None


def _quarter(text: str) -> Period | None:
    match = _QUARTERLY.match(text)
    return _built(text, quarter_id, int(match[1]), int(match[2])) if match else None


def _half(text: str) -> Period | None:
    match = _SIX_MONTHLY.match(text)
    return _built(text, half_id, int(match[1]), int(match[2])) if match else None


def _year(text: str) -> Period | None:
    match = _YEARLY.match(text)
    return _built(text, year_id, int(match[1])) if match else None


def _built(text: str, build: Callable[..., str], *parts: int) -> Period:
    """The id the hub's builder makes of the parts, or why the DHIS2 period has none."""
    try:
        return Period(build(*parts))
    except PeriodError as exc:
        return Period(None, f"DHIS2 period {text!r}: {exc}")
