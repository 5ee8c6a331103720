"""Times written by sources, read one way for every connector.

:func:`parse_timestamp` reads ISO 8601 (``2026-03-05T08:30:00+07:00``, ``…Z``, a date alone)
or the ``strptime`` formats a source is configured with (``"%d/%m/%Y %H:%M"``), and gives an
aware ``datetime``: a time written without an offset is read in ``zone``, Vietnam's unless the
source says otherwise (legacy systems in a provincial office write local time). A text that is
no time raises :class:`TimestampError`, a :class:`~hub.connectors.errors.BadInput`: the
record is quarantined with the reason, never read as some other moment.

Two stricter readings serve standards that say more about their times (FHIR among them):
:func:`parse_instant` wants the offset written (a naive time is no instant), and
:func:`parse_partial` reads ISO 8601's reduced precisions (a year, a year and month, a day, a
time of day) and says which one it was given.

A format with a month but no year (syslog's BSD header ``%b %d %H:%M:%S``, CEF's) means the
most recent such moment: the year of ``now``, or the year before when that would put the time
more than a day ahead of ``now`` (December's message read in January); see
:func:`in_latest_year`, the one place of that rule.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import Any, Literal

from hub.connectors.errors import BadInput
from hub.zone import LOCAL_TIME

AHEAD_OF_NOW = timedelta(days=1)
"""How far ahead of now a time without a year may lie (clocks disagree) before it is read as
last year's."""

Precision = Literal["year", "month", "day", "time"]

_PARTIAL = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2})(T.+)?)?)?$")
"""``2024``, ``2024-07``, ``2024-07-01``, ``2024-07-01T…``: extended format only."""


class TimestampError(BadInput):
    """A value that is not a time (the message says which value, and what was expected)."""


def parse_timestamp(
    value: Any,
    zone: tzinfo | None = None,
    formats: Sequence[str] = (),
    now: datetime | None = None,
) -> datetime:
    """``value`` as an aware datetime; naive times are read in ``zone`` (default: Vietnam).

    ``value`` is a datetime, a date (its midnight) or a text: tried against ``formats`` in
    turn, then as ISO 8601. A format without a year gives the latest year that does not put the
    time ahead of ``now`` (default: the current time; see the module docstring). Raises
    :class:`TimestampError` otherwise (None and blanks too: see :func:`optional_timestamp`).
    """
    zone = zone or LOCAL_TIME
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=zone)
    if isinstance(value, date):
        return datetime.combine(value, time(), zone)
    if not isinstance(value, str) or not value.strip():
        raise TimestampError(f"{value!r} is not a time")
    text = value.strip()
    for layout in formats:
        moment = _formatted(text, layout, zone, now)
        if moment is not None:
            return moment
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        expected = " or ".join([*(repr(layout) for layout in formats), "ISO 8601"])
        raise TimestampError(f"{text!r} is not a time ({expected})") from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=zone)


def parse_instant(value: Any) -> datetime:
    """``value`` as an aware datetime, the offset written in it (``…Z``, ``…+07:00``).

    For sources whose times are instants by definition (FHIR's ``instant``, RFC 3339): a
    date alone, or a time without its offset, raises :class:`TimestampError` rather than be
    read in some zone.
    """
    if isinstance(value, datetime) and value.tzinfo is not None:
        return value
    text = value.strip() if isinstance(value, str) else ""
    try:
        parsed = datetime.fromisoformat(text) if "T" in text else None
    except ValueError:
        parsed = None
    if parsed is not None and parsed.tzinfo is not None:
        return parsed
    raise TimestampError(f"{value!r} is not an instant (a date and time with its offset)")


@dataclass(frozen=True)
class PartialTime:
    """A time written to some precision: ``start`` is its first moment (``2024-07`` starts
    on 1 July at midnight), ``precision`` says to what it was written."""

    start: datetime
    precision: Precision


def parse_partial(value: Any, zone: tzinfo | None = None) -> PartialTime:
    """``value`` as ISO 8601 (extended format) written to a year, a month, a day or a time
    of day, as FHIR's ``date`` and ``dateTime`` allow; naive times are read in ``zone``
    (default: Vietnam). Raises :class:`TimestampError` for anything else."""
    text = value.strip() if isinstance(value, str) else ""
    match = _PARTIAL.match(text)
    if match is None:
        raise TimestampError(f"{value!r} is not a time (a year, year-month, date or date-time)")
    year, month, day, clock = match.groups()
    if clock:
        return PartialTime(parse_timestamp(text, zone), "time")
    precision: Precision = "day" if day else "month" if month else "year"
    try:
        first = date(int(year), int(month or 1), int(day or 1))
    except ValueError:
        raise TimestampError(f"{text!r} is not a time (no such {precision})") from None
    return PartialTime(parse_timestamp(first, zone), precision)


def optional_timestamp(
    value: Any, zone: tzinfo | None = None, formats: Sequence[str] = ()
) -> datetime | None:
    """As :func:`parse_timestamp`, but None (or blank text) is None."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    return parse_timestamp(value, zone, formats)


def utc_text(moment: datetime, timespec: str = "auto") -> str:
    """``moment`` in UTC as ISO 8601 with a ``Z``: how queries and saved state write times."""
    return moment.astimezone(UTC).isoformat(timespec=timespec).replace("+00:00", "Z")


def in_latest_year(
    month: int, day: int, clock: time, zone: tzinfo, now: datetime | None = None
) -> datetime:
    """A time written without a year (``Dec 31 23:59:59``), in ``zone``: in the year of ``now``
    (default: the current time), or the year before when that would put it more than a day
    ahead of ``now`` (December's message read in January). 29 February falls in the latest
    year that has one, or on the 28th of the year before. Raises :class:`TimestampError` for a
    day no year has."""
    now = now or datetime.now(UTC)
    year = now.astimezone(zone).year
    for candidate in (year, year - 1):
        try:
            moment = datetime.combine(date(candidate, month, day), clock, zone)
        except ValueError:
            continue
        if moment - now <= AHEAD_OF_NOW:
            return moment
    if (month, day) == (2, 29):
        return datetime.combine(date(year - 1, 2, 28), clock, zone)
    raise TimestampError(f"{month:02d}-{day:02d} is not a day of any year")


def _formatted(text: str, layout: str, zone: tzinfo, now: datetime | None) -> datetime | None:
    """``text`` read by ``layout``, or None when it does not fit."""
    yearless = _yearless(layout)
    if yearless:  # read in a leap year, so that 29 February fits; the year comes after
        text, layout = f"2000 {text}", f"%Y {layout}"
    try:
        parsed = datetime.strptime(text, layout)
    except ValueError:
        return None
    if yearless:
        return in_latest_year(parsed.month, parsed.day, parsed.time(), parsed.tzinfo or zone, now)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=zone)


def _yearless(layout: str) -> bool:
    """A format naming a month but no year."""
    has_month = any(code in layout for code in ("%b", "%B", "%m"))
    return has_month and not any(code in layout for code in ("%Y", "%y", "%G"))
