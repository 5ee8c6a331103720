"""Reading single values out of source records: times, counts, coordinates, text, paths.

Each reader takes what a source gives (text from a CSV cell, a JSON value, an XML element's
text) and returns a typed value, or raises :class:`ValueProblem` saying what is wrong with it.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from hub.connectors.errors import BadInput
from hub.connectors.http import dig as dig  # the kit's, re-exported for this plugin's modules
from hub.numbers import NumberConvention, NumberError
from hub.numbers import parse_number as read_number
from hub.timestamps import TimestampError, parse_timestamp

EPOCH_MILLISECONDS_FROM = 100_000_000_000
"""An epoch number at least this big counts milliseconds (in seconds it would be year 5138)."""
MAX_ID_CHARS = 300
"""The longest source id (and facility name) the hub's tables hold."""


class ValueProblem(BadInput):
    """A value that cannot be read as what it should be."""


def text(value: Any) -> str | None:
    """The value as stripped text; None for None or blank text."""
    if value is None:
        return None
    stripped = str(value).strip()
    return stripped or None


def replaced(data: Mapping[str, Any], path: str, value: Any) -> dict[str, Any]:
    """A copy of nested JSON objects with the value at a dotted ``path`` replaced."""
    head, _, rest = path.partition(".")
    copy = dict(data)
    if rest and isinstance(copy.get(head), Mapping):
        copy[head] = replaced(copy[head], rest, value)
    elif not rest and head in copy:
        copy[head] = value
    return copy


def identifier(value: Any, name: str = "id") -> str:
    """A source's id for a record: present, and short enough for the hub to store."""
    found = text(value)
    if found is None:
        raise ValueProblem(f"no {name}")
    if len(found) > MAX_ID_CHARS:
        raise ValueProblem(f"{name} is longer than {MAX_ID_CHARS} characters")
    return found


def scrub(value: Any) -> Any:
    """The value with every NUL character taken out of its texts, at any depth.

    JSON allows ``\\u0000`` but PostgreSQL cannot store it: one such text would fail the
    whole batch it is in, and a redelivered message would fail it again and again.
    """
    if isinstance(value, str):
        return value.replace("\x00", "")
    if isinstance(value, dict):
        return {scrub(key): scrub(item) for key, item in value.items()}
    if isinstance(value, list):
        return [scrub(item) for item in value]
    return value


def normal_type(source: str) -> str:
    """A type in the hub's spelling: lower case, ``-`` and spaces read as ``_``."""
    return source.strip().lower().replace("-", "_").replace(" ", "_")


def parse_time(value: Any, time_format: str | None = None) -> datetime:
    """A date-time from an ISO 8601 text (or ``time_format``), a datetime or an epoch number.

    An epoch number counts seconds, or milliseconds when it is that big. A time without an
    offset is read as Vietnam time (see :func:`hub.timestamps.parse_timestamp`).
    """
    if isinstance(value, int | float) and not isinstance(value, bool):
        return _from_epoch(value)
    if not isinstance(value, datetime) and text(value) is None:
        raise ValueProblem("no time")
    try:
        return parse_timestamp(value, formats=[time_format] if time_format else ())
    except TimestampError:
        expected = f"the format {time_format!r}" if time_format else "ISO 8601"
        raise ValueProblem(f"time {text(value)!r} is not in {expected}") from None


MACHINE: NumberConvention | None = None
"""The convention of text numbers when a source says none: only what one reading fits is
read (``12,5``, ``14.72280``), an ambiguous ``14.354`` is refused. XML Schema decimals
(DATEX II) are ``en``."""


def parse_count(
    value: Any, name: str, blank: int | None = 0, numbers: NumberConvention | None = MACHINE
) -> int | None:
    """A whole number of people or vehicles, at least 0; ``blank`` when the value is empty.

    Text is read by :mod:`hub.numbers` in the ``numbers`` convention (None: only what one
    reading fits, an ambiguous ``1.234`` refused)."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return blank
    number = _number(value, name, numbers)
    if number < 0 or not number.is_integer():
        raise ValueProblem(f"{name} {value!r} is not a whole number at least 0")
    return int(number)


def parse_number(value: Any, name: str, numbers: NumberConvention | None = MACHINE) -> float | None:
    """A finite number (see :func:`parse_count` for text); None when the value is empty."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    return _number(value, name, numbers)


def parse_point(
    lat: Any, lon: Any, numbers: NumberConvention | None = MACHINE
) -> tuple[float, float] | None:
    """Latitude and longitude in degrees, both or neither; None when neither is given."""
    latitude = parse_number(lat, "latitude", numbers)
    longitude = parse_number(lon, "longitude", numbers)
    if latitude is None and longitude is None:
        return None
    if latitude is None or longitude is None:
        raise ValueProblem("a point needs both latitude and longitude")
    if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
        raise ValueProblem(f"({latitude}, {longitude}) is not a latitude and longitude")
    return latitude, longitude


def _number(value: Any, name: str, numbers: NumberConvention | None) -> float:
    try:
        number = read_number(value, numbers)
    except NumberError as exc:
        raise ValueProblem(f"{name} {exc}") from None
    if number is None:
        raise ValueProblem(f"{name} {value!r} is not a number")
    return number


def _from_epoch(value: float) -> datetime:
    seconds = value / 1000 if abs(value) >= EPOCH_MILLISECONDS_FROM else value
    try:
        return datetime.fromtimestamp(seconds, UTC)
    except (OverflowError, OSError, ValueError):
        raise ValueProblem(f"time {value!r} is not an epoch time") from None
