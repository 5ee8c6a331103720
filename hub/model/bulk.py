"""Writing many rows with one statement, straight through the database driver.

SQLAlchemy's ``session.execute(statement, rows)`` processes every parameter of every row in
Python, which for a load of millions of observations costs more than the database does. Here
a statement is compiled once for a table and a set of columns, each column keeps its type's
own bind processor (so a JSON column is serialised and a date stored exactly as SQLAlchemy
would), and the rows go to the driver's ``executemany`` as plain tuples or dictionaries.

On PostgreSQL, where one statement per row costs the server far more than the row itself,
a batch is copied (``COPY``) into a temporary table of the same columns and written with one
``INSERT … SELECT``.
"""

from __future__ import annotations

import json
import zlib
from collections.abc import Callable, Sequence
from functools import lru_cache
from operator import itemgetter
from typing import Any

from sqlalchemy import JSON, Connection, Date, DateTime, Table, select
from sqlalchemy import column as sql_column
from sqlalchemy import table as sql_table
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Dialect

CHUNK = 5000
COPY_FROM = 50
"""Batches of at least this many rows go to PostgreSQL by COPY."""


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
        self.processors: list[tuple[str, Callable[[Any], Any]]] = []
        for name in columns:
            type_ = table.c[name].type
            processor = type_.dialect_impl(dialect).bind_processor(dialect)
            if processor is not None:
                if isinstance(getattr(type_, "impl_instance", type_), Date | DateTime):
                    processor = _remembered(processor)
                elif isinstance(type_, JSON):
                    processor = _ByIdentity(processor)
                self.processors.append((name, processor))
        if self.order is not None:
            where = {name: index for index, name in enumerate(self.order)}
            self.processors_at = [(where[name], processor) for name, processor in self.processors]
            self.pick = _picker(self.order)
        # COPY takes rows as tuples of the columns, a JSON value as its text (made once).
        self.pick_copied = _picker(self.columns)
        self.copy_processors_at = [
            (
                self.columns.index(name),
                _ByIdentity(_json_text) if isinstance(processor, _ByIdentity) else processor,
            )
            for name, processor in self.processors
        ]

    def run(self, connection: Connection, rows: Sequence[dict[str, Any]]) -> int:
        """Write the rows (each holding every column of the statement); how many changed."""
        if self.staging is not None and len(rows) >= COPY_FROM:
            return self._run_by_copy(connection, rows)
        changed = 0
        for start in range(0, len(rows), CHUNK):
            chunk = rows[start : start + CHUNK]
            try:
                parameters = [self._parameters(row) for row in chunk]
            finally:
                self._forget()
            result = connection.exec_driver_sql(self.sql, parameters)
            changed += max(result.rowcount, 0)
        return changed

    def _run_by_copy(self, connection: Connection, rows: Sequence[dict[str, Any]]) -> int:
        driver = connection.connection.driver_connection
        assert driver is not None
        try:
            copied = [self._copied(row) for row in rows]
        finally:
            self._forget()
        with driver.cursor() as cursor:
            if self.on_conflict == "nothing" and _copy_straight(cursor, self.copy_straight, copied):
                return len(copied)
            cursor.execute(self.create_staging)
            with cursor.copy(self.copy) as copy:
                for values in copied:
                    copy.write_row(values)
            cursor.execute(self.from_staging)
            changed = max(cursor.rowcount, 0)
            cursor.execute(f"TRUNCATE {self.staging}")
        return changed

    def _copied(self, row: dict[str, Any]) -> list[Any]:
        values = list(self.pick_copied(row))
        for index, processor in self.copy_processors_at:
            values[index] = processor(values[index])
        return values

    def _forget(self) -> None:
        """Drop what the processors remembered of one write's objects."""
        for _, processor in (*self.processors, *self.copy_processors_at):
            if isinstance(processor, _ByIdentity):
                processor.known.clear()

    def _parameters(self, row: dict[str, Any]) -> tuple[Any, ...] | dict[str, Any]:
        if self.order is None:
            named = dict(row)
            for name, processor in self.processors:
                named[name] = processor(named[name])
            return named
        values = list(self.pick(row))
        for index, processor in self.processors_at:
            values[index] = processor(values[index])
        return tuple(values)


def _json_text(value: Any) -> str:
    """A JSON value as SQLAlchemy's JSON type writes it (None as JSON ``null``)."""
    return json.dumps(value)


def _copy_straight(cursor: Any, copy_sql: str, copied: list[list[Any]]) -> bool:
    """COPY new rows into the table itself, the fastest way in; False if a key was stored.

    Tried under a savepoint: should any key be stored already, the database refuses the
    whole COPY, the savepoint is rolled back, and the caller goes the staging table's way.
    """
    from psycopg.errors import UniqueViolation

    cursor.execute("SAVEPOINT iochub_copy")
    try:
        with cursor.copy(copy_sql) as copy:
            for values in copied:
                copy.write_row(values)
    except UniqueViolation:
        cursor.execute("ROLLBACK TO SAVEPOINT iochub_copy")
        return False
    cursor.execute("RELEASE SAVEPOINT iochub_copy")
    return True


def _picker(names: Sequence[str]) -> Callable[[dict[str, Any]], tuple[Any, ...]]:
    """A function taking these values out of a row, in this order, as a tuple."""
    if len(names) == 1:
        return lambda row: (row[names[0]],)
    return itemgetter(*names)


class _ByIdentity:
    """A processor remembering its answers for the objects of one write.

    A loader shares one dictionary between the rows of the same cell, so its JSON is made
    once per write. Objects are told apart by identity and kept alive while remembered (so
    no other object can take an identity over); forgotten after each write, so an object
    changed between writes is processed anew.
    """

    def __init__(self, processor: Callable[[Any], Any]) -> None:
        self.processor = processor
        self.known: dict[int, tuple[Any, Any]] = {}

    def __call__(self, value: Any) -> Any:
        found = self.known.get(id(value))
        if found is None or found[0] is not value:
            found = self.known[id(value)] = (value, self.processor(value))
        return found[1]


def _remembered(processor: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """The processor, remembering its answers: a load repeats the same few dates."""
    known: dict[Any, Any] = {}

    def process(value: Any) -> Any:
        found = known.get(value, known)
        if found is known:
            if len(known) > 10_000:
                known.clear()
            found = known[value] = processor(value)
        return found

    return process


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
