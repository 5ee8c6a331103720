"""Reads a long-format CSV of observations for ``iochub import``.

Columns: ``metric``, ``unit``, ``period``, ``value``, optionally ``calendar``, then one column
per disaggregation (an empty cell means the row is not disaggregated by it).

Cells are separated by commas, or by semicolons as Excel saves a CSV where the decimal mark is
a comma (Vietnamese regional settings among them): there a value's comma is its decimal mark
(``12,5`` is 12.5) and the dots before it group thousands (``1.234,5``). Values are read by
:mod:`hub.numbers`; a value that is not a number is quarantined with the reason.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path

from hub.connectors.errors import PermanentSourceError
from hub.connectors.records import BadRecord, Checkpoint, Item, Observation
from hub.numbers import NumberConvention, NumberError, parse_number

REQUIRED = ("metric", "unit", "period", "value")
CHECKPOINT_EVERY = 50_000
SEPARATORS = (",", ";", "\t")
CONVENTIONS = {",": NumberConvention.EN, ";": NumberConvention.VI, "\t": None}
"""How each kind of file writes its numbers: a comma-separated file cannot use the decimal
comma, Excel writes semicolons where the comma is the decimal mark, a tab says nothing."""


def read_long_csv(path: Path) -> Iterator[Item]:
    """Observations from the file, a BadRecord for each row that is malformed."""
    with path.open(newline="", encoding="utf-8-sig") as handle:
        separator = _separator(handle.readline())
        handle.seek(0)
        reader = csv.reader(handle, delimiter=separator)
        header = [name.strip() for name in next(reader, [])]
        missing = [name for name in REQUIRED if name not in header]
        if missing:
            raise PermanentSourceError(
                f"{path.name}: missing column(s) {', '.join(missing)} "
                f"(a long-format CSV has {', '.join(REQUIRED)}, then one column per disaggregation)"
            )
        convention = CONVENTIONS[separator]
        columns, name = _Columns(header, convention), path.name
        for line, row in enumerate(reader, start=2):
            yield _observation(row, columns, f"{name} line {line}")
            if line % CHECKPOINT_EVERY == 0:
                yield Checkpoint({"file": name, "line": line})


def _separator(header_line: str) -> str:
    """The separator that splits the header into the required columns (else a comma)."""
    for separator in SEPARATORS:
        names = {name.strip().strip('"') for name in header_line.split(separator)}
        if all(name in names for name in REQUIRED):
            return separator
    return ","


class _Columns:
    """Where each column of the header is, and how its numbers are written."""

    def __init__(self, header: list[str], convention: NumberConvention | None) -> None:
        self.names = header
        self.convention = convention
        self.metric, self.unit, self.period, self.value = (header.index(n) for n in REQUIRED)
        self.calendar = header.index("calendar") if "calendar" in header else None
        self.dims = [
            (name, index)
            for index, name in enumerate(header)
            if name not in (*REQUIRED, "calendar")
        ]


def _observation(row: list[str], columns: _Columns, place: str) -> Item:
    if len(row) > len(columns.names):
        return BadRecord("the row has more cells than the header", _as_dict(row, columns), place)
    row = [cell.strip() for cell in row]
    if len(row) < len(columns.names):
        row += [""] * (len(columns.names) - len(row))
    if not (row[columns.metric] and row[columns.unit] and row[columns.period]):
        return BadRecord(f"empty {', '.join(_empty(row, columns))}", _as_dict(row, columns), place)
    calendar = row[columns.calendar] if columns.calendar is not None else ""
    try:
        value = parse_number(row[columns.value], columns.convention)
    except NumberError as problem:
        return BadRecord(f"value {problem}", _as_dict(row, columns), place)
    if value is None:  # a blank cell is refused as such: only a retraction removes a value
        value = row[columns.value]
    return Observation(
        metric=row[columns.metric],
        unit=row[columns.unit],
        period=row[columns.period],
        value=value,
        dims={name: row[index] for name, index in columns.dims if row[index]},
        calendar=calendar or "GREGORIAN",
        place=place,
    )


def _empty(row: list[str], columns: _Columns) -> list[str]:
    keys = (("metric", columns.metric), ("unit", columns.unit), ("period", columns.period))
    return [name for name, index in keys if not row[index]]


def _as_dict(row: list[str], columns: _Columns) -> dict[str, str]:
    """A malformed row as it came, by column name (extra cells under ``extra``)."""
    found = dict(zip(columns.names, row, strict=False))
    if len(row) > len(columns.names):
        found["extra"] = ",".join(row[len(columns.names) :])
    return found
