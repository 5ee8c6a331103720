"""Observations read for roll-ups: one value per cell and period, whatever the sources.

When several sources give a value for the same metric, unit, period and disaggregation,
one is used, never their sum: the one written last (``updated_at``), and on a tie the
source whose name sorts last. The choice is deterministic, so a rebuild gives what the
incremental updates gave.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from datetime import datetime
from itertools import groupby
from typing import Any

from sqlalchemy import Row, select
from sqlalchemy.orm import Session

from hub.aggregation.hierarchy import Hierarchy
from hub.aggregation.series import Reading
from hub.model import Observation
from hub.periods import Calendar, Period, parse_period

COLUMNS = (
    Observation.unit_id,
    Observation.calendar,
    Observation.period,
    Observation.dims_key,
    Observation.value,
    Observation.updated_at,
    Observation.source,
)


def readings_in(
    session: Session,
    metric_id: int,
    periods: dict[int, set[Period]],
    hierarchy: Hierarchy,
) -> dict[int, list[Reading]]:
    """Each unit's readings of exactly these periods (whatever their cells)."""
    wanted = {
        (unit, p.calendar.value, p.id)
        for unit, unit_periods in periods.items()
        for p in unit_periods
    }
    ids = sorted({period_id for _, _, period_id in wanted})
    rows: dict[int, list[Row[Any]]] = defaultdict(list)
    for unit_chunk in chunks(sorted(periods), 500):
        for id_chunk in chunks(ids, 500):
            query = select(*COLUMNS).where(
                Observation.metric_id == metric_id,
                Observation.unit_id.in_(unit_chunk),
                Observation.calendar.in_([calendar.value for calendar in Calendar]),
                Observation.period.in_(id_chunk),
            )
            for row in session.execute(query):
                if (row.unit_id, row.calendar, row.period) in wanted:
                    rows[row.unit_id].append(row)
    return {unit_id: _readings(unit_rows, hierarchy) for unit_id, unit_rows in rows.items()}


def chunks(items: list[Any], size: int) -> Iterator[list[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def all_readings(
    session: Session, metric_id: int, hierarchy: Hierarchy
) -> Iterator[tuple[int, list[Reading]]]:
    """Every unit's readings of a metric, one unit at a time."""
    query = (
        select(*COLUMNS)
        .where(Observation.metric_id == metric_id)
        .order_by(Observation.unit_id)
        .execution_options(yield_per=10_000)
    )
    for unit_id, unit_rows in groupby(session.execute(query), key=lambda row: row.unit_id):
        yield unit_id, _readings(list(unit_rows), hierarchy)


def _readings(rows: list[Row[Any]], hierarchy: Hierarchy) -> list[Reading]:
    chosen: dict[tuple[str, str, str], Row[Any]] = {}
    for row in rows:
        if row.value is None:
            continue
        cell = (row.calendar, row.period, row.dims_key)
        known = chosen.get(cell)
        if known is None or _rank(row) > _rank(known):
            chosen[cell] = row
    readings = []
    for row in chosen.values():
        period = parse_period(row.period, row.calendar)
        readings.append(Reading(period, row.dims_key, row.value, hierarchy.era(period.start)))
    return readings


def _rank(row: Row[Any]) -> tuple[datetime, str]:
    updated = row.updated_at
    return (updated.replace(tzinfo=None) if updated is not None else datetime.min, row.source)
