"""METRIC cells: the value of a metric the connectors collect, for a unit and a period.

Read from the observations inside the report's session (a report is computed inside the
transaction that saves it). Time first, then units, as DESIGN.md says: each unit's
observations lying inside the period are aggregated over time by the metric's rule; a unit's
value is its own, or else its children's values aggregated across units. Only totals (no
disaggregation) count.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.model import AdminUnit, Metric, Observation
from hub.periods import Period
from hub.plugins.definitions import Aggregation
from hub.reports.cells import CellValue
from hub.reports.rollup import across_units
from hub.reports.template import CellKind, Template
from hub.units.queries import children

_LATEST = {Aggregation.LAST, Aggregation.LAST_AVERAGE_UNITS}
_WEIGHTED = {Aggregation.AVERAGE, Aggregation.AVERAGE_SUM_UNITS}


def metric_values(
    session: Session, template: Template, unit: AdminUnit, period: Period
) -> dict[str, CellValue]:
    """The value of every METRIC cell of the form, for ``unit`` and ``period``."""
    found: dict[str, CellValue] = {}
    for cell in template.cells.values():
        if cell.kind is CellKind.METRIC and cell.metric:
            found[cell.address] = metric_value(session, cell.metric, unit, period)
    return found


def metric_value(session: Session, code: str, unit: AdminUnit, period: Period) -> float | None:
    metric = session.scalar(select(Metric).where(Metric.code == code))
    if metric is None:
        return None
    rule = Aggregation(metric.aggregation)
    per_unit = _over_time(session, metric.id, rule, period)
    return _unit_value(session, unit.id, rule, per_unit, period, depth=0)


def _over_time(
    session: Session, metric_id: int, rule: Aggregation, period: Period
) -> dict[int, float]:
    rows = session.execute(
        select(
            Observation.unit_id, Observation.value, Observation.period_start, Observation.period_end
        ).where(
            Observation.metric_id == metric_id,
            Observation.dims_key == "",
            Observation.period_start >= period.start,
            Observation.period_end <= period.end,
            Observation.value.is_not(None),
        )
    )
    spans: dict[int, list[tuple[float, int, date]]] = defaultdict(list)
    for unit_id, value, start, end in rows:
        spans[unit_id].append((value, (end - start).days + 1, end))
    return {unit_id: _aggregate_time(rule, values) for unit_id, values in spans.items()}


def _aggregate_time(rule: Aggregation, values: list[tuple[float, int, date]]) -> float:
    if rule in _LATEST:
        return max(values, key=lambda item: item[2])[0]
    if rule in _WEIGHTED:
        days = sum(item[1] for item in values)
        return sum(value * weight for value, weight, _ in values) / days
    if rule is Aggregation.MIN:
        return min(value for value, _, _ in values)
    if rule is Aggregation.MAX:
        return max(value for value, _, _ in values)
    return float(sum(value for value, _, _ in values))


def _unit_value(
    session: Session,
    unit_id: int,
    rule: Aggregation,
    per_unit: dict[int, float],
    period: Period,
    depth: int,
) -> float | None:
    if unit_id in per_unit:
        return per_unit[unit_id]
    if depth > 3 or not per_unit:
        return None
    below = [
        _unit_value(session, child.id, rule, per_unit, period, depth + 1)
        for child in children(session, unit_id, period.end)
    ]
    return across_units(rule, [value for value in below if value is not None])
