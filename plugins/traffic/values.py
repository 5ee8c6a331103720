"""Reading single values out of source records: times, counts, coordinates, text, paths.

Each reader takes what a source gives (text from a CSV cell, a JSON value, an XML element's
text) and returns a typed value, or raises :class:`ValueProblem` saying what is wrong with it.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

EPOCH_MILLISECONDS_FROM = 100_000_000_000
"""An epoch number at least this big counts milliseconds (in seconds it would be year 5138)."""
MAX_ID_CHARS = 300
"""The longest source id (and facility name) the hub's tables hold."""


class ValueProblem(ValueError):
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
    offset is left naive: the hub reads it as Vietnam time.
    """
    if isinstance(value, datetime):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return _from_epoch(value)
    raw = text(value)
    if raw is None:
        raise ValueProblem("no time")
    try:
        if time_format:
            return datetime.strptime(raw, time_format)
        return datetime.fromisoformat(raw)
    except ValueError:
        expected = f"the format {time_format!r}" if time_format else "ISO 8601"
        raise ValueProblem(f"time {raw!r} is not in {expected}") from None


def parse_count(value: Any, name: str, blank: int | None = 0) -> int | None:
    """A whole number of people or vehicles, at least 0; ``blank`` when the value is empty."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return blank
    number = _number(value, name)
    if number < 0 or not number.is_integer():
        raise ValueProblem(f"{name} {value!r} is not a whole number at least 0")
    return int(number)


def parse_number(value: Any, name: str) -> float | None:
    """A finite number (a decimal comma is accepted); None when the value is empty."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    return _number(value, name)


def parse_point(lat: Any, lon: Any) -> tuple[float, float] | None:
    """Latitude and longitude in degrees, both or neither; None when neither is given."""
    latitude, longitude = parse_number(lat, "latitude"), parse_number(lon, "longitude")
    if latitude is None and longitude is None:
        return None
    if latitude is None or longitude is None:
        raise ValueProblem("a point needs both latitude and longitude")
    if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
        raise ValueProblem(f"({latitude}, {longitude}) is not a latitude and longitude")
    return latitude, longitude


def dig(data: Any, path: str) -> Any:
    """The value at a dotted ``path`` in nested JSON objects (``"vehicle.plate"``), or None."""
    if type(data) is dict and "." not in path:  # the common case, at a stream's pace
        return data.get(path)
    for key in path.split("."):
        if not isinstance(data, Mapping):
            return None
        data = data.get(key)
    return data


def _number(value: Any, name: str) -> float:
    if isinstance(value, bool):
        raise ValueProblem(f"{name} {value!r} is not a number")
    raw = value.strip() if isinstance(value, str) else value
    if isinstance(raw, str) and "," in raw and "." not in raw:
        raw = raw.replace(",", ".")  # a decimal comma, as Vietnamese spreadsheets write
    try:
        number = float(raw)
    except (TypeError, ValueError):
        raise ValueProblem(f"{name} {value!r} is not a number") from None
    if not math.isfinite(number):
        raise ValueProblem(f"{name} {value!r} is not a finite number")
    return number


def _from_epoch(value: float) -> datetime:
    seconds = value / 1000 if abs(value) >= EPOCH_MILLISECONDS_FROM else value
    try:
        return datetime.fromtimestamp(seconds, UTC)
    except (OverflowError, OSError, ValueError):
        raise ValueProblem(f"time {value!r} is not an epoch time") from None
