"""Values of a NONE metric, read as they were published.

A growth rate or an index is not aggregated: a rate cannot be summed, and its mean over
districts or months is not the rate of the total. ``aggregate`` answers such a metric only
where nothing needs combining: for a unit that publishes it, by a period type and calendar it
is published by, each value is the unit's own for exactly that period (of its one cell, or of
each cell with ``by`` naming every disaggregation). Anything else would need combining and is
refused, saying where and how the metric is published.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.aggregation.answers import Answer, Cell, group_of
from hub.aggregation.catalog import MetricInfo
from hub.aggregation.errors import AggregationError
from hub.aggregation.hierarchy import Hierarchy
from hub.aggregation.observations import choose, stored_between
from hub.model import AdminUnit, Observation
from hub.periods import Period


def published_answer(
    session: Session,
    metric: MetricInfo,
    hierarchy: Hierarchy,
    targets: list[AdminUnit],
    periods: list[Period],
    by: tuple[str, ...],
) -> Answer:
    """Each target unit's own published value of each period (checked: nothing combined)."""
    _check(session, metric, targets, periods, by)
    start, end = min(p.start for p in periods), max(p.end for p in periods)
    stored = stored_between(session, metric.id, [unit.id for unit in targets], start, end)
    answer: Answer = {}
    for unit in targets:
        readings = choose(stored.get(unit.id, []), hierarchy)
        for period in periods:
            cells = {
                group_of(r.dims_key, by) if by else r.dims_key: r.value
                for r in readings
                if r.period == period
            }
            if not by:
                cells = {(): cells[""]} if "" in cells else {}
            answer[(unit.id, period.id)] = {
                group: Cell(value=value, reporting=1, expected=1) for group, value in cells.items()
            } or {(): Cell(expected=1)}
    return answer


def _check(
    session: Session,
    metric: MetricInfo,
    targets: list[AdminUnit],
    periods: list[Period],
    by: tuple[str, ...],
) -> None:
    published = session.execute(
        select(AdminUnit.level, Observation.calendar, Observation.period_type)
        .join(AdminUnit, AdminUnit.id == Observation.unit_id)
        .where(Observation.metric_id == metric.id)
        .distinct()
    ).all()
    levels = sorted({str(level) for level, _, _ in published})
    kinds = sorted({f"{period_type} ({calendar})" for _, calendar, period_type in published})
    where = f"it is published by {', '.join(levels) or 'no unit yet'}"
    if kinds:
        where += f", by {', '.join(kinds)}"
    refused = f"metric {metric.code!r} is not aggregated (its aggregation is NONE) and {where}"
    period = periods[0]
    if (period.calendar.value, period.type.value) not in {(c, t) for _, c, t in published}:
        raise AggregationError("periodType", f"{refused}: ask by one of those periods")
    if any(str(unit.level) not in levels for unit in targets):
        raise AggregationError("units", f"{refused}: ask for units of those levels")
    if by and set(by) != set(metric.disaggregations):
        every = ", ".join(metric.disaggregations)
        raise AggregationError("by", f"{refused}; its cells are read apart with by: [{every}]")
