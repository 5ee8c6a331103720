"""Open311 date-times, read by the hub's one parser.

GeoReport v2 writes date-times in W3C format (``2026-03-05T08:30:00+07:00``). A portal that
leaves out the offset means its own local time, which the connector's ``timezone`` names.
"""

from __future__ import annotations

from datetime import UTC, datetime, tzinfo

from hub.timestamps import TimestampError
from hub.timestamps import parse_timestamp as hub_timestamp


class BadTimestamp(TimestampError):
    """A value that is not a W3C date-time."""


def utc_now() -> datetime:
    """The current time, aware, in UTC."""
    return datetime.now(UTC)


def parse_timestamp(text: object, zone: tzinfo) -> datetime:
    """An aware date-time from an Open311 value; a value without offset is in ``zone``."""
    if not isinstance(text, str) or not text.strip():
        raise BadTimestamp(f"{text!r} is not a date and time")
    try:
        return hub_timestamp(text, zone)
    except TimestampError:
        raise BadTimestamp(f"{text!r} is not a date and time") from None


def optional_timestamp(text: object, zone: tzinfo) -> datetime | None:
    """Like :func:`parse_timestamp`, but None for an absent or unreadable value."""
    try:
        return parse_timestamp(text, zone)
    except BadTimestamp:
        return None


def query_timestamp(value: datetime, zone: tzinfo) -> str:
    """A date-time as a query parameter: W3C format, whole seconds, in the portal's zone."""
    return value.astimezone(zone).replace(microsecond=0).isoformat()
