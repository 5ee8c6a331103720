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
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, tzinfo
from typing import Any, Literal

from hub.connectors.errors import BadInput
from hub.zone import LOCAL_TIME

Precision = Literal["year", "month", "day", "time"]

_PARTIAL = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2})(T.+)?)?)?$")
"""``2024``, ``2024-07``, ``2024-07-01``, ``2024-07-01T…``: extended format only."""


class TimestampError(BadInput):
    """A value that is not a time (the message says which value, and what was expected)."""


def parse_timestamp(
    value: Any, zone: tzinfo | None = None, formats: Sequence[str] = ()
) -> datetime:
    """``value`` as an aware datetime; naive times are read in ``zone`` (default: Vietnam).

    ``value`` is a datetime, a date (its midnight) or a text: tried against ``formats`` in
    turn, then as ISO 8601. Raises :class:`TimestampError` otherwise (None and blanks too:
    see :func:`optional_timestamp`).
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
        try:
            parsed = datetime.strptime(text, layout)
        except ValueError:
            continue
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=zone)
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
