"""Observations read for the roll-ups and the answers: one value per cell and period.

When several sources give a value for the same metric, unit, period and disaggregation,
one is used, never their sum: the one written last (``updated_at``), and on a tie the
source whose name sorts last. The choice is deterministic, so a rebuild gives what the
incremental updates gave.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable, Iterator
from datetime import date, datetime
from itertools import groupby, product
from typing import NamedTuple

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from hub.aggregation.hierarchy import Hierarchy
from hub.aggregation.series import Reading
from hub.aggregation.store import chunks
from hub.model import Observation
from hub.periods import Calendar, parse_period

CALENDARS = tuple(calendar.value for calendar in Calendar)

StoredKey = tuple[int, str, str, str, str]
"""An observation's natural key within its metric: unit id, calendar, period, cell, source."""


class Stored(NamedTuple):
    """One observation as stored: a source's value of one cell and period of a unit."""

    unit_id: int
    calendar: str
    period: str
    dims_key: str
    source: str
    value: float | None
    updated_at: datetime | None

    @property
    def key(self) -> StoredKey:
        return (self.unit_id, self.calendar, self.period, self.dims_key, self.source)


COLUMNS = (
    Observation.unit_id,
    Observation.calendar,
    Observation.period,
    Observation.dims_key,
    Observation.source,
    Observation.value,
    Observation.updated_at,
)


def readings_between(
    session: Session,
    metric_id: int,
    unit_ids: Iterable[int],
    start: date,
    end: date,
    hierarchy: Hierarchy,
    calendars: Collection[str] = CALENDARS,
) -> dict[int, list[Reading]]:
    """Each unit's readings of the periods overlapping ``start`` – ``end``.

    ``calendars``: those the values can be in (the metric's), to spare the others' reads.
    """
    stored = stored_between(session, metric_id, unit_ids, start, end, calendars)
    return {unit_id: choose(rows, hierarchy) for unit_id, rows in stored.items()}


def stored_between(
    session: Session,
    metric_id: int,
    unit_ids: Iterable[int],
    start: date,
    end: date,
    calendars: Collection[str] = CALENDARS,
) -> dict[int, list[Stored]]:
    """Each unit's observations, of every source, of the periods overlapping the days.

    Read by ranges of period ids (:func:`label_ranges`): the natural key's index holds them
    in that order after the metric and unit.
    """
    found: dict[int, list[Stored]] = defaultdict(list)
    ranges = [
        ([c for c in of if c in calendars], low, high) for of, low, high in label_ranges(start, end)
    ]
    columns = (*COLUMNS, Observation.period_start, Observation.period_end)
    for unit_chunk in chunks(sorted(set(unit_ids))):
        for calendars_in, low, high in ranges:
            if not calendars_in:
                continue
            query = select(*columns).where(
                Observation.metric_id == metric_id,
                Observation.unit_id.in_(unit_chunk),
                Observation.calendar.in_(calendars_in),
                Observation.period >= low,
                Observation.period < high,
            )
            for *row, first, last in session.execute(query):
                if last >= start and first <= end:
                    found[row[0]].append(Stored._make(row))
    return found


def stored_keys(
    session: Session, metric_ids: Iterable[int], keys: Collection[tuple[int, StoredKey]]
) -> dict[tuple[int, StoredKey], Stored]:
    """The observations stored under these keys (metric id, natural key), where any is."""
    units = sorted({key[0] for _, key in keys})
    ids = sorted({key[2] for _, key in keys})
    found = {}
    for unit_chunk, id_chunk in product(chunks(units), chunks(ids)):
        query = select(Observation.metric_id, *COLUMNS).where(
            Observation.metric_id.in_(sorted(set(metric_ids))),
            Observation.unit_id.in_(unit_chunk),
            Observation.period.in_(id_chunk),
        )
        for metric_id, *row in session.execute(query):
            stored = Stored._make(row)
            if (metric_id, stored.key) in keys:
                found[(metric_id, stored.key)] = stored
    return found


def count_observations(session: Session, metric_id: int) -> int:
    """How many observations the metric has (of every source)."""
    query = select(func.count()).where(Observation.metric_id == metric_id)
    return session.scalar(query) or 0


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
    rows = map(Stored._make, session.execute(query))
    for unit_id, unit_rows in groupby(rows, key=lambda row: row.unit_id):
        yield unit_id, choose(list(unit_rows), hierarchy)


def choose(rows: Iterable[Stored], hierarchy: Hierarchy) -> list[Reading]:
    """One reading per cell and period: the value of the source written last."""
    chosen: dict[tuple[str, str, str], Stored] = {}
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


def _rank(row: Stored) -> tuple[datetime, str]:
    updated = row.updated_at
    return (updated.replace(tzinfo=None) if updated is not None else datetime.min, row.source)
