"""Exported files — CSV or Excel — as rows of mapped columns.

Each table of the mapping is a file (a path, ``file://`` or ``http(s)://`` URL, read with the
hub's :func:`~hub.connectors.sources.fetch`), and in a workbook one sheet. Columns are found by
their header, whatever its case, spacing or Unicode form (``Mã trường`` = ``MÃ TRƯỜNG``).

A CSV file is decoded with the table's ``encoding`` (UTF-8 with or without a BOM by default,
as Excel and LibreOffice write it) and split on its ``delimiter`` (guessed among comma,
semicolon and tab from the header line). Blank lines and empty sheet rows are skipped; a line
with more fields than the header is a row with a problem, quarantined with its line number. A
header that lacks a mapped column fails the run: the mapping does not fit the file.
"""

from __future__ import annotations

import csv
import hashlib
import io
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import PurePosixPath
from typing import Any
from urllib.parse import urlsplit

from hub.connectors.errors import PermanentSourceError
from hub.connectors.sources import Fetched, fetch

from .config import FileConfig, FileTable
from .periods import http_date_day, parse_day, today
from .rows import Scope, SourceRow, jsonable
from .vocabulary import key

DELIMITERS = (",", ";", "\t")
Cells = list[Any]


@dataclass(frozen=True)
class Grid:
    """A table as a file holds it: the header, and each data row with its place."""

    where: str
    header: list[str]
    rows: Iterator[tuple[str, Cells]]


class FileSource:
    """The exported files of one run; each location is fetched once."""

    def __init__(self, config: FileConfig, timeout: float) -> None:
        self.config = config
        self.timeout = timeout
        self.fetched: dict[str, Fetched] = {}

    def fetch(self) -> str:
        """Fetch every file; return one SHA-256 standing for the content of them all."""
        digest = hashlib.sha256()
        for mapping in self.config.tables().values():
            found = self._fetched(mapping.location)
            digest.update(f"{mapping.location}\0{found.sha256}\0".encode())
        return digest.hexdigest()

    # -- the RowSource protocol

    def rows(self, table: str, scope: Scope) -> Iterator[SourceRow]:
        """Every row of the table's file (a file is read whole, whatever the scope)."""
        mapping: FileTable = getattr(self.config, table)
        grid = self.grid(table)
        positions = _positions(grid, mapping.columns())
        for place, cells in grid.rows:
            yield _row(grid, positions, place, cells)

    def tracks_changes(self, table: str) -> bool:
        return False

    def snapshot_day(self, table: str) -> date:
        """The ``snapshot`` of the config, else the file's modification day, else today."""
        if self.config.snapshot:
            return parse_day(self.config.snapshot) or today()
        location = getattr(self.config, table).location
        return http_date_day(self._fetched(location).last_modified) or today()

    # -- reading

    def grid(self, table: str) -> Grid:
        """The table's file as a header and rows (PermanentSourceError if unreadable)."""
        mapping: FileTable = getattr(self.config, table)
        content = self._fetched(mapping.location).content
        name = file_name(mapping.location)
        if (mapping.format or _format_of(name)) == "xlsx":
            return read_xlsx(content, mapping, name)
        return read_csv(content, mapping, name)

    def describe(self) -> str:
        """What ``check`` reports: each table's file, its rows, and that the columns fit."""
        parts = []
        for table, mapping in self.config.tables().items():
            grid = self.grid(table)
            _positions(grid, mapping.columns())
            parts.append(f"{table}: {grid.where}, {sum(1 for _ in grid.rows)} rows")
        return "; ".join(parts) + " (every mapped column found)"

    def _fetched(self, location: str) -> Fetched:
        if location not in self.fetched:
            self.fetched[location] = fetch(
                location,
                self.timeout,
                {name: value.get_secret_value() for name, value in self.config.headers.items()},
            )
        return self.fetched[location]


def file_name(location: str) -> str:
    """The file's name, for messages: ``hoc_sinh.csv`` of ``https://host/x/hoc_sinh.csv?k=1``."""
    return PurePosixPath(urlsplit(location).path.replace("\\", "/")).name or location


def read_csv(content: bytes, mapping: FileTable, name: str) -> Grid:
    where = f"file {name}"
    try:
        decoded = content.decode(mapping.encoding)
    except UnicodeDecodeError as exc:
        raise PermanentSourceError(
            f"{where}: not {mapping.encoding} text (byte {exc.start}); set `encoding`"
        ) from None
    except LookupError:
        raise PermanentSourceError(f"{where}: unknown encoding {mapping.encoding!r}") from None
    lines = decoded.splitlines(keepends=True)
    skipped, rest = lines[: mapping.header_row - 1], lines[mapping.header_row - 1 :]
    if not rest:
        raise PermanentSourceError(f"{where}: no header on line {mapping.header_row}")
    reader = csv.reader(rest, delimiter=mapping.delimiter or _delimiter(rest[0]))
    header = [str(cell) for cell in next(reader)]
    return Grid(where, header, _csv_rows(reader, where, len(skipped)))


def _csv_rows(reader: Any, where: str, offset: int) -> Iterator[tuple[str, Cells]]:
    for cells in reader:
        if any(cell.strip() for cell in cells):
            yield f"{where}, line {reader.line_num + offset}", list(cells)


def read_xlsx(content: bytes, mapping: FileTable, name: str) -> Grid:
    # openpyxl (and numpy with it) is loaded when a workbook is read, not with the plugin.
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise PermanentSourceError(f"file {name}: not an Excel workbook (.xlsx): {exc}") from None
    sheet_name = mapping.sheet or workbook.sheetnames[0]
    if sheet_name not in workbook.sheetnames:
        sheets = ", ".join(workbook.sheetnames)
        raise PermanentSourceError(f"file {name}: no sheet {sheet_name!r} (sheets: {sheets})")
    where = f"file {name}, sheet {sheet_name!r}"
    rows = list(workbook[sheet_name].iter_rows(min_row=mapping.header_row, values_only=True))
    workbook.close()
    if not rows:
        raise PermanentSourceError(f"{where}: no header on row {mapping.header_row}")
    header = ["" if cell is None else str(cell) for cell in rows[0]]
    data = (
        (f"{where}, row {mapping.header_row + offset}", list(cells))
        for offset, cells in enumerate(rows[1:], 1)
        if any(cell is not None and str(cell).strip() for cell in cells)
    )
    return Grid(where, header, data)


def _positions(grid: Grid, columns: dict[str, str]) -> dict[str, int]:
    """Role → index of its column in the header; PermanentSourceError for a missing one."""
    found: dict[str, int] = {}
    for position, name in enumerate(grid.header):
        found.setdefault(key(name), position)
    missing = [name for name in columns.values() if key(name) not in found]
    if missing:
        have = ", ".join(repr(name) for name in grid.header if name.strip())
        names = ", ".join(repr(name) for name in dict.fromkeys(missing))
        raise PermanentSourceError(f"{grid.where}: no column {names} (the header has: {have})")
    return {role: found[key(name)] for role, name in columns.items()}


def _row(grid: Grid, positions: dict[str, int], place: str, cells: Cells) -> SourceRow:
    width = len(grid.header)
    raw = {
        name or f"column {number}": jsonable(cells[number - 1] if number <= len(cells) else None)
        for number, name in enumerate(grid.header, 1)
    }
    fields = {role: _cell(cells, index) for role, index in positions.items()}
    extra = [cell for cell in cells[width:] if cell is not None and str(cell).strip()]
    problem = f"{len(cells)} fields, the header has {width}" if extra else None
    return SourceRow(fields, place, raw, problem)


def _cell(cells: Cells, index: int) -> Any:
    value = cells[index] if index < len(cells) else None
    if isinstance(value, str):
        value = value.strip()
        return value or None
    return value


def _delimiter(header_line: str) -> str:
    return max(DELIMITERS, key=header_line.count)


def _format_of(name: str) -> str:
    return "xlsx" if name.lower().endswith((".xlsx", ".xlsm")) else "csv"
