"""Reading back what a sync wrote, for the education plugin's tests."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select

from hub.core import Hub
from hub.model import AdminUnit, Facility, Metric, Observation, QuarantinedRecord, SyncRun


@dataclass(frozen=True)
class Written:
    """One observation as the hub holds it."""

    metric: str
    unit: str
    unit_from: date | None
    period: str
    dims: dict[str, str]
    value: float | None
    run: int | None

    def key(self, *names: str) -> tuple[str, ...]:
        """The named disaggregations' values (``period`` and ``unit`` name those fields)."""
        fields = {"period": self.period, "unit": self.unit}
        return tuple(fields.get(name, self.dims.get(name, "")) for name in names)


def written(hub: Hub, source: str, metric: str | None = None) -> list[Written]:
    query = (
        select(
            Metric.code,
            AdminUnit.code,
            AdminUnit.valid_from,
            Observation.period,
            Observation.dims,
            Observation.value,
            Observation.sync_run_id,
        )
        .join(Metric, Metric.id == Observation.metric_id)
        .join(AdminUnit, AdminUnit.id == Observation.unit_id)
        .where(Observation.source == source)
    )
    if metric:
        query = query.where(Metric.code == metric)
    with hub.db.session() as session:
        return [Written(*row) for row in session.execute(query)]


def values(
    hub: Hub, source: str, metric: str, *names: str, nonzero: bool = True
) -> dict[tuple[str, ...], float]:
    """The metric's values by the named disaggregations (zeros left out unless asked)."""
    found: dict[tuple[str, ...], float] = {}
    for row in written(hub, source, metric):
        if row.value or not nonzero:
            key = row.key(*names)
            assert key not in found, f"{metric} {key} written twice"
            found[key] = row.value  # type: ignore[assignment]
    return found


def totals(hub: Hub, source: str, metric: str, *names: str) -> dict[tuple[str, ...], float]:
    """The metric's values summed by the named disaggregations (over every other one)."""
    found: dict[tuple[str, ...], float] = {}
    for row in written(hub, source, metric):
        key = row.key(*names)
        found[key] = found.get(key, 0) + (row.value or 0)
    return found


def facilities(hub: Hub, source: str) -> dict[str, tuple[str | None, date | None, dict[str, Any]]]:
    """source_id → (its unit's code, the unit's start, attributes)."""
    query = (
        select(Facility.source_id, AdminUnit.code, AdminUnit.valid_from, Facility.attributes)
        .outerjoin(AdminUnit, AdminUnit.id == Facility.unit_id)
        .where(Facility.source == source)
    )
    with hub.db.session() as session:
        return {row[0]: (row[1], row[2], row[3]) for row in session.execute(query)}


def quarantined(hub: Hub, connector_id: str, run: SyncRun | None = None) -> list[str]:
    query = select(QuarantinedRecord.reason).where(QuarantinedRecord.connector_id == connector_id)
    if run is not None:
        query = query.where(QuarantinedRecord.sync_run_id == run.id)
    with hub.db.session() as session:
        return list(session.scalars(query.order_by(QuarantinedRecord.id)))
