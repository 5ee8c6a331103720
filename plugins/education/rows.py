"""What the two kinds of source have in common: rows of mapped columns, and a scope.

A :class:`RowSource` (a database, or a set of exported files) yields each table's rows as
:class:`SourceRow` objects: the values of the mapped columns by role (``school``, ``grade``,
``sex``, …), where the row is (for quarantine messages), and its raw values. Everything
after that — checking, counting, dating — is the same for both kinds.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Protocol


@dataclass(frozen=True, slots=True)
class SourceRow:
    """One row of a source table, by role; ``raw`` holds it by source column, JSON-safe.

    ``problem`` says why a row could not even be read (a CSV line with too many fields).
    """

    fields: dict[str, Any]
    place: str
    raw: dict[str, Any]
    problem: str | None = None

    def get(self, role: str) -> Any:
        return self.fields.get(role)


@dataclass(frozen=True)
class Scope:
    """Which schools a run recounts: every one (``schools`` None), or those that changed."""

    schools: frozenset[str] | None = None
    population: bool = True
    """Whether the school-age population is read again."""

    def covers(self, school: str) -> bool:
        return self.schools is None or school in self.schools


EVERYTHING = Scope()


class RowSource(Protocol):
    """A school-management database or a set of exported files, as rows of mapped columns."""

    def rows(self, table: str, scope: Scope) -> Iterator[SourceRow]:
        """The rows of one table (``schools``, ``pupils``, …) of the schools in ``scope``.

        A source may yield rows of other schools too (a file is read whole): callers filter.
        """
        ...

    def tracks_changes(self, table: str) -> bool:
        """Whether the source can tell which of this table's rows changed since a run."""
        ...

    def snapshot_day(self, table: str) -> dt.date:
        """The day the table's stocks are counted on, when its rows do not say."""
        ...


def jsonable(value: Any) -> Any:
    """A source value as JSON: dates as ISO text, decimals as numbers, bytes as hex."""
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, bytes | bytearray | memoryview):
        return bytes(value).hex()
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return str(value)
