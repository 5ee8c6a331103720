"""Writing many rows with one statement, straight through the database driver.

SQLAlchemy's ``session.execute(statement, rows)`` processes every parameter of every row in
Python, which for a load of millions of observations costs more than the database does. Here
a statement is compiled once for a table and a set of columns, each column keeps its type's
own bind processor (so a JSON column is serialised and a date stored exactly as SQLAlchemy
would), and the rows go to the driver's ``executemany`` as plain tuples or dictionaries.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import lru_cache
from typing import Any

from sqlalchemy import JSON, Connection, Date, DateTime, Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Dialect

CHUNK = 5000


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
        statement = insert(table).inline()  # no RETURNING of the new ids
        if on_conflict == "update":
            updates = {name: statement.excluded[name] for name in columns if name not in key}
            statement = statement.on_conflict_do_update(index_elements=list(key), set_=updates)
        elif on_conflict == "nothing":
            statement = statement.on_conflict_do_nothing(index_elements=list(key))
        compiled = statement.compile(dialect=dialect, column_keys=list(columns))
        self.sql = compiled.string
        self.order: tuple[str, ...] | None = (
            tuple(compiled.positiontup) if compiled.positiontup is not None else None
        )
        self.processors: list[tuple[str, Callable[[Any], Any]]] = []
        for name in columns:
            type_ = table.c[name].type
            processor = type_.dialect_impl(dialect).bind_processor(dialect)
            if processor is not None:
                if isinstance(type_, Date | DateTime):
                    processor = _remembered(processor)
                elif isinstance(type_, JSON):
                    processor = _ByIdentity(processor)
                self.processors.append((name, processor))
        if self.order is not None:
            where = {name: index for index, name in enumerate(self.order)}
            self.processors_at = [(where[name], processor) for name, processor in self.processors]

    def run(self, connection: Connection, rows: Sequence[dict[str, Any]]) -> int:
        """Write the rows (each holding every column of the statement); how many changed."""
        changed = 0
        for start in range(0, len(rows), CHUNK):
            chunk = rows[start : start + CHUNK]
            try:
                parameters = [self._parameters(row) for row in chunk]
            finally:
                for _, processor in self.processors:
                    if isinstance(processor, _ByIdentity):
                        processor.known.clear()
            result = connection.exec_driver_sql(self.sql, parameters)
            changed += max(result.rowcount, 0)
        return changed

    def _parameters(self, row: dict[str, Any]) -> tuple[Any, ...] | dict[str, Any]:
        if self.order is None:
            named = dict(row)
            for name, processor in self.processors:
                named[name] = processor(named[name])
            return named
        values = [row[name] for name in self.order]
        for index, processor in self.processors_at:
            values[index] = processor(values[index])
        return tuple(values)


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


@lru_cache(maxsize=64)
def many_rows(
    table: Table, columns: tuple[str, ...], key: tuple[str, ...], dialect: Dialect, on_conflict: str
) -> ManyRows:
    """The compiled statement for these columns (compiled once per process)."""
    return ManyRows(table, columns, key, dialect, on_conflict)
