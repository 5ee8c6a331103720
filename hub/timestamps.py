"""Times written by sources, read one way for every connector.

:func:`parse_timestamp` reads ISO 8601 (``2026-03-05T08:30:00+07:00``, ``…Z``, a date alone)
or the ``strptime`` formats a source is configured with (``"%d/%m/%Y %H:%M"``), and gives an
aware ``datetime``: a time written without an offset is read in ``zone``, Vietnam's unless the
source says otherwise (legacy systems in a provincial office write local time). A text that is
no time raises :class:`TimestampError`, a :class:`~hub.connectors.errors.BadInput`: the
record is quarantined with the reason, never read as some other moment.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, time, tzinfo
from typing import Any

from hub.connectors.errors import BadInput
from hub.zone import LOCAL_TIME


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
