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
from dataclasses import dataclass

from hub.periods import PeriodError
from hub.periods.ids import (
    PeriodNotation,
    day_id,
    half_id,
    month_id,
    quarter_id,
    read_period_id,
    week_id,
    year_id,
)

NOTATIONS: tuple[PeriodNotation, ...] = (
    (re.compile(r"^(\d{4})(\d{2})(\d{2})$"), day_id),
    (re.compile(r"^(\d{4})W(\d{1,2})$"), week_id),
    (re.compile(r"^(\d{4})(\d{2})$"), month_id),
    (re.compile(r"^(\d{4})Q([1-4])$"), quarter_id),
    (re.compile(r"^(\d{4})S([12])$"), half_id),
    (re.compile(r"^(\d{4})$"), year_id),
)
"""The DHIS2 period types the hub has, as DHIS2 writes their ids."""
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
    try:
        found = read_period_id(text, NOTATIONS)
    except PeriodError as exc:
        return Period(None, f"DHIS2 period {text!r}: {exc}")
    if found is not None:
        return Period(found)
    for pattern, what in _OTHER_TYPES:
        if pattern.match(text):
            return Period(None, f"DHIS2 period {text!r} is {what}, which the hub has no type for")
    return Period(None, f"{text!r} is not a DHIS2 period")
