"""SDMX-CSV files (version 1 and 2) → source values.

Version 1: ``DATAFLOW``, one column per dimension, ``TIME_PERIOD``, ``OBS_VALUE``, then one
column per attribute. Version 2 starts with ``STRUCTURE``, ``STRUCTURE_ID``, optionally
``STRUCTURE_NAME``, and ``ACTION`` (``I`` information, ``A`` append, ``R`` replace, ``M``
merge: all upserts; ``D`` delete: see below). The delimiter is the character after the first
column's name (a comma, or a semicolon or tab as version 2 allows). Headers and values written
with labels (``FREQ: Frequency``, ``A: Annual``) are read by their ids.

The dimensions are the columns between the leading structure columns and the measure column,
except the time column; of the attributes (after the measure), ``UNIT_MULT`` is read: the
power of ten the row's value is in (``3412.3456`` with ``9`` is 3,412,345,600,000), so that
rows in millions and in billions agree; an empty one is 0. The others are not read. A file
whose columns are ordered otherwise names its dimensions in the connector's ``dimensions``
setting.

An empty or ``NaN`` measure is a missing value: no record. A row with ``ACTION`` ``D`` is a
deletion: its observation is written with no value (see ``sdmx_json`` for the reasoning).
Rows that cannot be read are bad records naming their line.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from hub.connectors.records import BadRecord

from .mapping import Layout, SourceValue
from .periods import sdmx_period

STRUCTURE_COLUMNS = ("DATAFLOW", "STRUCTURE", "STRUCTURE_ID", "STRUCTURE_NAME", "ACTION")
UPSERT_ACTIONS = frozenset({"I", "A", "R", "M"})
DELETE_ACTION = "D"

_FIRST_COLUMN = re.compile(r'^"?(DATAFLOW|STRUCTURE)(?::[^,;\t|"]*)?"?([,;\t|])')
_ID = re.compile(r"^[A-Za-z_][A-Za-z0-9_@$.\-]*$")

Item = Layout | SourceValue | BadRecord


class Malformed(ValueError):
    """A file that is not SDMX-CSV, or does not have the columns it needs."""


@dataclass(frozen=True)
class Columns:
    """Where everything is in the file's rows."""

    names: list[str]
    dimensions: list[str]
    time: int
    measure: int
    action: int | None
    structure: int | None
    labelled: bool

    @classmethod
    def parse(
        cls, header: list[str], time: str, measure: str, dimensions: list[str] | None
    ) -> Columns:
        labelled = any(_label_split(cell)[1] for cell in header)
        names = [_label_split(cell)[0] for cell in header]
        for needed in (time, measure):
            if needed not in names:
                raise Malformed(f"no {needed} column (columns: {', '.join(names)})")
        measure_at = names.index(measure)
        dims = dimensions if dimensions is not None else _dimensions_before(names, measure_at)
        unknown = [d for d in dims if d not in names]
        if unknown:
            raise Malformed(f"no column {', '.join(unknown)} (columns: {', '.join(names)})")
        return cls(
            names=names,
            dimensions=[d for d in dims if d != time],
            time=names.index(time),
            measure=measure_at,
            action=names.index("ACTION") if "ACTION" in names else None,
            structure=_first_index(names, "STRUCTURE_ID", "DATAFLOW"),
            labelled=labelled,
        )

    @property
    def last_needed(self) -> int:
        """The index of the last column a row must have."""
        needed = [self.time, self.measure, *(self.names.index(d) for d in self.dimensions)]
        return max(needed + ([self.action] if self.action is not None else []))

    def value(self, row: list[str], column: str | int) -> str:
        """A cell by column name or index; a code written with its label is read by its id."""
        index = column if isinstance(column, int) else self.names.index(column)
        text = row[index].strip()
        return _label_split(text)[0] if self.labelled and index != self.measure else text

    def structure_ids(self, rows: list[list[str]]) -> list[str]:
        """The dataflows (or other structures) the rows belong to."""
        if self.structure is None:
            return []
        return sorted({row[self.structure].strip() for row in rows if len(row) > self.structure})


def read_sdmx_csv(
    content: bytes,
    time_dimension: str = "TIME_PERIOD",
    measure: str = "OBS_VALUE",
    dimensions: list[str] | None = None,
) -> Iterator[Item]:
    """Every row of an SDMX-CSV file as a source value, or a bad record naming its line."""
    try:
        rows = _reader(content)
        columns = Columns.parse(next(rows, []), time_dimension, measure, dimensions)
    except Malformed as exc:
        yield BadRecord(f"line 1: {exc}", {"start": _start(content)}, "line 1")
        return
    yield Layout(tuple(columns.dimensions), "the file")
    last_line = rows.line_num
    for row in rows:
        line, last_line = last_line + 1, rows.line_num  # a quoted field may span lines
        if any(cell.strip() for cell in row):
            yield _row(line, row, columns)


def describe_sdmx_csv(
    content: bytes,
    time_dimension: str = "TIME_PERIOD",
    measure: str = "OBS_VALUE",
    dimensions: list[str] | None = None,
) -> str:
    """A one-line summary for ``check``; ValueError when this is no usable SDMX-CSV file."""
    rows = _reader(content)
    columns = Columns.parse(next(rows, []), time_dimension, measure, dimensions)
    data = [row for row in rows if any(cell.strip() for cell in row)]
    version = 2 if "STRUCTURE" in columns.names else 1
    structures = columns.structure_ids(data)
    of = f" of {', '.join(structures)}" if structures else ""
    return (
        f"SDMX-CSV {version} file with {len(data)} observation rows{of}; "
        f"dimensions {', '.join(columns.dimensions) or 'none'}"
    )


def _reader(content: bytes) -> Any:
    """A csv reader over the text, with the delimiter that follows the first column's name."""
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise Malformed(f"not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    match = _FIRST_COLUMN.match(text.split("\n", 1)[0])
    if not match:
        raise Malformed("not SDMX-CSV: the first column is neither DATAFLOW nor STRUCTURE")
    return csv.reader(io.StringIO(text, newline=""), delimiter=match[2])


def _row(line: int, row: list[str], columns: Columns) -> Item:
    place = f"line {line}"
    if len(row) > len(columns.names) or len(row) <= columns.last_needed:
        reason = f"{place}: {len(row)} fields, the header has {len(columns.names)}"
        return BadRecord(reason, {"row": row}, place)
    row = row + [""] * (len(columns.names) - len(row))  # trailing empty attributes left out
    action = columns.value(row, columns.action).upper() if columns.action is not None else "I"
    if action not in UPSERT_ACTIONS and action != DELETE_ACTION:
        return BadRecord(f"{place}: unknown ACTION {action!r}", {"row": row}, place)
    key = {dimension: columns.value(row, dimension) for dimension in columns.dimensions}
    time = columns.value(row, columns.time)
    payload = dict(zip(columns.names, row, strict=True))
    period = sdmx_period(time)
    if period is None:
        problem = f"time period {time!r} is not a day, week, month, quarter, half-year or year"
        return BadRecord(f"{place}: {problem}", payload, place)
    source_id = f"{'.'.join(key.values())}@{time}"
    value = columns.value(row, columns.measure)
    unit_mult = columns.value(row, "UNIT_MULT") if "UNIT_MULT" in columns.names else ""
    if unit_mult and not _POWER.fullmatch(unit_mult):
        return BadRecord(f"{place}: UNIT_MULT {unit_mult!r} is not a power of ten", payload, place)
    power = int(unit_mult or 0)
    return SourceValue(key, period, value, place, source_id, action == DELETE_ACTION, power)


_POWER = re.compile(r"-?\d{1,2}")


def _dimensions_before(names: list[str], measure_at: int) -> list[str]:
    return [name for name in names[:measure_at] if name not in STRUCTURE_COLUMNS]


def _first_index(names: list[str], *wanted: str) -> int | None:
    return next((names.index(name) for name in wanted if name in names), None)


def _label_split(cell: str) -> tuple[str, str | None]:
    """``"FREQ: Frequency"`` → ``("FREQ", "Frequency")``; a plain id has no label."""
    code, colon, label = cell.partition(":")
    if colon and _ID.match(code.strip()):
        return code.strip(), label.strip()
    return cell.strip(), None


def _start(content: bytes) -> str:
    return content[:200].decode("utf-8", errors="replace")
