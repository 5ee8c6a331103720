"""Source period notations → the hub's canonical period ids.

Canonical ids: ``2026-03-05`` (day), ``2026-W10`` (ISO week), ``2026-03`` (month), ``2026-Q1``
(quarter), ``2026-H1`` (half-year), ``2026`` (year).

SDMX time periods (:func:`sdmx_period`), as SDMX 2.1/3.0 and common practice write them:

==========================================  ==============
source                                      canonical
==========================================  ==============
``2019``, ``2019-A1``, ``2019-A``           ``2019``
``2019-S1``, ``2019-H1``, ``2019S1``        ``2019-H1``
``2019-Q1``, ``2019Q1``                     ``2019-Q1``
``2019-01``, ``2019-M01``, ``2019M01``      ``2019-01``
``2019-W01``, ``2019-W1``, ``2019W01``      ``2019-W01``
``2019-01-15``, ``2019-D015``               ``2019-01-15``
``2019-01-15T00:00:00`` (midnight only)     ``2019-01-15``
``2019-04-01/P3M`` (aligned time ranges)    ``2019-Q2``
==========================================  ==============

Reporting periods are read as starting on 1 January (the default ``REPORTING_YEAR_START_DAY``).
Trimesters (``2019-T1``), times of day and ranges that do not match one whole period have no
canonical id: :func:`sdmx_period` returns None and the value is quarantined.

Excel headers (:func:`header_period`) also accept dates (the month, or the day, holding them)
and the Vietnamese notations of report tables: ``Tháng 1/2024``, ``T01/2024``, ``01/2024``,
``Quý I/2024``, ``Quý 2 năm 2024``, ``6 tháng đầu năm 2024``, ``Năm 2024``.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Literal

from hub.periods import PeriodError
from hub.periods.ids import (
    PeriodNotation,
    day_id,
    half_id,
    month_id,
    month_of,
    months_id,
    quarter_id,
    read_period_id,
    week_id,
    week_of,
    year_id,
)

DateHeaders = Literal["month", "day"]

_ROMAN = {"i": 1, "ii": 2, "iii": 3, "iv": 4}
_DURATION_MONTHS = {"P1M": 1, "P3M": 3, "P6M": 6, "P1Y": 12, "P12M": 12}

_YEAR = re.compile(r"^(\d{4})(?:-?A1?)?$")
_HALF = re.compile(r"^(\d{4})-?[SH]([12])$")
_QUARTER = re.compile(r"^(\d{4})-?Q([1-4])$")
_MONTH = re.compile(r"^(\d{4})-?M?(\d{2})$|^(\d{4})-?M(\d{1,2})$")
_WEEK = re.compile(r"^(\d{4})-?W(\d{1,2})$")
_DAY = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(?:T00:00(?::00(?:\.0+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?$")
_SDMX: tuple[PeriodNotation, ...] = (
    (_YEAR, year_id),
    (_HALF, half_id),
    (_QUARTER, quarter_id),
    (_MONTH, month_id),
    (_WEEK, week_id),
    (_DAY, day_id),
)
_REPORTING_DAY = re.compile(r"^(\d{4})-?D(\d{3})$")
_RANGE = re.compile(r"^(\d{4}-\d{2}-\d{2})(?:T[\d:.]+(?:Z|[+-]\d{2}:?\d{2})?)?/(P\w+)$")

_VI_MONTH = re.compile(r"^(?:tháng|th\.?|t)?\s*(\d{1,2})\s*(?:/|-|\.|năm)\s*(\d{4})$")
_VI_QUARTER = re.compile(r"^(?:quý|q)\s*(iv|i{1,3}|[1-4])\s*(?:/|-|năm)?\s*(\d{4})$")
_VI_HALF = re.compile(r"^6 tháng (đầu|cuối)(?: năm)?\s*(\d{4})$")
_VI_YEAR = re.compile(r"^năm\s*(\d{4})$")


def sdmx_period(text: str) -> str | None:
    """The canonical id of an SDMX time period, or None when it has none (see above)."""
    text = text.strip().upper()
    try:
        found = read_period_id(text, _SDMX)
    except PeriodError:
        return None
    return found or _reporting_day(text) or _time_range(text)


def header_period(value: object, date_headers: DateHeaders = "month") -> str | None:
    """The canonical period id of an Excel header cell, or None when it is not a period."""
    if isinstance(value, datetime | date):
        day = value.date() if isinstance(value, datetime) else value
        return day.isoformat() if date_headers == "day" else month_of(day)
    if isinstance(value, int | float) and not isinstance(value, bool):
        return f"{int(value)}" if value == int(value) and 1900 <= value <= 2100 else None
    if not isinstance(value, str):
        return None
    return sdmx_period(value) or _vietnamese_period(_fold(value))


def _fold(text: str) -> str:
    """Compare Vietnamese text whatever its Unicode form, case and spacing."""
    return " ".join(unicodedata.normalize("NFC", text).casefold().split())


def _vietnamese_period(text: str) -> str | None:
    if match := _VI_MONTH.match(text):
        return _built(month_id, int(match[2]), int(match[1]))
    if match := _VI_QUARTER.match(text):
        number = _ROMAN.get(match[1]) or int(match[1])
        return _built(quarter_id, int(match[2]), number)
    if match := _VI_HALF.match(text):
        return half_id(int(match[2]), 1 if match[1] == "đầu" else 2)
    if match := _VI_YEAR.match(text):
        return match[1]
    return None


def _built(build: Callable[..., str], *parts: int) -> str | None:
    """The id the hub's builder makes of the parts; None when no period has them."""
    try:
        return build(*parts)
    except PeriodError:
        return None


def _reporting_day(text: str) -> str | None:
    match = _REPORTING_DAY.match(text)
    if not match:
        return None
    year, ordinal = int(match[1]), int(match[2])
    day = date(year, 1, 1) + timedelta(days=ordinal - 1)
    return day.isoformat() if ordinal >= 1 and day.year == year else None


def _time_range(text: str) -> str | None:
    """A range that covers exactly one day, ISO week, month, quarter, half-year or year."""
    match = _RANGE.match(text)
    if not match:
        return None
    try:
        start = date.fromisoformat(match[1])
    except ValueError:
        return None
    duration = match[2]
    if duration == "P1D":
        return start.isoformat()
    if duration in ("P7D", "P1W"):
        return week_of(start) if start.isoweekday() == 1 else None
    months = _DURATION_MONTHS.get(duration)
    if months is None or start.day != 1 or (start.month - 1) % months:
        return None
    return months_id(start, months)
