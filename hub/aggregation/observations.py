"""Observations read for roll-ups: one value per cell and period, whatever the sources.

When several sources give a value for the same metric, unit, period and disaggregation,
one is used, never their sum: the one written last (``updated_at``), and on a tie the
source whose name sorts last. The choice is deterministic, so a rebuild gives what the
incremental updates gave.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Sequence
from datetime import date, datetime
from itertools import groupby
from typing import Any

from sqlalchemy import Row, select
from sqlalchemy.orm import Session

from hub.aggregation.hierarchy import Hierarchy
from hub.aggregation.series import Reading
from hub.model import Observation
from hub.periods import Calendar, parse_period

COLUMNS = (
    Observation.unit_id,
    Observation.calendar,
    Observation.period,
    Observation.dims_key,
    Observation.value,
    Observation.updated_at,
    Observation.source,
)


def readings_of(
    session: Session,
    metric_id: int,
    unit_ids: Sequence[int],
    start: date,
    end: date,
    hierarchy: Hierarchy,
) -> dict[int, list[Reading]]:
    """Each unit's readings of periods overlapping ``start`` – ``end``."""
    rows: dict[int, list[Row[Any]]] = defaultdict(list)
    for calendars, low, high in label_ranges(start, end):
        query = select(*COLUMNS).where(
            Observation.metric_id == metric_id,
            Observation.unit_id.in_(unit_ids),
            Observation.calendar.in_(calendars),
            Observation.period >= low,
            Observation.period < high,
        )
        for row in session.execute(query):
            rows[row.unit_id].append(row)
    found = {}
    for unit_id, unit_rows in rows.items():
        readings = _readings(unit_rows, hierarchy)
        found[unit_id] = [r for r in readings if r.period.end >= start and r.period.start <= end]
    return found


def label_ranges(start: date, end: date) -> list[tuple[list[str], str, str]]:
    """Ranges of period ids, per calendars, that hold every period overlapping the days.

    A period id begins with its year, so a range of ids is a range of the natural key's
    index. The year of an id is that of its days, except that a reporting period of Decree
    09 starting on 15 December belongs to the next year, and an ISO week to the year of its
    Thursday (so weeks can reach three days into the years around theirs).
    """
    gregorian, nd09 = [Calendar.GREGORIAN.value], [Calendar.ND09.value]
    last_nd09 = end.year + 1 if (end.month, end.day) >= (12, 15) else end.year
    ranges = [
        (gregorian, str(start.year), str(end.year + 1)),
        (nd09, str(start.year), str(last_nd09 + 1)),
    ]
    both = gregorian + nd09
    if (start.month, start.day) <= (1, 3):
        ranges.append((both, f"{start.year - 1}-W", f"{start.year - 1}-X"))
    if (end.month, end.day) >= (12, 29):
        ranges.append((both, f"{end.year + 1}-W01", f"{end.year + 1}-W02"))
    return ranges


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
