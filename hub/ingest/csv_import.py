"""Reads a long-format CSV of observations for ``iochub import``.

Columns: ``metric``, ``unit``, ``period``, ``value``, optionally ``calendar``, then one column
per disaggregation (an empty cell means the row is not disaggregated by it).
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path

from hub.connectors.errors import PermanentSourceError
from hub.connectors.records import BadRecord, Checkpoint, Item, Observation

REQUIRED = ("metric", "unit", "period", "value")
CHECKPOINT_EVERY = 50_000


def read_long_csv(path: Path) -> Iterator[Item]:
    """Observations from the file, a BadRecord for each row that is malformed."""
    with path.open(newline="", encoding="utf-8-sig") as handle:
        reader = csv.reader(handle)
        header = [name.strip() for name in next(reader, [])]
        missing = [name for name in REQUIRED if name not in header]
        if missing:
            raise PermanentSourceError(
                f"{path.name}: missing column(s) {', '.join(missing)} "
                f"(a long-format CSV has {', '.join(REQUIRED)}, then one column per disaggregation)"
            )
        columns, name = _Columns(header), path.name
        for line, row in enumerate(reader, start=2):
            yield _observation(row, columns, f"{name} line {line}")
            if line % CHECKPOINT_EVERY == 0:
                yield Checkpoint({"file": name, "line": line})


class _Columns:
    """Where each column of the header is."""

    def __init__(self, header: list[str]) -> None:
        self.names = header
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
    return Observation(
        metric=row[columns.metric],
        unit=row[columns.unit],
        period=row[columns.period],
        value=row[columns.value],
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
