"""Writing many rows with one statement, straight through the database driver.

SQLAlchemy's ``session.execute(statement, rows)`` processes every parameter of every row in
Python, which for a load of millions of observations costs more than the database does. Here
a statement is compiled once for a table and a set of columns, each column keeps its type's
own bind processor (so a JSON column is serialised and a date stored exactly as SQLAlchemy
would), and the rows go to the driver's ``executemany`` as plain tuples or dictionaries.
Values are processed a column at a time, each distinct object once: a load repeats the
same dates, dictionaries and times down a column.

On PostgreSQL, where one statement per row costs the server far more than the row itself,
a batch is copied (``COPY``) straight into the table; should any of its keys be stored
already, it is copied into a temporary table of the same columns instead and written with
one ``INSERT … SELECT … ON CONFLICT``. The copied text is formatted a column at a time too
(:mod:`hub.model.copy_text`).
"""

from __future__ import annotations

import json
import zlib
from collections.abc import Callable, Iterable, Sequence
from functools import lru_cache
from itertools import chain
from operator import itemgetter
from typing import Any

from sqlalchemy import JSON, Connection, Date, DateTime, Float, Integer, Numeric, Table, select
from sqlalchemy import column as sql_column
from sqlalchemy import table as sql_table
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Dialect

from hub.model.copy_text import ColumnText, copy_chunks, copy_text, copyable, numbers_text

CHUNK = 5000
COPY_FROM = 50
"""Batches of at least this many rows go to PostgreSQL by COPY."""
ROWS_PER_STATEMENT = 250
"""Rows written by one SQLite statement (one ``VALUES`` list)."""
SQLITE_VARIABLES = 32766
"""The most parameters a SQLite statement takes (SQLite 3.32 and later)."""

ColumnProcessor = Callable[[Sequence[Any]], Sequence[Any]]
"""A column type's bind processor, applied to a column of values."""
Copied = Iterable[bytes] | Iterable[tuple[Any, ...]]
"""A batch as COPY takes it: chunks of text, or rows for psycopg to format."""
CopiedFrom = Callable[[], Copied]


class ManyRows:
    """An ``INSERT … ON CONFLICT`` of one table and set of columns, compiled for a dialect."""

    def __init__(
        self,
        table: Table,
        columns: Sequence[str],
        key: Sequence[str],
        dialect: Dialect,
        on_conflict: str,
    ) -> None:
        insert = postgresql.insert if dialect.name == "postgresql" else sqlite.insert
        statement = _on_conflict(insert(table).inline(), columns, key, on_conflict)
        compiled = statement.compile(dialect=dialect, column_keys=list(columns))
        self.sql = compiled.string
        self.columns = tuple(columns)
        self.on_conflict = on_conflict
        self.staging: str | None = None
        if dialect.name == "postgresql":
            self.staging = f"iochub_staging_{table.name}_{zlib.crc32(','.join(columns).encode())}"
            staged = sql_table(self.staging, *(sql_column(name) for name in columns))
            from_staging = postgresql.insert(table).from_select(
                list(columns), select(*(staged.c[name] for name in columns))
            )
            from_staging = _on_conflict(from_staging, columns, key, on_conflict)
            self.from_staging = str(from_staging.compile(dialect=dialect))
            if from_staging.compile(dialect=dialect).params:  # defaults of missing columns
                self.staging = None
            listed = ", ".join(columns)
            self.copy_straight = f"COPY {table.name} ({listed}) FROM STDIN"
            self.create_staging = (
                f"CREATE TEMPORARY TABLE IF NOT EXISTS {self.staging} AS "
                f"SELECT {listed} FROM {table.name} WITH NO DATA"
            )
            self.copy = f"COPY {self.staging} ({listed}) FROM STDIN"
        self.order: tuple[str, ...] | None = (
            tuple(compiled.positiontup) if compiled.positiontup is not None else None
        )
        self.processors: list[tuple[str, ColumnProcessor]] = []
        copy_processors: list[tuple[str, ColumnProcessor]] = []
        for name in columns:
            type_ = table.c[name].type
            processor = type_.dialect_impl(dialect).bind_processor(dialect)
            if processor is None:
                continue
            if isinstance(type_, JSON):  # COPY takes a JSON value as its text
                processor, copied = _each_once(processor), _each_once(_json_text)
            elif isinstance(getattr(type_, "impl_instance", type_), Date | DateTime):
                processor = copied = _each_once(processor)
            else:  # values that do not repeat, as the measured values themselves
                processor = copied = _each(processor)
            self.processors.append((name, processor))
            copy_processors.append((name, copied))
        if self.order is not None:
            self.pick = _picker(self.order)
            self.processors_at = _at(self.order, self.processors)
        self.rows_per_statement = 1
        if dialect.name == "sqlite" and self.order:
            per = min(ROWS_PER_STATEMENT, SQLITE_VARIABLES // len(self.order))
            self.rows_per_statement = per
            self.sql_of_many = _values_repeated(self.sql, per)
        self.pick_copied = _picker(self.columns)
        self.copy_processors_at = _at(self.columns, copy_processors)
        self.copy_texts: list[ColumnText] = [
            numbers_text  # the measured values, which seldom repeat
            if isinstance(table.c[name].type, Integer | Float | Numeric)
            else _each_once(copy_text)
            for name in columns
        ]

    def run(self, connection: Connection, rows: Sequence[dict[str, Any]]) -> int:
        """Write the rows (each holding every column of the statement); how many changed."""
        if self.staging is not None and len(rows) >= COPY_FROM:
            return self._run_by_copy(connection, rows)
        changed = 0
        for start in range(0, len(rows), CHUNK):
            chunk = rows[start : start + CHUNK]
            if self.order is None:  # named parameters
                parameters: list[Any] = [self._named(row) for row in chunk]
            else:
                parameters = _column_wise(chunk, self.pick, self.processors_at)
            if self.rows_per_statement > 1:
                changed += self._run_many_a_statement(connection, parameters)
                continue
            result = connection.exec_driver_sql(self.sql, parameters)
            changed += max(result.rowcount, 0)
        return changed

    def _run_many_a_statement(self, connection: Connection, rows: list[tuple[Any, ...]]) -> int:
        """SQLite: the rows by statements of many rows each; the rest one by one.

        For each row of an ``executemany``, the driver lets go of Python's lock while SQLite
        writes it, then has to win the lock back from the thread reading the next batch
        before it can bind the next row. A statement of hundreds of rows binds them all,
        then lets go once.
        """
        per, changed = self.rows_per_statement, 0
        whole = len(rows) - len(rows) % per
        for start in range(0, whole, per):
            values = tuple(chain.from_iterable(rows[start : start + per]))
            changed += max(connection.exec_driver_sql(self.sql_of_many, values).rowcount, 0)
        if whole < len(rows):
            result = connection.exec_driver_sql(self.sql, rows[whole:])
            changed += max(result.rowcount, 0)
        return changed

    def copy_all(self, connection: Connection, rows: Sequence[dict[str, Any]]) -> bool | None:
        """Copy the rows straight into the table: True when all were new and are copied,
        False when a key was stored and none are; None where the rows are not copied (on
        SQLite, and for fewer than :data:`COPY_FROM` rows)."""
        if self.staging is None or len(rows) < COPY_FROM:
            return None
        driver = connection.connection.driver_connection
        assert driver is not None
        with driver.cursor() as cursor:
            return _copy_straight(cursor, self.copy_straight, self._copied(rows))

    def _copied(self, rows: Sequence[dict[str, Any]]) -> CopiedFrom:
        """The rows as COPY takes them, made anew at each call (a batch may be copied twice)."""
        columns = _processed_columns(rows, self.pick_copied, self.copy_processors_at)
        as_text = copyable(columns)

        def copied() -> Copied:
            if as_text:
                return copy_chunks(columns, self.copy_texts)
            return zip(*columns, strict=True)  # for psycopg to format, value by value

        return copied

    def _run_by_copy(self, connection: Connection, rows: Sequence[dict[str, Any]]) -> int:
        driver = connection.connection.driver_connection
        assert driver is not None
        copied = self._copied(rows)
        with driver.cursor() as cursor:
            if self.on_conflict == "nothing" and _copy_straight(cursor, self.copy_straight, copied):
                return len(rows)
            cursor.execute(self.create_staging)
            _copy(cursor, self.copy, copied)
            cursor.execute(self.from_staging)
            changed = max(cursor.rowcount, 0)
            cursor.execute(f"TRUNCATE {self.staging}")
        return changed

    def _named(self, row: dict[str, Any]) -> dict[str, Any]:
        named = dict(row)
        for name, process_column in self.processors:
            (named[name],) = process_column((named[name],))
        return named


def _column_wise(
    rows: Sequence[dict[str, Any]],
    pick: Callable[[dict[str, Any]], tuple[Any, ...]],
    processors_at: list[tuple[int, ColumnProcessor]],
) -> list[tuple[Any, ...]]:
    """The rows' values as tuples, processed a column at a time.

    A load repeats the same few objects down a column (a period's dates, a cell's
    dictionary, the batch's time): each distinct object is processed once.
    """
    if not processors_at or not rows:
        return list(map(pick, rows))
    return list(zip(*_processed_columns(rows, pick, processors_at), strict=True))


def _processed_columns(
    rows: Sequence[dict[str, Any]],
    pick: Callable[[dict[str, Any]], tuple[Any, ...]],
    processors_at: list[tuple[int, ColumnProcessor]],
) -> list[Sequence[Any]]:
    """The rows' values a column at a time (one sequence per column), processed."""
    columns: list[Sequence[Any]] = list(zip(*map(pick, rows), strict=True))
    for index, process_column in processors_at:
        columns[index] = process_column(columns[index])
    return columns


def _each(processor: Callable[[Any], Any]) -> ColumnProcessor:
    """A column's values processed one by one."""
    return lambda values: tuple(map(processor, values))


def _each_once(processor: Callable[[Any], Any]) -> ColumnProcessor:
    """A column's values processed once per distinct object.

    Objects are told apart by identity, which is safe here: every one of them is held by
    the column until it is processed. (Equal dictionaries would not hash.)
    """

    def process_column(values: Sequence[Any]) -> Sequence[Any]:
        distinct = dict(zip(map(id, values), values, strict=True))
        done = {key: processor(value) for key, value in distinct.items()}
        return tuple(map(done.__getitem__, map(id, values)))

    return process_column


def _at(
    names: Sequence[str], processors: list[tuple[str, ColumnProcessor]]
) -> list[tuple[int, ColumnProcessor]]:
    """The processors by the position of their column among ``names``."""
    where = {name: index for index, name in enumerate(names)}
    return [(where[name], processor) for name, processor in processors]


def _json_text(value: Any) -> str:
    """A JSON value as SQLAlchemy's JSON type writes it (None as JSON ``null``)."""
    return json.dumps(value)


def _copy(cursor: Any, copy_sql: str, copied: CopiedFrom) -> None:
    """COPY the rows: as chunks of text, or row by row formatted by psycopg."""
    with cursor.copy(copy_sql) as copy:
        for values in copied():
            if isinstance(values, bytes):
                copy.write(values)
            else:
                copy.write_row(values)


def _copy_straight(cursor: Any, copy_sql: str, copied: CopiedFrom) -> bool:
    """COPY new rows into the table itself, the fastest way in; False if a key was stored.

    Tried under a savepoint: should any key be stored already, the database refuses the
    whole COPY, the savepoint is rolled back, and the caller goes the staging table's way.
    """
    from psycopg.errors import UniqueViolation

    cursor.execute("SAVEPOINT iochub_copy")
    try:
        _copy(cursor, copy_sql, copied)
    except UniqueViolation:
        cursor.execute("ROLLBACK TO SAVEPOINT iochub_copy")
        return False
    cursor.execute("RELEASE SAVEPOINT iochub_copy")
    return True


def _values_repeated(sql: str, rows: int) -> str:
    """An ``INSERT … VALUES (?, …)`` statement made to take ``rows`` rows."""
    start = sql.index(" VALUES (") + len(" VALUES ")
    end = sql.index(")", start) + 1
    return sql[:start] + ", ".join([sql[start:end]] * rows) + sql[end:]


def _picker(names: Sequence[str]) -> Callable[[dict[str, Any]], tuple[Any, ...]]:
    """A function taking these values out of a row, in this order, as a tuple."""
    if len(names) == 1:
        return lambda row: (row[names[0]],)
    return itemgetter(*names)


def _on_conflict(
    statement: Any, columns: Sequence[str], key: Sequence[str], on_conflict: str
) -> Any:
    if on_conflict == "update":
        updates = {name: statement.excluded[name] for name in columns if name not in key}
        return statement.on_conflict_do_update(index_elements=list(key), set_=updates)
    if on_conflict == "nothing":
        return statement.on_conflict_do_nothing(index_elements=list(key))
    return statement


@lru_cache(maxsize=64)
def many_rows(
    table: Table, columns: tuple[str, ...], key: tuple[str, ...], dialect: Dialect, on_conflict: str
) -> ManyRows:
    """The compiled statement for these columns (compiled once per process)."""
    return ManyRows(table, columns, key, dialect, on_conflict)
