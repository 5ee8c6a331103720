"""Rows as the text of PostgreSQL's ``COPY … FROM STDIN`` (its default text format).

psycopg formats a row of a ``COPY`` value by value, looking up each value's dumper: about
a microsecond a value, which for a load of millions of observations costs more Python time
than reading and checking them. Here a batch is formatted a column at a time (by
:mod:`hub.model.bulk`, each distinct object of a column once: a load repeats its periods'
dates, its cells' keys and dictionaries, the batch's time), and joined into lines. The
server parses the text into each column's type, as it does any ``COPY``.

The format (PostgreSQL's documentation, "COPY", "Text Format"): columns separated by a tab,
rows by a newline, ``\\N`` for null, and a backslash, tab, newline or carriage return inside
a value escaped with a backslash.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any
from uuid import UUID

NULL = "\\N"
CHUNK_ROWS = 1000
ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})

ColumnText = Callable[[Sequence[Any]], Sequence[str]]
"""Turns a column of values into their COPY text."""


class NotCopyable(TypeError):
    """A value whose COPY text is not known here (the caller lets psycopg format it)."""


def _boolean(value: bool) -> str:
    return "t" if value else "f"


def _iso(value: date | datetime | time) -> str:
    return value.isoformat()


FORMATS: dict[type, Callable[[Any], str]] = {
    str: lambda value: value.translate(ESCAPES),
    int: int.__repr__,
    float: float.__repr__,  # the shortest text that reads back to the same float; inf, nan
    bool: _boolean,
    date: _iso,
    datetime: _iso,
    time: _iso,
    Decimal: Decimal.__str__,
    UUID: UUID.__str__,
    type(None): lambda value: NULL,
}


def copy_text(value: Any) -> str:
    """One value as COPY text; :class:`NotCopyable` for a type not listed in ``FORMATS``."""
    try:
        return FORMATS[type(value)](value)
    except KeyError:
        raise NotCopyable(type(value).__name__) from None


def numbers_text(values: Sequence[Any]) -> Sequence[str]:
    """A column of values as COPY text; a column of one type without a lookup per value."""
    kinds = set(map(type, values))
    if len(kinds) == 1:
        kind = kinds.pop()
        if kind in FORMATS:
            return tuple(map(FORMATS[kind], values))
    return tuple(map(copy_text, values))


def copyable(columns: Sequence[Sequence[Any]]) -> bool:
    """Whether every value's type has a COPY text here (checked before a COPY starts)."""
    return all(set(map(type, column)) <= FORMATS.keys() for column in columns)


def copy_chunks(
    columns: Sequence[Sequence[Any]], texts: Sequence[ColumnText], rows: int = CHUNK_ROWS
) -> Iterator[bytes]:
    """The rows held by ``columns`` (one sequence per column) as COPY text, a chunk at a time.

    A chunk is sent while the next is formatted: the server starts on the rows at once.
    Raises :class:`NotCopyable` on a value :func:`copyable` would have refused.
    """
    count = len(columns[0]) if columns else 0
    for start in range(0, count, rows):
        chunk = [column[start : start + rows] for column in columns]
        formatted = [text(column) for text, column in zip(texts, chunk, strict=True)]
        lines = map("\t".join, zip(*formatted, strict=True))
        yield ("\n".join(lines) + "\n").encode()
