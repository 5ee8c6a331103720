"""Metrics counted from events, kept up to date as events arrive and change.

When a batch of events is written, each event's old contribution (from its stored version,
if any) is taken away and its new one added, for every metric its kind declares
(:class:`hub.plugins.EventMetric`). The resulting daily values go through the ordinary
observation path (upserts by natural key, a retraction when a count falls to zero), under the
events' own source, so they aggregate like any other metric. A connector's runs never overlap,
so the read-modify-write of its own counts is safe.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime
from typing import Any

from sqlalchemy import any_, bindparam, select, tuple_
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Session

from hub.ingest.normalise import Row, dims_key
from hub.model import Event, Metric, Observation
from hub.plugins.definitions import EventKindDefinition, EventMetric
from hub.zone import LOCAL_TIME

EVENT_FIELDS = ("status", "severity")

BucketKey = tuple[int, int, date, str]  # metric id, unit id, day, dims key


class EventCounter:
    """Turns changes to events into changes to the daily values of their metrics."""

    def __init__(self, session: Session, event_kinds: dict[str, EventKindDefinition]) -> None:
        metric_ids = {code: id_ for code, id_ in session.execute(select(Metric.code, Metric.id))}
        self.counted: dict[str, list[tuple[int, EventMetric]]] = {
            code: [(metric_ids[m.metric], m) for m in kind.metrics]
            for code, kind in event_kinds.items()
            if kind.metrics
        }

    def observations(
        self, session: Session, source: str, events: list[dict[str, Any]]
    ) -> list[Row]:
        """The observation rows that bring the counts in line with these new event versions."""
        if not self.counted or not events:
            return []
        deltas: dict[BucketKey, float] = defaultdict(float)
        dims_of: dict[BucketKey, dict[str, str]] = {}
        for old in self._stored_versions(session, source, events):
            self._add(deltas, dims_of, old, -1)
        for new in events:
            self._add(deltas, dims_of, new, +1)
        current = self._current_values(session, source, [k for k, d in deltas.items() if d])
        return [
            _row(key, dims_of[key], source, current.get(key, 0.0) + delta)
            for key, delta in deltas.items()
            if delta
        ]

    def _add(
        self,
        deltas: dict[BucketKey, float],
        dims_of: dict[BucketKey, dict[str, str]],
        event: dict[str, Any],
        sign: int,
    ) -> None:
        if event.get("unit_id") is None:
            return
        for metric_id, spec in self.counted.get(event["kind"], []):
            contribution = _contribution(spec, event)
            if contribution is None:
                continue
            day, value, dims = contribution
            key = (metric_id, event["unit_id"], day, dims_key(dims))
            deltas[key] += sign * value
            dims_of[key] = dims

    def _stored_versions(
        self, session: Session, source: str, events: list[dict[str, Any]]
    ) -> list[dict[str, Any]]:
        ids = [event["source_id"] for event in events]
        columns = (
            Event.kind,
            Event.unit_id,
            Event.occurred_at,
            Event.status,
            Event.severity,
            Event.attributes,
        )
        rows = session.execute(
            select(*columns).where(Event.source == source, _one_of(session, Event.source_id, ids))
        ).mappings()
        return [dict(row) for row in rows]

    @staticmethod
    def _current_values(
        session: Session, source: str, keys: list[BucketKey]
    ) -> dict[BucketKey, float]:
        if not keys:
            return {}
        wanted = [(m, u, d.isoformat(), k) for m, u, d, k in keys]
        query = select(
            Observation.metric_id,
            Observation.unit_id,
            Observation.period,
            Observation.dims_key,
            Observation.value,
        ).where(
            Observation.source == source,
            Observation.calendar == "GREGORIAN",
            tuple_(
                Observation.metric_id, Observation.unit_id, Observation.period, Observation.dims_key
            ).in_(wanted),
        )
        return {
            (m, u, date.fromisoformat(p), k): value or 0.0
            for m, u, p, k, value in session.execute(query)
        }


def _one_of(session: Session, column: Any, values: list[Any]) -> Any:
    """``column IN values``; on PostgreSQL as ``= ANY`` of one array, a statement the same
    whatever the number of values (a list of hundreds is parsed anew, by driver and server,
    for each batch)."""
    if session.get_bind().dialect.name != "postgresql":
        return column.in_(values)
    return column == any_(bindparam("values", values, type_=ARRAY(column.type)))


def _contribution(
    spec: EventMetric, event: dict[str, Any]
) -> tuple[date, float, dict[str, str]] | None:
    """(day, value, dims) that this event adds to this metric, or None if it does not count."""
    for field, accepted in spec.where.items():
        if _field(event, field) not in accepted:
            return None
    day = _day(_field(event, spec.date))
    if day is None:
        return None
    value = 1.0 if spec.value is None else _number(_field(event, spec.value))
    if value is None:
        return None
    dims = {
        name: str(_field(event, field))
        for name, field in spec.dims.items()
        if _field(event, field) is not None
    }
    return day, value, dims


def _field(event: dict[str, Any], name: str) -> Any:
    if name == "occurred_at" or name in EVENT_FIELDS:
        return event.get(name)
    return (event.get("attributes") or {}).get(name)


def _day(value: Any) -> date | None:
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            return None
    if isinstance(value, datetime):
        aware = value if value.tzinfo else value.replace(tzinfo=LOCAL_TIME)
        return aware.astimezone(LOCAL_TIME).date()
    return value if isinstance(value, date) else None


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


def _row(key: BucketKey, dims: dict[str, str], source: str, value: float) -> Row:
    metric_id, unit_id, day, key_of_dims = key
    settled = None if abs(value) < 1e-9 else value  # a count that fell to zero is retracted
    return Row(
        "observations",
        {
            "metric_id": metric_id,
            "unit_id": unit_id,
            "calendar": "GREGORIAN",
            "period_type": "DAY",
            "period": day.isoformat(),
            "period_start": day,
            "period_end": day,
            "dims_key": key_of_dims,
            "dims": dict(sorted(dims.items())),
            "value": settled,
            "source": source,
            "source_record_id": None,
        },
    )
