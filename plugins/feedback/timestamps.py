"""Open311 date-times, and the date windows a pass walks through.

GeoReport v2 writes date-times in W3C format (``2026-03-05T08:30:00+07:00``). A portal that
leaves out the offset means its own local time, which the connector's ``timezone`` names.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, tzinfo

from hub.timestamps import TimestampError
from hub.timestamps import parse_timestamp as hub_timestamp

BOUNDARY_OVERLAP = timedelta(seconds=1)
"""Consecutive windows share their boundary second, so that a request stamped exactly on it is
read whether the portal treats ``end_date`` as inclusive or not (a second read is harmless)."""


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


def state_timestamp(value: datetime | None) -> str | None:
    """A date-time as the checkpoint state keeps it (UTC, ISO 8601)."""
    return value.astimezone(UTC).isoformat() if value else None


def from_state(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text else None


@dataclass(frozen=True)
class Window:
    """A span of ``requested_datetime``, both ends included: one ``start_date``/``end_date``."""

    start: datetime
    end: datetime

    def holds(self, moment: datetime) -> bool:
        return self.start <= moment <= self.end

    def __str__(self) -> str:
        return f"{self.start.isoformat()} – {self.end.isoformat()}"


def windows(start: datetime, end: datetime, length: timedelta) -> Iterator[Window]:
    """Windows of at most ``length`` from ``start`` up to ``end``, each sharing its boundary
    second with the next (see BOUNDARY_OVERLAP). None when ``start`` is not before ``end``."""
    position = start
    while position < end:
        window = Window(position, min(position + length, end))
        yield window
        if window.end >= end:
            return
        position = window.end - BOUNDARY_OVERLAP
