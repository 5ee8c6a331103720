"""Turns records yielded by connectors into rows of the shared model, or into a reason why not.

A record that fails a check becomes a :class:`Rejection`, which the writer quarantines with
the raw record, so one bad record never stops a run. A record with a field the database
cannot hold at all (a metric, unit code or facility name that is missing or not text, a
disaggregation that is not a mapping) raises :class:`~hub.connectors.errors.BadInput` from
:func:`check_shape`, which the runtime quarantines the same way.
"""

from __future__ import annotations

import dataclasses
import math
from datetime import date, datetime
from functools import cache
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.connectors import records
from hub.connectors.errors import BadInput
from hub.model import EventKind, Metric
from hub.numbers import NumberConvention, NumberError, parse_number
from hub.periods import Period, PeriodError, parse_period
from hub.units.queries import UnitResolver
from hub.zone import LOCAL_TIME


@dataclasses.dataclass(frozen=True)
class Rejection:
    """Why a record cannot be loaded; it goes to quarantine."""

    reason: str
    payload: Any
    place: str | None = None


@dataclasses.dataclass(frozen=True, slots=True)
class _Cell:
    """A metric and one combination of its disaggregation values, checked."""

    metric_id: int
    key: str
    dims: dict[str, str]
    too_long: str
    """Why the combination cannot be stored ("" when it can); likewise below."""
    no_metric: str
    not_of_metric: str


@dataclasses.dataclass
class Row:
    """A normalised record: the table it goes to and its column values."""

    table: str  # "observations", "events" or "facilities"
    values: dict[str, Any]
    part: str | None = None
    """For an observation that is one part of its cell's value, the part's name: the retired
    unit code it was given for (placed on the unit the code went into), and the source's own
    part of the cell if it names one (see :mod:`hub.ingest.successions`)."""
    placed: bool = False
    """Whether it was given for a retired unit code and placed through a succession."""


class Normaliser:
    """Checks records against the definitions and units in the database."""

    def __init__(self, session: Session, source: str, units: UnitResolver) -> None:
        self.source = source
        self.units = units
        self.metrics = {m.code: m for m in session.scalars(select(Metric))}
        self.event_kinds = {k.code: k for k in session.scalars(select(EventKind))}
        # Read once, then used apart from the session (which may be busy in another thread).
        for loaded in (*self.metrics.values(), *self.event_kinds.values()):
            session.expunge(loaded)
        self._periods: dict[tuple[str, str], tuple[Period, dict[str, Any]] | str] = {}
        self._cells: dict[tuple[Any, ...], _Cell] = {}

    def normalise(self, record: records.Record) -> Row | Rejection:
        """The record as a row, or why it is rejected; raises :class:`BadInput` for a record
        whose fields cannot be stored (see :func:`check_shape`)."""
        if isinstance(record, records.Observation):
            return self.observation(record)
        check_shape(record)
        # Its attributes are made JSON-safe (NUL included) as its row is made: only its text
        # fields here.
        record = _without_nul(record, dictionaries=False)
        problem = _key_problem(record)
        if problem:
            return self.reject(record, problem)
        if isinstance(record, records.Event):
            return self.event(record)
        return self.facility(record)

    def observation(self, record: records.Observation) -> Row | Rejection:
        # Millions of these go through a load: the checks of other records, specialised,
        # and what repeats (a metric's cells, periods, units) checked once and remembered.
        if type(record.metric) is not str or record.unit is None or type(record.dims) is not dict:
            check_shape(record)
        if _text_has_nul(record):
            record = _without_nul(record)
        cell = self._cell(record.metric, record.dims)
        if cell is None:  # cells not plain text yet
            record = _without_nul(record)
            cell = self._check_cell(record.metric, record.dims)
        problem = cell.too_long or _source_id_problem(record.source_id) or cell.no_metric
        if problem:
            return self.reject(record, problem)
        found = self._period(record.period, record.calendar)
        if isinstance(found, str):
            return self.reject(record, f"period: {found}")
        period, columns = found
        # A Decree 09 month starts on the 15th of the month before: July 2025 starts on
        # 15 June, before the communes of the 2025 map existed, and ends after.
        day = period.start
        unit_id = self.units.place(record.unit, day)
        if unit_id is None and period.end != period.start:
            day = period.end
            unit_id = self.units.place(record.unit, day)
        if unit_id is None:
            return self.reject(
                record, f"unknown unit {record.unit!r} on {period.start.isoformat()}"
            )
        if cell.not_of_metric:
            return self.reject(record, cell.not_of_metric)
        value, problem = _number(record.value)
        if problem:
            return self.reject(record, problem)
        return Row(
            "observations",
            {
                "metric_id": cell.metric_id,
                "unit_id": unit_id,
                **columns,
                "dims_key": cell.key,
                "dims": cell.dims,
                "value": value,
                "source": self.source,
                "source_record_id": record.source_id,
            },
            *_part(record, self.units.retired_code(record.unit, day), unit_id, self.units),
        )

    def _cell(self, metric_code: str, dims: dict[str, str]) -> _Cell | None:
        """What a metric's cell (its disaggregation values) is, and what is wrong with it.

        None when the values are not plain text free of NUL characters.
        """
        remembered = (metric_code, *dims.items())
        try:
            found = self._cells.get(remembered)
        except TypeError:  # a value that is a list or a dictionary
            return None
        if found is None:
            if not _plain_and_clean(dims):
                return None
            found = self._cells[remembered] = self._check_cell(metric_code, dims)
        return found

    def _check_cell(self, metric_code: str, dims: dict[str, str]) -> _Cell:
        key = dims_key(dims)
        metric = self.metrics.get(metric_code)
        no_metric = None
        if len(metric_code) > KEY_LIMITS["metric"]:
            no_metric = f"metric is {len(metric_code)} characters long; at most 100 are stored"
        elif metric is None:
            no_metric = f"unknown metric {metric_code!r}"
        return _Cell(
            metric_id=metric.id if metric else 0,
            key=key,
            # one dictionary per cell, shared by its rows (and never changed)
            dims=dict(sorted(dims.items())),
            too_long="the disaggregation is longer than 300 characters" if len(key) > 300 else "",
            no_metric=no_metric or "",
            not_of_metric=(_dims_problem(dims, metric) or "") if metric else "",
        )

    def _period(self, period_id: str, calendar: str) -> tuple[Period, dict[str, Any]] | str:
        """The period and its columns in a row, or why there is none."""
        key = (period_id, calendar)
        found = self._periods.get(key)
        if found is None:
            try:
                period = parse_period(period_id, calendar)
            except (PeriodError, ValueError) as exc:
                found = str(exc)
            else:
                found = (period, period_columns(period))
            self._periods[key] = found
        return found

    def event(self, record: records.Event) -> Row | Rejection:
        kind = self.event_kinds.get(record.kind)
        if kind is None:
            return self.reject(record, f"unknown event kind {record.kind!r}")
        occurred_at = _aware(record.occurred_at)
        if occurred_at is None:
            return self.reject(record, "occurred_at is not a date and time")
        day = occurred_at.astimezone(LOCAL_TIME).date()
        attributes = json_safe(record.attributes)
        unit_id = None
        if record.unit:
            unit_id = self.units.place(record.unit, day)
            if unit_id is None:
                return self.reject(record, f"unknown unit {record.unit!r} on {day.isoformat()}")
        elif record.lat is not None and record.lon is not None:
            unit_id = self.units.nearest_commune(record.lat, record.lon, day)
            if unit_id is not None:
                attributes["unit_approximate"] = True  # placed by its point, not its address
        return Row(
            "events",
            {
                "sector": record.sector or kind.sector,
                "kind": record.kind,
                "title": record.title,
                "status": record.status,
                "severity": record.severity,
                "occurred_at": occurred_at,
                "unit_id": unit_id,
                "lat": record.lat,
                "lon": record.lon,
                "attributes": attributes,
                "source": self.source,
                "source_id": record.source_id,
            },
        )

    def facility(self, record: records.Facility) -> Row | Rejection:
        today = datetime.now(LOCAL_TIME).date()
        attributes = json_safe(record.attributes)
        unit_id = None
        if record.unit:
            unit_id = self.units.place(record.unit, today)
            if unit_id is None:
                return self.reject(record, f"unknown unit {record.unit!r}")
        elif record.lat is not None and record.lon is not None:
            unit_id = self.units.nearest_commune(record.lat, record.lon, today)
            if unit_id is not None:
                attributes["unit_approximate"] = True
        return Row(
            "facilities",
            {
                "name": record.name,
                "kind": record.kind,
                "unit_id": unit_id,
                "lat": record.lat,
                "lon": record.lon,
                "attributes": attributes,
                "source": self.source,
                "source_id": record.source_id,
            },
        )

    @staticmethod
    def reject(record: records.Record, reason: str) -> Rejection:
        return Rejection(reason=reason, payload=record_payload(record), place=record.place)


KEY_FIELDS: dict[type, tuple[str, ...]] = {
    records.Observation: ("metric", "unit"),
    records.Event: ("kind", "source_id"),
    records.Facility: ("source_id", "name", "kind"),
}
"""The fields of each record that the database needs, as text (a unit code may be a number)."""
MAPPING_FIELDS = {
    records.Observation: "dims",
    records.Event: "attributes",
    records.Facility: "attributes",
}


def check_shape(record: records.Record) -> None:
    """Raise :class:`BadInput` when a field of ``record`` has a value no row can hold: a key
    or a name missing or not text (a number will do), disaggregations or attributes that are
    not a mapping."""
    kind = next(k for k in KEY_FIELDS if isinstance(record, k))
    for name in KEY_FIELDS[kind]:
        value = getattr(record, name)
        if value is None:
            raise BadInput(f"{name} is missing")
        if not isinstance(value, str | int | float) or isinstance(value, bool):
            raise BadInput(f"{name} is {_a(value)}, not text")
    mapping = getattr(record, MAPPING_FIELDS[kind])
    if not isinstance(mapping, dict):
        raise BadInput(f"{MAPPING_FIELDS[kind]} is {_a(mapping)}, not a mapping of names to values")


def _a(value: Any) -> str:
    return "None" if value is None else f"a {type(value).__name__}"


def dims_key(dims: dict[str, str]) -> str:
    """The disaggregation as sorted ``name=value`` pairs joined by ``|`` (in the natural key)."""
    return "|".join(f"{name}={value}" for name, value in sorted(dims.items()))


def record_payload(record: Any) -> Any:
    """A record as JSON-safe data, for quarantine."""
    if dataclasses.is_dataclass(record) and not isinstance(record, type):
        data = {f.name: getattr(record, f.name) for f in dataclasses.fields(record)}
        return json_safe({"record": type(record).__name__, **data})
    return json_safe(record)


def json_safe(value: Any) -> Any:
    """``value`` as JSON data; text loses NUL characters, which PostgreSQL cannot store."""
    kind = type(value)  # the common types first, by identity: this runs for every attribute
    if kind is str:
        return value.replace("\x00", "") if "\x00" in value else value
    if kind is int or kind is bool or value is None:
        return value
    if kind is dict:
        return {k if type(k) is str else str(k): json_safe(v) for k, v in value.items()}
    if isinstance(value, str):
        return value.replace("\x00", "")
    if isinstance(value, dict):
        return {str(k): json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set):
        return [json_safe(v) for v in value]
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return str(value)


KEY_LIMITS = {"source_id": 300, "metric": 100, "kind": 100}


def _key_problem(record: records.Record) -> str | None:
    """A key too long to store is a bad record, not a failed batch."""
    for name, limit in KEY_LIMITS.items():
        value = getattr(record, name, None)
        if isinstance(value, str) and len(value) > limit:
            return f"{name} is {len(value)} characters long; at most {limit} are stored"
    return None


def _source_id_problem(source_id: str | None) -> str:
    limit = KEY_LIMITS["source_id"]
    if source_id is not None and len(source_id) > limit:
        return f"source_id is {len(source_id)} characters long; at most {limit} are stored"
    return ""


def period_columns(period: Period) -> dict[str, Any]:
    """The columns of an observation's row that say its period."""
    return {
        "calendar": period.calendar.value,
        "period_type": period.type.value,
        "period": period.id,
        "period_start": period.start,
        "period_end": period.end,
    }


def _text_has_nul(record: records.Observation) -> bool:
    """Whether any text of an observation, but its cells, holds a NUL."""
    return "\x00" in (
        f"{record.metric}{record.unit}{record.period}{record.calendar}{record.value}"
        f"{record.source_id}{record.place}"
    )


def _without_nul(record: records.Record, dictionaries: bool = True) -> records.Record:
    """The record with NUL characters taken out of its text (PostgreSQL refuses them), and
    out of its dictionaries too unless ``dictionaries`` is false.

    Most records hold none, and are returned as they are without being copied.
    """
    changes: dict[str, Any] = {}
    for name in _text_fields(type(record)):
        value = getattr(record, name)
        if isinstance(value, str) and "\x00" in value:
            changes[name] = value.replace("\x00", "")
        elif dictionaries and isinstance(value, dict) and not _plain_and_clean(value):
            changes[name] = json_safe(value)
    return dataclasses.replace(record, **changes) if changes else record


@cache
def _text_fields(record_type: type) -> tuple[str, ...]:
    """The fields of a record type that may hold text (strings or dictionaries)."""
    return tuple(field.name for field in dataclasses.fields(record_type))


def _plain_and_clean(mapping: dict[Any, Any]) -> bool:
    """Whether a dictionary is flat JSON already, with no NUL in any text: nothing to do."""
    for key, value in mapping.items():
        if not isinstance(key, str) or "\x00" in key:
            return False
        if isinstance(value, str):
            if "\x00" in value:
                return False
        elif isinstance(value, float):
            if not math.isfinite(value):
                return False
        elif value is not None and not isinstance(value, int | bool):
            return False
    return True


def _part(
    record: records.Observation, retired: str | None, unit_id: int, units: UnitResolver
) -> tuple[str | None, bool]:
    """The observation's part of its cell (see :attr:`Row.part`), and whether it was placed."""
    if record.part is None:
        return retired, retired is not None
    return f"{retired or units.code_of(unit_id)}|{record.part}", retired is not None


def _number(value: Any) -> tuple[float | None, str | None]:
    """The value as a float; None stays None (it retracts the observation).

    A connector reads a source's text numbers by the source's convention; what text reaches
    here is machine-written (``1234.5``, ``1,234.5``), read as such by :mod:`hub.numbers`.
    """
    if value is None or (isinstance(value, float | int) and not isinstance(value, bool)):
        return _finite_number(value)
    try:
        number = parse_number(value, NumberConvention.EN)
    except NumberError:
        return None, f"value {value!r} is not a number"
    if number is None:  # blank text: not a retraction, which only None is
        return None, f"value {value!r} is not a number"
    return number, None


def _finite_number(value: float | int | None) -> tuple[float | None, str | None]:
    if value is None:
        return None, None
    if not math.isfinite(value):
        return None, f"value {value!r} is not a finite number"
    return float(value), None


def _dims_problem(dims: dict[str, str], metric: Metric) -> str | None:
    unknown = sorted(set(dims) - set(metric.disaggregations or []))
    if not unknown:
        return None
    allowed = ", ".join(metric.disaggregations or []) or "none"
    return f"metric {metric.code!r} has no disaggregation {', '.join(unknown)} (it has: {allowed})"


def _aware(value: Any) -> datetime | None:
    if not isinstance(value, datetime):
        return None
    return value if value.tzinfo else value.replace(tzinfo=LOCAL_TIME)
