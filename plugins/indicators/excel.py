"""Excel workbooks (.xlsx) → source values: units down, periods across.

A sheet as provincial departments keep them::

        A      B                   C          D          E
    3   Mã     Đơn vị              Tháng 1/2024  Tháng 2/2024  ...   ← header_row: periods
    4   62     Tỉnh Kon Tum        2 310,5    2 280,0
    5   608    Thành phố Kon Tum   1 020,4    ...
        ↑ unit_column                ↑ first_data_column

Each non-empty cell under a period header is one value of the row's unit (and of the row's
indicator code, when the sheet has a ``metric_column``). The header row holds period ids or
dates or Vietnamese notations (see :mod:`periods`). An empty cell is a missing value (no record,
not zero); a text where a number belongs is a bad record naming the sheet and cell, e.g.
"Sheet 'GRDP' cell D7: 'n/a' is not a number". So is a column that has values under a header
that is not a period, a row with values but no unit, and a formula whose value was never
calculated (a workbook written by a program and never opened in Excel): the hub reads the
values Excel saved, not formulas.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from hub.connectors.records import BadRecord

from .config import SheetLayout
from .mapping import Layout, SourceValue, jsonable
from .periods import header_period

UNIT = "UNIT"
METRIC = "METRIC"
Item = Layout | SourceValue | BadRecord
Row = tuple[Any, ...]


class Malformed(ValueError):
    """A document that is not an Excel workbook, or lacks a sheet."""


class Workbook:
    """The values Excel saved in each cell, and the formulas behind them."""

    def __init__(self, content: bytes) -> None:
        # openpyxl (and numpy with it) is loaded when a workbook is read, not with the plugin.
        from openpyxl import load_workbook
        from openpyxl.utils.exceptions import InvalidFileException

        try:
            self._values = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
            self._formulas = load_workbook(io.BytesIO(content), read_only=True, data_only=False)
        except (InvalidFileException, zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
            raise Malformed(f"not an Excel workbook (.xlsx): {exc}") from None

    @property
    def sheet_names(self) -> list[str]:
        return list(self._values.sheetnames)

    def sheet(self, name: str | None) -> Sheet:
        """The named sheet, or the first one; Malformed when there is no such sheet."""
        name = name or self.sheet_names[0]
        if name not in self.sheet_names:
            raise Malformed(f"no sheet {name!r} (sheets: {', '.join(self.sheet_names)})")
        return Sheet(name, _rows(self._values[name]), _rows(self._formulas[name]))

    def close(self) -> None:
        self._values.close()
        self._formulas.close()


@dataclass(frozen=True)
class Sheet:
    """One sheet's cells, 1-based like Excel's."""

    name: str
    values: list[Row]
    formulas: list[Row]

    @property
    def max_row(self) -> int:
        return len(self.values)

    @property
    def max_column(self) -> int:
        return max((len(row) for row in self.values), default=0)

    def value(self, row: int, column: int) -> Any:
        return _cell(self.values, row, column)

    def formula(self, row: int, column: int) -> Any:
        return _cell(self.formulas, row, column)

    def place(self, row: int, column: int) -> str:
        from openpyxl.utils import get_column_letter

        return f"Sheet '{self.name}' cell {get_column_letter(column)}{row}"


def read_sheet(workbook: Workbook, layout: SheetLayout) -> Iterator[Item]:
    """The values of one sheet laid out as ``layout`` says (see the module docstring)."""
    try:
        sheet = workbook.sheet(layout.name)
    except Malformed as exc:
        place = f"Sheet {layout.name!r}"
        yield BadRecord(f"{place}: {exc}", {"sheet": layout.name}, place)
        return
    reader = _SheetReader(sheet, layout)
    yield Layout((UNIT, METRIC) if layout.metric_column else (UNIT,), f"Sheet '{sheet.name}'")
    yield from reader.header_problems()
    for row in reader.data_rows():
        yield from reader.row(row)


def describe_workbook(content: bytes, sheets: list[SheetLayout]) -> str:
    """A one-line summary for ``check``; ValueError when a sheet cannot be read."""
    workbook = Workbook(content)
    try:
        parts = [_describe_sheet(_SheetReader(workbook.sheet(s.name), s)) for s in sheets]
    finally:
        workbook.close()
    return "Excel workbook: " + "; ".join(parts)


def _describe_sheet(reader: _SheetReader) -> str:
    periods = list(reader.periods.values())
    span = f" ({periods[0]} … {periods[-1]})" if periods else ""
    rows = sum(1 for row in reader.data_rows() if reader.unit_text(row))
    return f"sheet '{reader.sheet.name}' with {rows} rows × {len(periods)} periods{span}"


class _SheetReader:
    def __init__(self, sheet: Sheet, layout: SheetLayout) -> None:
        from openpyxl.utils import column_index_from_string

        self.sheet = sheet
        self.layout = layout
        self.unit_column = column_index_from_string(layout.unit_column)
        self.metric_column = (
            column_index_from_string(layout.metric_column) if layout.metric_column else None
        )
        first = column_index_from_string(layout.first_data_column)
        last = (
            column_index_from_string(layout.last_data_column)
            if layout.last_data_column
            else sheet.max_column
        )
        self.columns = range(first, last + 1)
        self.periods = {
            column: period
            for column in self.columns
            if (period := header_period(self._header(column), layout.date_headers))
        }

    def data_rows(self) -> range:
        last = min(self.layout.last_row or self.sheet.max_row, self.sheet.max_row)
        return range(self.layout.header_row + 1, last + 1)

    def header_problems(self) -> Iterator[BadRecord]:
        """A bad record for each column with values under a header that is not a period."""
        for column in self.columns:
            if column in self.periods:
                continue
            values = [self.sheet.value(row, column) for row in self.data_rows()]
            if any(_present(value) for value in values):
                yield self._bad_header(column, values)

    def unit_text(self, row: int) -> str:
        return _text(self.sheet.value(row, self.unit_column))

    def row(self, row: int) -> Iterator[Item]:
        cells = {column: self.sheet.value(row, column) for column in self.periods}
        unit = self.unit_text(row)
        if not unit:
            if any(_present(value) for value in cells.values()):
                yield self._no_unit(row, cells)
            return
        key = {UNIT: unit}
        if self.metric_column:
            key[METRIC] = _text(self.sheet.value(row, self.metric_column))
        for column, value in cells.items():
            yield from self._cell(row, column, key, value)

    def _cell(self, row: int, column: int, key: dict[str, str], value: Any) -> Iterator[Item]:
        place = self.sheet.place(row, column)
        if value is None:
            formula = self.sheet.formula(row, column)
            if isinstance(formula, str) and formula.startswith("="):
                reason = (
                    f"{place}: formula {formula} has no saved value "
                    "(open and save the workbook in Excel)"
                )
                yield BadRecord(reason, {"formula": formula}, place)
            return
        from openpyxl.utils import get_column_letter

        source_id = f"{self.sheet.name}!{get_column_letter(column)}{row}"
        yield SourceValue(dict(key), self.periods[column], value, place, source_id)

    def _header(self, column: int) -> Any:
        return self.sheet.value(self.layout.header_row, column)

    def _bad_header(self, column: int, values: list[Any]) -> BadRecord:
        place = self.sheet.place(self.layout.header_row, column)
        header = self._header(column)
        if header is None:
            problem = "the column has values but no period header"
        else:
            problem = f"header {_text(header)!r} is not a period, and the column has values"
        payload = {"header": jsonable(header), "values": [jsonable(v) for v in values]}
        return BadRecord(f"{place}: {problem}", payload, place)

    def _no_unit(self, row: int, cells: dict[int, Any]) -> BadRecord:
        place = self.sheet.place(row, self.unit_column)
        payload = {self.periods[c]: jsonable(v) for c, v in cells.items() if _present(v)}
        return BadRecord(f"{place}: the row has values but no unit", payload, place)


def _rows(sheet: Any) -> list[Row]:
    # Some programs record a wrong used range; forget it and read every cell there is.
    sheet.reset_dimensions()
    return [tuple(row) for row in sheet.iter_rows(values_only=True)]


def _cell(rows: list[Row], row: int, column: int) -> Any:
    if row > len(rows) or column > len(rows[row - 1]):
        return None
    return rows[row - 1][column - 1]


def _present(value: Any) -> bool:
    return value is not None and not (isinstance(value, str) and not value.strip())


def _text(value: Any) -> str:
    """A code cell as text: a number cell 608 (or 608.0) is "608"."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()
