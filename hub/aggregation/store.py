"""Reading and writing roll-up rows, in batches, the same way on SQLite and PostgreSQL."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable, Iterator, Sequence
from datetime import date
from typing import Any, TypeVar

from sqlalchemy import Table, delete, select
from sqlalchemy.orm import Session

from hub.aggregation.series import PeriodKey, Reading, RowKey, period_key
from hub.aggregation.stats import Stat
from hub.model import Rollup
from hub.periods import Calendar, PeriodType, parse_period

OWN, BELOW = "own", "below"
CHUNK = 500
T = TypeVar("T")

TABLE: Table = Rollup.__table__  # type: ignore[assignment]
KEY = ("metric_id", "unit_id", "calendar", "period_type", "period", "dims_key", "era", "scope")
VALUES = ("total", "cells", "units", "days", "low", "high")
READ = ("unit_id", "scope", "period", "dims_key", "era", *VALUES)
VALUE_COLUMNS = ("unit_id", "calendar", "period", "dims_key", "era", "total")
CALENDARS = tuple(calendar.value for calendar in Calendar)

UnitRows = dict[int, dict[RowKey, Stat]]
"""Roll-up rows of one metric and scope, by unit."""


def chunks(items: Sequence[T], size: int = CHUNK) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def read_rows(
    session: Session,
    metric_id: int,
    unit_ids: Iterable[int],
    periods: Iterable[PeriodKey],
    scopes: tuple[str, ...] = (OWN, BELOW),
    dims_keys: Iterable[str] | None = None,
) -> Iterator[tuple[int, str, RowKey, Stat]]:
    """The rows of these units and periods: (unit id, scope, row key, stat)."""
    by_kind: dict[tuple[str, str], list[str]] = defaultdict(list)
    for calendar, period_type, period in set(periods):
        by_kind[(calendar, period_type)].append(period)
    units = sorted(set(unit_ids))
    wanted_dims = sorted(set(dims_keys)) if dims_keys is not None else None
    for (calendar, period_type), ids in by_kind.items():
        for unit_chunk in chunks(units):
            for id_chunk in chunks(sorted(ids)):
                query = select(*(TABLE.c[name] for name in READ)).where(
                    TABLE.c.metric_id == metric_id,
                    TABLE.c.unit_id.in_(unit_chunk),
                    TABLE.c.calendar == calendar,
                    TABLE.c.period_type == period_type,
                    TABLE.c.period.in_(id_chunk),
                    TABLE.c.scope.in_(scopes),
                )
                if wanted_dims is not None:
                    query = query.where(TABLE.c.dims_key.in_(wanted_dims))
                for unit, scope, period, dims_key, era, *values in session.execute(query):
                    key = ((calendar, period_type, period), dims_key, era)
                    yield unit, scope, key, Stat(*values)


def read_values(
    session: Session,
    metric_id: int,
    unit_ids: Iterable[int],
    start: date,
    end: date,
    calendars: Collection[str] = CALENDARS,
) -> dict[int, list[Reading]]:
    """Each unit's own values (``own`` rows) of periods overlapping ``start`` – ``end``.

    ``calendars``: those the values can be in (the metric's), to spare the others' reads.
    """
    found: dict[int, list[Reading]] = defaultdict(list)
    ranges = [
        ([c for c in of if c in calendars], low, high) for of, low, high in label_ranges(start, end)
    ]
    for unit_chunk in chunks(sorted(set(unit_ids))):
        for calendars_in, low, high in ranges:
            if not calendars_in:
                continue
            query = select(*(TABLE.c[name] for name in VALUE_COLUMNS)).where(
                TABLE.c.metric_id == metric_id,
                TABLE.c.unit_id.in_(unit_chunk),
                TABLE.c.calendar.in_(calendars_in),
                TABLE.c.period_type.in_([kind.value for kind in PeriodType]),
                TABLE.c.period >= low,
                TABLE.c.period < high,
                TABLE.c.scope == OWN,
            )
            for unit, calendar, period_id, dims_key, era, value in session.execute(query):
                period = parse_period(period_id, calendar)
                if period.end >= start and period.start <= end:
                    found[unit].append(Reading(period, dims_key, value, era))
    return found


def write_values(
    session: Session,
    metric_id: int,
    changed: dict[int, list[Reading]],
    removed: dict[int, list[Reading]],
) -> None:
    """Store units' own values that are new or changed; delete those withdrawn."""
    rows = [
        _values(metric_id, unit_id, OWN, value_key(reading), Stat.of(reading.value, reading.days))
        for unit_id, readings in changed.items()
        for reading in readings
    ]
    _execute_many(session, _insert(session, REPLACE), rows)
    gone = [
        _key(metric_id, unit_id, OWN, value_key(reading))
        for unit_id, readings in removed.items()
        for reading in readings
    ]
    _execute_many(session, f"DELETE FROM rollups WHERE {_where_key(session)}", gone)


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


def value_key(reading: Reading) -> RowKey:
    """The key of the ``own`` row holding one value: its own period, cell and era."""
    return (period_key(reading.period), reading.dims_key, reading.era)


def add_below(session: Session, metric_id: int, deltas: UnitRows) -> None:
    """Add changes to the ``below`` rows (created at zero when new)."""
    rows = [
        _values(metric_id, unit_id, BELOW, key, stat)
        for unit_id, unit_rows in deltas.items()
        for key, stat in unit_rows.items()
        if any((stat.total, stat.cells, stat.units, stat.days))
    ]
    _execute_many(session, _insert(session, ADD), rows)


def insert_rows(session: Session, metric_id: int, scope: str, rows: UnitRows) -> None:
    """Insert rows known to be new (after the metric's rows were deleted)."""
    values = [
        _values(metric_id, unit_id, scope, key, stat)
        for unit_id, unit_rows in rows.items()
        for key, stat in unit_rows.items()
    ]
    _execute_many(session, _insert(session, None), values)


def set_extremes(
    session: Session, metric_id: int, extremes: dict[int, dict[RowKey, tuple[Any, Any]]]
) -> None:
    """Set the lowest and highest values of these ``below`` rows."""
    updates = [
        (low, high, *_key(metric_id, unit_id, BELOW, key))
        for unit_id, rows in extremes.items()
        for key, (low, high) in rows.items()
    ]
    sql = f"UPDATE rollups SET low = {placeholder(session)}, high = {placeholder(session)} WHERE "
    _execute_many(session, sql + _where_key(session), updates)


def delete_metric(session: Session, metric_id: int) -> None:
    session.execute(delete(TABLE).where(TABLE.c.metric_id == metric_id))


REPLACE = ", ".join(f"{name} = excluded.{name}" for name in VALUES)
ADD = ", ".join(f"{name} = rollups.{name} + excluded.{name}" for name in VALUES[:4])


def _insert(session: Session, on_conflict: str | None) -> str:
    marks = ", ".join(placeholder(session) for _ in (*KEY, *VALUES))
    sql = f"INSERT INTO rollups ({', '.join((*KEY, *VALUES))}) VALUES ({marks})"
    if on_conflict:
        sql += f" ON CONFLICT ({', '.join(KEY)}) DO UPDATE SET {on_conflict}"
    return sql


def _where_key(session: Session) -> str:
    return " AND ".join(f"{name} = {placeholder(session)}" for name in KEY)


def placeholder(session: Session) -> str:
    """The driver's placeholder: ``?`` for sqlite3, ``%s`` for psycopg."""
    return "?" if session.get_bind().dialect.paramstyle == "qmark" else "%s"


def _execute_many(session: Session, sql: str, rows: list[tuple[Any, ...]]) -> None:
    """Run one statement for many rows, straight through the driver.

    Roll-ups write many small rows per commit; SQLAlchemy's per-row parameter handling
    would cost more than the database does.
    """
    connection = session.connection()
    for chunk in chunks(rows, 5000):
        connection.exec_driver_sql(sql, list(chunk))


def _key(metric_id: int, unit_id: int, scope: str, key: RowKey) -> tuple[Any, ...]:
    (calendar, period_type, period), dims_key, era = key
    return (metric_id, unit_id, calendar, period_type, period, dims_key, era, scope)


def _values(metric_id: int, unit_id: int, scope: str, key: RowKey, stat: Stat) -> tuple[Any, ...]:
    return (
        *_key(metric_id, unit_id, scope, key),
        stat.total,
        round(stat.cells),
        round(stat.units),
        round(stat.days),
        stat.low,
        stat.high,
    )
