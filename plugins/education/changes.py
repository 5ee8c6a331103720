"""Which schools changed since the last run: the kit's cursor on each table's ``modified``.

Each table with a ``modified`` column has its own :class:`~hub.connectors.incremental.Incremental`
on that column, its ties at the boundary told apart by primary key. A run in the same month as
the last one asks each table for its rows modified at or after the boundary less
``lookback_seconds`` (``WHERE modified >= :since``); the rows the cursor takes as new (all but
the boundary's ties the last run read) name the schools to recount. The first run of a month,
a ``--full`` run, and a run with a table the state does not cover recount every school, and
ask each table only for the rows holding its newest time, to start the cursors there.

A row modified twice within the same instant (the same second, for a ``DATETIME`` column) with
a run in between is a tie the cursor has read: its second change waits for the next month's
full recount (or a ``--full`` run), as a row deleted outright does.

The state is ``{"month": "2026-10", "cursors": {table: cursor state}}``. The state of earlier
releases, ``{"month": …, "marks": {table: newest mark}}``, is read as cursors at those marks
with no ties (so the boundary's rows are read again once, as they were then).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from hub.connectors.incremental import Incremental

from .config import SqlConfig
from .rows import EVERYTHING, Scope
from .sql_source import SqlSource


@dataclass
class TableCursors:
    """The cursors of one run, by table, and whether the run recounts every school."""

    cursors: dict[str, Incremental]
    everything: bool

    def scope(self, source: SqlSource) -> Scope:
        """The schools to recount; reading the changes moves the cursors."""
        schools: set[str] = set()
        population = False
        for table, cursor in self.cursors.items():
            since = None if self.everything else cursor.since
            for row in cursor.take(source.changes(table, since)):
                if table == "population":
                    population = True
                elif row["school"] is not None:
                    schools.add(row["school"])
        return EVERYTHING if self.everything else Scope(frozenset(schools), population)

    def state(self, month: str) -> dict[str, Any]:
        """The state to save once the run has read everything."""
        return {"month": month, "cursors": {t: c.finish() for t, c in self.cursors.items()}}


def table_cursors(
    config: SqlConfig, state: Mapping[str, Any], month: str, full: bool
) -> TableCursors:
    """The cursors of this run's tracked tables, from the saved state (of this month only)."""
    fresh = full or state.get("month") != month
    saved = {} if fresh else saved_cursors(state)
    lookback = config.lookback_seconds
    cursors = {
        table: _cursor(saved.get(table), lookback)
        for table, mapping in config.tables().items()
        if mapping.modified
    }
    return TableCursors(cursors, fresh or any(c.boundary is None for c in cursors.values()))


def saved_cursors(state: Mapping[str, Any]) -> dict[str, Mapping[str, Any]]:
    """The cursors' saved states by table, the state of earlier releases converted."""
    cursors = state.get("cursors")
    if isinstance(cursors, dict):
        return cursors
    marks = state.get("marks")
    if isinstance(marks, dict):  # before the kit: the newest mark of each table, no ties
        return {t: {"value": mark, "ties": []} for t, mark in marks.items() if mark is not None}
    return {}


def read_mark(value: Any) -> Any:
    """A saved modification mark as it compares with the column's values: ISO text as a
    datetime (naive stays naive, like the column's), a number as it is, other text as text."""
    if isinstance(value, str):
        try:
            return datetime.fromisoformat(value)
        except ValueError:
            return value
    return value


def _cursor(saved: Mapping[str, Any] | None, lookback: int) -> Incremental:
    # Read in primary-key order (bounded pages), not by time: the state is taken at the end.
    cursor = Incremental(
        "modified", id="id", lookback=lookback, sorted=False, parse=read_mark, state=saved
    )
    if isinstance(cursor.boundary, str):
        cursor.lookback = 0  # a text column is compared as text: there is no "before" to it
    return cursor
