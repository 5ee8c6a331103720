"""Reading and writing roll-up rows, in batches, the same way on SQLite and PostgreSQL."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from typing import Any, TypeVar

from sqlalchemy import Table, delete, select
from sqlalchemy.orm import Session

from hub.aggregation.series import PeriodKey, RowKey
from hub.aggregation.stats import Stat
from hub.model import Rollup

CHUNK = 500
T = TypeVar("T")

TABLE: Table = Rollup.__table__  # type: ignore[assignment]
KEY = ("metric_id", "unit_id", "calendar", "period_type", "period", "dims_key", "era")
VALUES = ("total", "cells", "units", "days", "low", "high")
READ = ("unit_id", "period", "dims_key", "era", *VALUES)

UnitRows = dict[int, dict[RowKey, Stat]]
"""Roll-up rows of one metric, by unit."""


def chunks(items: Sequence[T], size: int = CHUNK) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def read_rows(
    session: Session,
    metric_id: int,
    unit_ids: Iterable[int],
    periods: Iterable[PeriodKey],
    dims_keys: Iterable[str] | None = None,
) -> Iterator[tuple[int, RowKey, Stat]]:
    """The rows of these units and periods: (unit id, row key, stat)."""
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
                )
                if wanted_dims is not None:
                    query = query.where(TABLE.c.dims_key.in_(wanted_dims))
                for unit, period, dims_key, era, *values in session.execute(query):
                    key = ((calendar, period_type, period), dims_key, era)
                    yield unit, key, Stat(*values)


def add_below(session: Session, metric_id: int, deltas: UnitRows) -> None:
    """Add changes to the rows (created at zero when new).

    The sums are made here, on the values' decimals (:mod:`hub.aggregation.exact`), not by
    the database in binary: the rows are read, added to and written back. The caller holds
    the metric's roll-up lock, so no one else changes them meanwhile.
    """
    changes = {
        unit_id: {
            key: stat
            for key, stat in unit_rows.items()
            if any((stat.total, stat.cells, stat.units, stat.days))
        }
        for unit_id, unit_rows in deltas.items()
    }
    changes = {unit_id: rows for unit_id, rows in changes.items() if rows}
    periods = {key[0] for rows in changes.values() for key in rows}
    found = {
        (unit_id, key): stat
        for unit_id, key, stat in read_rows(session, metric_id, changes, periods)
        if key in changes[unit_id]
    }
    rows = []
    for unit_id, unit_rows in changes.items():
        for key, delta in unit_rows.items():
            stat = found.get((unit_id, key)) or Stat()
            stat.add(Stat(delta.total, delta.cells, delta.units, delta.days))
            rows.append(_values(metric_id, unit_id, key, stat))
    _execute_many(session, _insert(session, SET), rows)


def insert_rows(session: Session, metric_id: int, rows: UnitRows) -> None:
    """Insert rows known to be new (after the metric's rows were deleted)."""
    values = [
        _values(metric_id, unit_id, key, stat)
        for unit_id, unit_rows in rows.items()
        for key, stat in unit_rows.items()
    ]
    _execute_many(session, _insert(session, None), values)


def set_extremes(
    session: Session, metric_id: int, extremes: dict[int, dict[RowKey, tuple[Any, Any]]]
) -> None:
    """Set the lowest and highest values of these rows."""
    updates = [
        (low, high, *_key(metric_id, unit_id, key))
        for unit_id, rows in extremes.items()
        for key, (low, high) in rows.items()
    ]
    sql = f"UPDATE rollups SET low = {placeholder(session)}, high = {placeholder(session)} WHERE "
    _execute_many(session, sql + _where_key(session), updates)


def delete_metric(session: Session, metric_id: int) -> None:
    session.execute(delete(TABLE).where(TABLE.c.metric_id == metric_id))


SET = ", ".join(f"{name} = excluded.{name}" for name in VALUES[:4])


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


def _key(metric_id: int, unit_id: int, key: RowKey) -> tuple[Any, ...]:
    (calendar, period_type, period), dims_key, era = key
    return (metric_id, unit_id, calendar, period_type, period, dims_key, era)


def _values(metric_id: int, unit_id: int, key: RowKey, stat: Stat) -> tuple[Any, ...]:
    return (
        *_key(metric_id, unit_id, key),
        stat.total,
        round(stat.cells),
        round(stat.units),
        round(stat.days),
        stat.low,
        stat.high,
    )
