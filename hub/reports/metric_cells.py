"""METRIC cells: the value of a metric the connectors collect, for a unit and a period.

A METRIC cell *is* an ``aggregate`` query over the report's unit and period (one rule for
every figure: docs/aggregation.md), answered inside the report's session (a report is
computed inside the transaction that saves it). A period the metric cannot be read by (finer
than it is collected, a NONE metric that would need combining) leaves the cell blank.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from hub.aggregation import AggregateRequest, AggregationError, aggregate_in
from hub.model import AdminUnit
from hub.periods import Period
from hub.reports.cells import CellValue
from hub.reports.template import CellKind, Template


def metric_values(
    session: Session, template: Template, unit: AdminUnit, period: Period
) -> dict[str, CellValue]:
    """The value of every METRIC cell of the form, for ``unit`` and ``period``."""
    found: dict[str, CellValue] = {}
    read: dict[str, float | None] = {}
    for cell in template.cells.values():
        if cell.kind is CellKind.METRIC and cell.metric:
            if cell.metric not in read:
                read[cell.metric] = metric_value(session, cell.metric, unit, period)
            found[cell.address] = read[cell.metric]
    return found


def metric_value(session: Session, code: str, unit: AdminUnit, period: Period) -> float | None:
    """``aggregate(metric: code, units: [unit], periodType, calendar, from = to = period)``."""
    request = AggregateRequest(
        metric=code,
        period_type=period.type,
        start=period.id,
        end=period.id,
        calendar=period.calendar,
        units=(unit.code,),
        as_of=_on_map(unit, period.end),
    )
    try:
        (value,) = aggregate_in(session, request)
    except AggregationError:
        return None
    return value.value


def _on_map(unit: AdminUnit, day: date) -> date:
    """``day``, or the nearest day the unit existed (the map it is read on)."""
    if unit.valid_from is not None and day < unit.valid_from:
        return unit.valid_from
    if unit.valid_to is not None and day > unit.valid_to:
        return unit.valid_to
    return day
