"""SDMX-JSON data messages (2.x, and the 1.0 layout) → source values.

A message holds data sets; each refers to a structure (``data.structures[ds.structure]``,
or the 1.0 ``structure`` object) whose dimensions sit at three levels: ``dataSet`` (one value
each), ``series`` and ``observation``. Keys are colon-separated indexes into the ``values`` of
the dimensions of a level, in the order they are listed. The three layouts:

- **time series**: ``dataSet.series["0:1"].observations["3"]`` (time at observation level);
- **cross-section**: the same shape, with time among the series dimensions;
- **flat**: ``dataSet.observations["0:1:3"]``, keyed by the series dimensions (if any)
  followed by the observation dimensions.

An observation is an array: the measure values first (one, or one per
``structure.measures.observation``), then the indexes of its observation-level attributes.
``null`` or an empty array is a missing value: no record (missing is not zero).

**Unit multipliers.** The ``UNIT_MULT`` attribute, wherever the structure attaches it (the data
set's ``attributes``, a series' ``attributes``, or an observation's attribute indexes), says
the power of ten a value is in: ``3412.3456`` with ``UNIT_MULT`` 9 is 3,412,345,600,000. Each
value is read in units (the lowest level that gives it wins), so that series of one message
sent in millions and in billions agree; the mapping's ``scale`` then converts to the metric's
unit. Other attributes are not read.

**Deletions.** A data set with ``action: "Delete"`` yields each observation it lists with
``delete=True``; the mapping turns it into an observation whose value is None, which overwrites
the stored value with "nothing reported". A Delete data set or series that lists no
observations would delete everything under it; it is quarantined instead, since the hub does
not guess which periods that covers. ``Information`` (the default), ``Append``, ``Replace``
and ``Merge`` are all upserts.

Anything malformed — not JSON, no data sets, a missing structure, a key with the wrong number
of positions, an index out of range, a period with no canonical id — is a ``BadRecord`` naming
the data set, series key and observation key; reading goes on with the rest.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from hub.connectors.records import BadRecord

from .mapping import Layout, SourceValue
from .periods import sdmx_period

LEVELS = ("dataSet", "series", "observation")
Item = Layout | SourceValue | BadRecord


class Malformed(ValueError):
    """A part of the message that does not follow SDMX-JSON."""


@dataclass(frozen=True)
class Dimension:
    id: str
    values: list[str | None]
    position: int
    """Its place in the full SDMX key (``keyPosition``), for the dotted key."""

    def value(self, index: Any) -> str:
        if not isinstance(index, int) and not (isinstance(index, str) and index.isdigit()):
            raise Malformed(f"{index!r} is not an index of dimension {self.id}")
        number = int(index)
        if number >= len(self.values) or self.values[number] is None:
            raise Malformed(
                f"index {number} is out of range for dimension {self.id} "
                f"({len(self.values)} values)"
            )
        return self.values[number]  # type: ignore[return-value]


@dataclass(frozen=True)
class Structure:
    """The dimensions of a data set's structure, by level, and where its measure is."""

    dimensions: dict[str, list[Dimension]]
    time: str
    measure_index: int
    name: str | None = None
    unit_mult: dict[str, tuple[int, list[int | None]]] | None = None
    """Per level, where ``UNIT_MULT`` is among its attributes and the powers its values say."""
    measures: int = 1

    @classmethod
    def parse(cls, raw: Any, time_dimension: str, measure: str) -> Structure:
        if not isinstance(raw, dict) or not isinstance(raw.get("dimensions"), dict):
            raise Malformed("the structure has no dimensions")
        dimensions = {level: _dimensions(raw["dimensions"], level) for level in LEVELS}
        every = [d for level in LEVELS for d in dimensions[level]]
        time = _time_dimension(raw["dimensions"], every, time_dimension)
        name = raw.get("name") if isinstance(raw.get("name"), str) else None
        measures = (
            raw.get("measures", {}).get("observation")
            if isinstance(raw.get("measures"), dict)
            else None
        )
        return cls(
            dimensions,
            time,
            _measure_index(raw, measure),
            name,
            _unit_mult(raw.get("attributes")),
            len(measures) if isinstance(measures, list) and measures else 1,
        )

    def power(self, level: str, indexes: Any) -> int | None:
        """The ``UNIT_MULT`` a level's attribute indexes give, if they give one."""
        where = (self.unit_mult or {}).get(level)
        if where is None or not isinstance(indexes, list):
            return None
        position, powers = where
        index = indexes[position] if position < len(indexes) else None
        if not isinstance(index, int) or not 0 <= index < len(powers):
            return None
        return powers[index]

    def decode(self, level: str, key: Any) -> dict[str, str]:
        """The dimension values of a ``"0:1"`` key at one level (or several levels' dims)."""
        return _decode(self.dimensions[level], key)

    def flat_dimensions(self) -> list[Dimension]:
        return self.dimensions["series"] + self.dimensions["observation"]

    def dotted(self, key: dict[str, str]) -> str:
        """The SDMX series key, e.g. ``M.62.CPI._T``: values by key position, time left out."""
        every = [d for level in LEVELS for d in self.dimensions[level] if d.id != self.time]
        return ".".join(key.get(d.id, "") for d in sorted(every, key=lambda d: d.position))


@dataclass(frozen=True)
class Message:
    """The parts of a data message the reader needs, in 2.x or 1.0 layout."""

    data_sets: list[Any]
    structures: list[Any]
    errors: list[Any]

    @classmethod
    def parse(cls, content: bytes) -> Message:
        try:
            message = json.loads(content)
        except UnicodeDecodeError as exc:
            raise Malformed(f"not UTF-8 text ({exc.reason} at byte {exc.start})") from None
        except json.JSONDecodeError as exc:
            where = f"line {exc.lineno} column {exc.colno}"
            raise Malformed(f"not valid JSON ({exc.msg} at {where})") from None
        if not isinstance(message, dict):
            raise Malformed("not an SDMX-JSON message (not a JSON object)")
        errors = message.get("errors") if isinstance(message.get("errors"), list) else []
        data = message["data"] if isinstance(message.get("data"), dict) else message  # 2.x : 1.0
        if not isinstance(data.get("dataSets"), list):
            raise Malformed(f"no data sets{_error_titles(errors)}")
        structures = data.get("structures")
        if not isinstance(structures, list):
            structures = [data["structure"]] if "structure" in data else []
        return cls(data["dataSets"], structures, errors)


def read_sdmx_json(
    content: bytes, time_dimension: str = "TIME_PERIOD", measure: str = "OBS_VALUE"
) -> Iterator[Item]:
    """Every value of every data set of an SDMX-JSON data message (see the module docstring)."""
    try:
        message = Message.parse(content)
    except Malformed as exc:
        yield BadRecord(f"message: {exc}", {"start": _start(content)}, "message")
        return
    if message.errors:
        reason = f"message: the sender reports errors{_error_titles(message.errors)}"
        yield BadRecord(reason, {"errors": message.errors}, "message")
    for number, data_set in enumerate(message.data_sets):
        yield from _data_set(number, data_set, message.structures, time_dimension, measure)


def describe_sdmx_json(content: bytes) -> str:
    """A one-line summary for ``check``; ValueError when this is no SDMX-JSON data message."""
    data_sets = [d for d in Message.parse(content).data_sets if isinstance(d, dict)]
    series = [s for d in data_sets for s in _mapping(d.get("series")).values()]
    observations = sum(len(_mapping(s.get("observations"))) for s in series if isinstance(s, dict))
    observations += sum(len(_mapping(d.get("observations"))) for d in data_sets)
    return (
        f"SDMX-JSON data message with {_count(len(data_sets), 'data set')}, "
        f"{_count(len(series), 'series', 'series')}, {_count(observations, 'observation')}"
    )


def _error_titles(errors: list[Any]) -> str:
    titles = [
        f"{error.get('code', '?')} {error.get('title', '')}".strip()
        for error in errors
        if isinstance(error, dict)
    ]
    return ": " + "; ".join(titles) if titles else ""


def _data_set(
    number: int, data_set: Any, structures: list[Any], time_dimension: str, measure: str
) -> Iterator[Item]:
    place = f"data set {number}"
    try:
        if not isinstance(data_set, dict):
            raise Malformed("not a JSON object")
        structure = Structure.parse(_structure_of(data_set, structures), time_dimension, measure)
        base = structure.decode("dataSet", ":".join("0" * len(structure.dimensions["dataSet"])))
    except Malformed as exc:
        yield BadRecord(f"{place}: {exc}", {"data_set": _summary(data_set)}, place)
        return
    power = structure.power("dataSet", data_set.get("attributes")) or 0
    reader = _DataSetReader(number, structure, base, _is_delete(data_set), power)
    yield Layout(tuple(d for d in reader.dimension_ids() if d != structure.time), place)
    yield from reader.read(data_set)


def _structure_of(data_set: dict[str, Any], structures: list[Any]) -> Any:
    index = data_set.get("structure", 0)
    if not isinstance(index, int) or not 0 <= index < len(structures):
        raise Malformed(f"structure {index!r} is not in the message ({len(structures)} structures)")
    return structures[index]


def _is_delete(data_set: dict[str, Any]) -> bool:
    return str(data_set.get("action", "Information")).casefold() == "delete"


@dataclass
class _DataSetReader:
    """Reads the series and flat observations of one data set."""

    number: int
    structure: Structure
    base: dict[str, str]
    delete: bool
    power: int = 0
    """The data set's ``UNIT_MULT``: its series' and observations' may say otherwise."""

    def dimension_ids(self) -> list[str]:
        return [d.id for level in LEVELS for d in self.structure.dimensions[level]]

    def read(self, data_set: dict[str, Any]) -> Iterator[Item]:
        place = f"data set {self.number}"
        series, flat = data_set.get("series"), data_set.get("observations")
        if series is None and flat is None and self.delete:
            yield _whole_delete(place, "data set")
        if series is not None:
            yield from self._all_series(series)
        if flat is not None:
            yield from self._flat(flat)

    def _all_series(self, all_series: Any) -> Iterator[Item]:
        if not isinstance(all_series, dict):
            place = f"data set {self.number}"
            yield BadRecord(f"{place}: series is not a JSON object", {}, place)
            return
        for series_key, series in all_series.items():
            yield from self._series(series_key, series)

    def _series(self, series_key: str, series: Any) -> Iterator[Item]:
        place = f"data set {self.number}, series '{series_key}'"
        try:
            key = {**self.base, **self.structure.decode("series", series_key)}
            if not isinstance(series, dict):
                raise Malformed("the series is not a JSON object")
            power = self.structure.power("series", series.get("attributes"))
            observations = _mapping_or_fail(series.get("observations", {}), "observations")
        except Malformed as exc:
            yield BadRecord(f"{place}: {exc}", {"series": _summary(series)}, place)
            return
        place = f"{place} ({self.structure.dotted(key)})"
        if self.delete and not observations:
            yield _whole_delete(place, "series")
        dimensions = self.structure.dimensions["observation"]
        for obs_key, observation in observations.items():
            yield self._observation(place, key, dimensions, obs_key, observation, power)

    def _flat(self, observations: Any) -> Iterator[Item]:
        place = f"data set {self.number}"
        if not isinstance(observations, dict):
            yield BadRecord(f"{place}: observations is not a JSON object", {}, place)
            return
        dimensions = self.structure.flat_dimensions()
        for obs_key, observation in observations.items():
            yield self._observation(place, self.base, dimensions, obs_key, observation)

    def _observation(
        self,
        prefix: str,
        known: dict[str, str],
        dimensions: list[Dimension],
        obs_key: str,
        observation: Any,
        series_power: int | None = None,
    ) -> Item:
        """One observation; ``known`` holds the key's values decoded so far (data set, series)."""
        place = f"{prefix}, observation '{obs_key}'"
        try:
            key = {**known, **_decode(dimensions, obs_key)}
            value = self._value(observation)
        except Malformed as exc:
            return BadRecord(f"{place}: {exc}", {"observation": observation}, place)
        time = key.pop(self.structure.time)
        dotted = self.structure.dotted(key)
        if dotted not in prefix:  # name the full key, unless the series' place already did
            place = f"{place} ({dotted})"
        period = sdmx_period(time)
        if period is None:
            payload = {"key": key, "time": time, "observation": observation}
            problem = f"time period {time!r} is not a day, week, month, quarter, half-year or year"
            return BadRecord(f"{place}: {problem}", payload, place)
        attributes = observation[self.structure.measures :] if observation else None
        power = self.structure.power("observation", attributes)
        unit_mult = next((p for p in (power, series_power, self.power) if p is not None), 0)
        return SourceValue(key, period, value, place, f"{dotted}@{time}", self.delete, unit_mult)

    def _value(self, observation: Any) -> Any:
        if observation is None:
            return None
        if not isinstance(observation, list):
            raise Malformed("the observation is not an array")
        index = self.structure.measure_index
        return observation[index] if index < len(observation) else None


def _unit_mult(attributes: Any) -> dict[str, tuple[int, list[int | None]]]:
    """Where ``UNIT_MULT`` sits among each level's attributes, and the power of each value."""
    found = {}
    for level in LEVELS:
        entries = attributes.get(level) if isinstance(attributes, dict) else None
        for position, entry in enumerate(entries if isinstance(entries, list) else []):
            if isinstance(entry, dict) and entry.get("id") == "UNIT_MULT":
                values = [_value_id(v) for v in entry.get("values") or []]
                found[level] = (position, [_power(v) for v in values])
    return found


def _power(code: str | None) -> int | None:
    try:
        return int(code) if code is not None else None
    except ValueError:
        return None


def _dimensions(raw: dict[str, Any], level: str) -> list[Dimension]:
    entries = raw.get(level) or []
    if not isinstance(entries, list):
        raise Malformed(f"dimensions.{level} is not an array")
    dimensions = []
    for order, entry in enumerate(entries):
        if not isinstance(entry, dict) or not isinstance(entry.get("id"), str):
            raise Malformed(f"dimensions.{level}[{order}] has no id")
        values = [_value_id(v) for v in entry.get("values") or []]
        position = entry.get("keyPosition")
        dimensions.append(Dimension(entry["id"], values, _position(position, level, order)))
    return dimensions


def _position(position: Any, level: str, order: int) -> int:
    if isinstance(position, int):
        return position
    return 1000 * LEVELS.index(level) + order  # no keyPosition: keep the listed order


def _value_id(value: Any) -> str | None:
    if not isinstance(value, dict):
        return None
    found = value.get("id", value.get("value"))
    return None if found is None else str(found)


def _time_dimension(raw: dict[str, Any], every: list[Dimension], wanted: str) -> str:
    ids = [d.id for d in every]
    if wanted in ids:
        return wanted
    for level in LEVELS:
        for entry in raw.get(level) or []:
            roles = entry.get("roles") or [entry.get("role")]
            if any(str(role).upper() in ("TIME_PERIOD", "TIME") for role in roles):
                return entry["id"]
    raise Malformed(f"no time dimension {wanted} (dimensions: {', '.join(ids) or 'none'})")


def _measure_index(raw: dict[str, Any], measure: str) -> int:
    measures = raw.get("measures")
    listed = measures.get("observation") if isinstance(measures, dict) else None
    if not isinstance(listed, list) or len(listed) <= 1:
        return 0  # one measure, whatever its id, is the first value
    ids = [m.get("id") for m in listed if isinstance(m, dict)]
    if measure not in ids:
        raise Malformed(f"no measure {measure} (measures: {', '.join(map(str, ids))})")
    return ids.index(measure)


def _decode(dimensions: list[Dimension], key: Any) -> dict[str, str]:
    if not isinstance(key, str):
        raise Malformed(f"key {key!r} is not a string")
    positions = key.split(":") if dimensions or key else []
    if len(positions) != len(dimensions):
        ids = ", ".join(d.id for d in dimensions) or "none"
        raise Malformed(
            f"key '{key}' has {len(positions)} positions, the structure has "
            f"{len(dimensions)} dimensions at this level ({ids})"
        )
    return {d.id: d.value(p) for d, p in zip(dimensions, positions, strict=True)}


def _whole_delete(place: str, what: str) -> BadRecord:
    reason = f"{place}: deleting a whole {what} is not supported; list the observations to delete"
    return BadRecord(reason, {"action": "Delete"}, place)


def _mapping(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _mapping_or_fail(value: Any, name: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise Malformed(f"{name} is not a JSON object")
    return value


def _summary(value: Any) -> Any:
    """A small, JSON-serialisable view of a large part, for a bad record's payload."""
    if isinstance(value, dict):
        return {k: v for k, v in value.items() if k not in ("series", "observations", "links")}
    return value


def _start(content: bytes) -> str:
    return content[:200].decode("utf-8", errors="replace")


def _count(number: int, singular: str, plural: str | None = None) -> str:
    return f"{number} {singular if number == 1 else plural or singular + 's'}"
