"""Reading and writing roll-up rows, in batches, the same way on SQLite and PostgreSQL."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from typing import Any, TypeVar

from sqlalchemy import Table, delete, func, select
from sqlalchemy.orm import Session

from hub.aggregation.series import PeriodKey, RowKey
from hub.aggregation.stats import Stat
from hub.model import Rollup

OWN, BELOW = "own", "below"
CHUNK = 500
T = TypeVar("T")

TABLE: Table = Rollup.__table__  # type: ignore[assignment]
KEY = ("metric_id", "unit_id", "calendar", "period_type", "period", "dims_key", "era", "scope")
VALUES = ("total", "cells", "units", "days", "low", "high")
READ = ("unit_id", "scope", "period", "dims_key", "era", *VALUES)

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


def write_own(
    session: Session, metric_id: int, changed: UnitRows, removed: dict[int, list[RowKey]]
) -> None:
    """Replace the ``own`` rows that changed and delete those that no longer have a value."""
    rows = [
        _values(metric_id, unit_id, OWN, key, stat)
        for unit_id, unit_rows in changed.items()
        for key, stat in unit_rows.items()
    ]
    _execute_many(session, _insert(session, REPLACE), rows)
    gone = [_key(metric_id, unit_id, OWN, key) for unit_id, keys in removed.items() for key in keys]
    _execute_many(session, f"DELETE FROM rollups WHERE {_where_key(session)}", gone)


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


def refresh_extremes(
    session: Session, metric_id: int, below: dict[int, set[RowKey]], subtrees: dict[int, Any]
) -> None:
    """Recompute the lowest and highest value under each unit for these rows.

    Extremes cannot be updated by differences (when the lowest value goes up, the next one
    is needed), so a MIN or MAX metric's ``below`` rows take them from the ``own`` rows again.
    """
    updates = []
    for unit_id, keys in below.items():
        descendants = [u for u in subtrees[unit_id] if u != unit_id]
        found: dict[RowKey, tuple[float | None, float | None]] = {}
        for chunk in chunks(descendants):
            for key, low, high in _extremes(session, metric_id, chunk, keys):
                old = found.get(key, (None, None))
                found[key] = (_least(old[0], low), _most(old[1], high))
        for key in keys:
            low, high = found.get(key, (None, None))
            updates.append((low, high, *_key(metric_id, unit_id, BELOW, key)))
    sql = f"UPDATE rollups SET low = {_mark(session)}, high = {_mark(session)} WHERE "
    _execute_many(session, sql + _where_key(session), updates)


def delete_metric(session: Session, metric_id: int) -> None:
    session.execute(delete(TABLE).where(TABLE.c.metric_id == metric_id))


def _extremes(
    session: Session, metric_id: int, unit_ids: Sequence[int], keys: set[RowKey]
) -> Iterator[tuple[RowKey, float | None, float | None]]:
    periods = {key[0] for key in keys}
    by_kind: dict[tuple[str, str], set[str]] = defaultdict(set)
    for calendar, period_type, period in periods:
        by_kind[(calendar, period_type)].add(period)
    for (calendar, period_type), ids in by_kind.items():
        query = (
            select(
                TABLE.c.period,
                TABLE.c.dims_key,
                TABLE.c.era,
                func.min(TABLE.c.low),
                func.max(TABLE.c.high),
            )
            .where(
                TABLE.c.metric_id == metric_id,
                TABLE.c.unit_id.in_(unit_ids),
                TABLE.c.calendar == calendar,
                TABLE.c.period_type == period_type,
                TABLE.c.period.in_(sorted(ids)),
                TABLE.c.scope == OWN,
            )
            .group_by(TABLE.c.period, TABLE.c.dims_key, TABLE.c.era)
        )
        for period, dims_key, era, low, high in session.execute(query):
            key = ((calendar, period_type, period), dims_key, era)
            if key in keys:
                yield key, low, high


REPLACE = ", ".join(f"{name} = excluded.{name}" for name in VALUES)
ADD = ", ".join(f"{name} = rollups.{name} + excluded.{name}" for name in VALUES[:4])


def _insert(session: Session, on_conflict: str | None) -> str:
    marks = ", ".join(_mark(session) for _ in (*KEY, *VALUES))
    sql = f"INSERT INTO rollups ({', '.join((*KEY, *VALUES))}) VALUES ({marks})"
    if on_conflict:
        sql += f" ON CONFLICT ({', '.join(KEY)}) DO UPDATE SET {on_conflict}"
    return sql


def _where_key(session: Session) -> str:
    return " AND ".join(f"{name} = {_mark(session)}" for name in KEY)


def _mark(session: Session) -> str:
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


def _least(a: float | None, b: float | None) -> float | None:
    return b if a is None else a if b is None else min(a, b)


def _most(a: float | None, b: float | None) -> float | None:
    return b if a is None else a if b is None else max(a, b)
