"""Import: a form from the Excel workbook people use today.

How the sheet is read (docs/reports.md has the details):

- the form is the first sheet (or the one named ``sheet``);
- the **header row** is the first row with a cell reading "Chỉ tiêu", "Nội dung", "Tên chỉ
  tiêu", "Indicator" or "Item": that column holds the items' labels; the column left of it
  headed "STT", "Mã số" or "Code" holds their codes, the one right of it headed "Đơn vị
  tính", "ĐVT" or "Unit" their units of measure; every other column to the right with a
  header is a value column;
- below the header (after a column-numbering row such as ``A B C 1 2 3``, if any), each row
  with a label is an item: a **heading** if it has neither a unit nor any value, else an item
  whose value cells are its formulas (``FORMULA``) and its other value cells (``ROLLUP``,
  typed in at the filling level);
- everything else on the sheet (titles, header texts, notes) is kept as layout, with merged
  cells and column widths.

A workbook exported by the hub carries its form's definition (sheet ``_ioc``): what the sheet
cannot say (cell kinds, row aggregations, deadlines) is taken from there. Options (the upload's
query parameters) say the rest: ``code``, ``name``, ``periodType``, ``calendar``,
``fillingLevel``, ``deadlines`` (``COMMUNE:2,DISTRICT:4,PROVINCE:6``), ``sheet``.
"""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass
from io import BytesIO
from typing import Any

from openpyxl import load_workbook
from openpyxl.cell.cell import Cell as SheetCell
from openpyxl.utils.cell import get_column_letter
from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet.formula import ArrayFormula
from openpyxl.worksheet.worksheet import Worksheet

from hub.model.units import AdminLevel
from hub.reports.engine import PERIOD_SHEETS
from hub.reports.errors import TemplateError
from hub.reports.excel_export import INFO_SHEET, META_SHEET
from hub.reports.excel_names import from_workbook
from hub.reports.template import RULES, Template, template_from_dict
from hub.units.codes import LEVEL_RANK

LABEL_HEADERS = ("chi tieu", "noi dung", "ten chi tieu", "indicator", "item")
CODE_HEADERS = ("stt", "tt", "so tt", "ma so", "ma", "code", "no")
UNIT_HEADERS = ("don vi tinh", "dvt", "don vi", "unit")
HEADER_SEARCH_ROWS = 40
TITLE_ROWS = 5
DEADLINE_STEP = 2
"""Default deadlines: the filling level 2 working days after the cut-off, each level above 2
more."""


@dataclass(frozen=True)
class Table:
    """Where the table lies on the sheet."""

    header_row: int
    header_end: int
    label_column: int
    code_column: int | None
    unit_column: int | None
    value_columns: list[int]


def template_from_workbook(content: bytes, options: dict[str, str] | None = None) -> Template:
    """Read a form from an .xlsx workbook; TemplateError says what is wrong, cell by cell."""
    options = {key.lower(): value for key, value in (options or {}).items()}
    book = _open(content)
    if INFO_SHEET in book.sheetnames:
        raise TemplateError(
            [
                f"this workbook is a report (it has the sheet {INFO_SHEET!r}), not a form: to "
                "save its figures, send it to POST /reports/{template}/{unit}/{period}.xlsx"
            ]
        )
    sheet = _form_sheet(book, options.get("sheet"))
    meta = form_metadata(book)
    table = _find_table(sheet)
    definition = _definition(sheet, table, meta, options)
    return template_from_dict(definition)


def _open(content: bytes) -> Workbook:
    try:
        return load_workbook(BytesIO(content))
    except Exception as exc:  # openpyxl raises many kinds for a file that is not a workbook
        raise TemplateError([f"not an .xlsx workbook: {type(exc).__name__}"]) from None


def _form_sheet(book: Workbook, name: str | None) -> Worksheet:
    if name:
        if name not in book.sheetnames:
            raise TemplateError([f"the workbook has no sheet {name!r}"])
        return book[name]
    skipped = {*PERIOD_SHEETS, META_SHEET, INFO_SHEET}
    for sheet in book.worksheets:
        if sheet.title not in skipped and sheet.sheet_state == "visible":
            return sheet
    raise TemplateError(["the workbook has no sheet with a form"])


def form_metadata(book: Workbook) -> dict[str, Any]:
    """The form's definition a workbook exported by the hub carries (sheet ``_ioc``), or {}."""
    if META_SHEET not in book.sheetnames:
        return {}
    sheet = book[META_SHEET]
    text = "".join(str(row[0].value or "") for row in sheet.iter_rows(max_col=1))
    try:
        found = json.loads(text)
    except ValueError:
        return {}
    return found if isinstance(found, dict) else {}


def _find_table(sheet: Worksheet) -> Table:
    for row in sheet.iter_rows(max_row=HEADER_SEARCH_ROWS):
        for cell in row:
            if _plain(cell.value) in LABEL_HEADERS:
                return _table_at(sheet, cell.row, cell.column)
    raise TemplateError(
        [
            "no header row found: head the column of item labels 'Chỉ tiêu' (or 'Nội dung', "
            "'Indicator')"
        ]
    )


def _table_at(sheet: Worksheet, header_row: int, label_column: int) -> Table:
    header_end = _header_end(sheet, header_row, label_column)
    headers = {
        column: _header_text(sheet, header_row, header_end, column)
        for column in range(1, sheet.max_column + 1)
    }
    code = next(
        (c for c in range(label_column - 1, 0, -1) if _plain(headers[c]) in CODE_HEADERS), None
    )
    unit = next(
        (
            c
            for c in range(label_column + 1, sheet.max_column + 1)
            if _plain(headers[c]) in UNIT_HEADERS
        ),
        None,
    )
    values = [c for c in range(label_column + 1, sheet.max_column + 1) if c != unit and headers[c]]
    if not values:
        raise TemplateError([f"row {header_row}: no value columns right of the labels"])
    return Table(header_row, header_end, label_column, code, unit, values)


def _header_end(sheet: Worksheet, header_row: int, label_column: int) -> int:
    """The last row of the header: rows of sub-headers and of column numbers belong to it."""
    end = header_row
    for row in range(header_row + 1, header_row + 4):
        cells = [sheet.cell(row=row, column=c).value for c in range(1, sheet.max_column + 1)]
        texts = [value for value in cells if value not in (None, "")]
        label = sheet.cell(row=row, column=label_column).value
        numbering = bool(texts) and all(_is_numbering(value) for value in texts)
        sub_header = label in (None, "") and texts and not any(_is_value(v) for v in texts)
        if not (numbering or sub_header):
            break
        end = row
    return end


def _header_text(sheet: Worksheet, first: int, last: int, column: int) -> str:
    parts = [sheet.cell(row=row, column=column).value for row in range(first, last + 1)]
    texts = [
        str(part).strip()
        for part in parts
        if isinstance(part, str) and part.strip() and not _is_numbering(part)
    ]
    return " — ".join(texts)


def _definition(
    sheet: Worksheet, table: Table, meta: dict[str, Any], options: dict[str, str]
) -> dict[str, Any]:
    meta_rows = {int(r["row"]): r for r in meta.get("rows", []) if "row" in r}
    rows, used = _rows(sheet, table, meta_rows)
    filling = AdminLevel(options.get("fillinglevel") or meta.get("filling_level") or "COMMUNE")
    code = options.get("code") or meta.get("code")
    if not code:
        raise TemplateError(["give the template's code (the upload's `code` parameter)"])
    return {
        "code": code,
        "version": meta.get("version") if meta.get("code") == code else None,
        "name": options.get("name") or meta.get("name") or _title(sheet) or sheet.title,
        "description": meta.get("description"),
        "period_type": options.get("periodtype") or meta.get("period_type") or "MONTH",
        "calendar": options.get("calendar") or meta.get("calendar") or "ND09",
        "filling_level": filling.value,
        "deadlines": _deadlines(options.get("deadlines"))
        or meta.get("deadlines")
        or _default_deadlines(filling),
        "opens_days_before_cutoff": int(
            options.get("opensdaysbeforecutoff") or meta.get("opens_days_before_cutoff", 3)
        ),
        "layout": _layout(sheet, table, used),
        "columns": [_column(sheet, table, c, meta) for c in table.value_columns],
        "rows": rows,
    }


def _rows(
    sheet: Worksheet, table: Table, meta_rows: dict[int, dict[str, Any]]
) -> tuple[list[dict[str, Any]], set[str]]:
    rows, used = [], set()
    for number in range(table.header_end + 1, sheet.max_row + 1):
        label_cell = sheet.cell(row=number, column=table.label_column)
        if rows and _blank_row(sheet, table, number):
            break  # the table ends at its first blank row; what follows (signatures) is layout
        if not isinstance(label_cell.value, str) or not label_cell.value.strip():
            continue
        row = _row(sheet, table, number, label_cell, meta_rows.get(number, {}))
        rows.append(row)
        used |= _row_addresses(table, number)
    return rows, used


def _row(
    sheet: Worksheet, table: Table, number: int, label_cell: SheetCell, meta: dict[str, Any]
) -> dict[str, Any]:
    unit = _text(sheet, number, table.unit_column)
    cells = {
        get_column_letter(column): _cell(sheet.cell(row=number, column=column), meta)
        for column in table.value_columns
    }
    if meta:  # a row the hub exported: only its own cells, and formulas added in Excel since
        known = meta.get("cells") or {}
        cells = {k: v for k, v in cells.items() if k in known or _is_formula(v)}
    has_values = any(_is_formula(spec) for spec in cells.values()) or any(
        _is_value(sheet.cell(row=number, column=c).value) for c in table.value_columns
    )
    label = str(label_cell.value)
    row: dict[str, Any] = {
        "row": number,
        "code": _text(sheet, number, table.code_column),
        "label": label.strip(),
        "indent": int(label_cell.alignment.indent or 0) or (len(label) - len(label.lstrip())) // 2,
        "unit": unit,
        "aggregation": meta.get("aggregation", "SUM"),
        "bold": bool(label_cell.font and label_cell.font.b),
    }
    if cells and (meta or unit or has_values):
        row["cells"] = cells
    else:
        row["heading"] = True
    return row


def _cell(cell: SheetCell, meta_row: dict[str, Any]) -> str | dict[str, Any]:
    """A value cell's spec: its formula, or its kind (ROLLUP by default) and input rules from
    the metadata."""
    formula = formula_text(cell.value)
    if formula is not None:
        return from_workbook(formula)
    known = (meta_row.get("cells") or {}).get(cell.column_letter) or {}
    if known.get("kind") == "METRIC" and known.get("metric"):
        return f"METRIC:{known['metric']}"
    kind = str(known.get("kind") if known.get("kind") in ("INPUT", "ROLLUP") else "ROLLUP")
    rules = {rule: known[rule] for rule in RULES if rule in known}
    return {"kind": kind, **rules} if rules else kind


def _is_formula(spec: str | dict[str, Any]) -> bool:
    return isinstance(spec, str) and spec.startswith("=")


def formula_text(value: Any) -> str | None:
    """The formula a cell holds (``=…``), or None for a value."""
    if isinstance(value, ArrayFormula):
        return str(value.text)
    if isinstance(value, str) and value.startswith("=") and len(value) > 1:
        return value
    return None


def _column(sheet: Worksheet, table: Table, column: int, meta: dict[str, Any]) -> dict[str, Any]:
    letter = get_column_letter(column)
    known = next((c for c in meta.get("columns", []) if c.get("column") == letter), {})
    label = _header_text(sheet, table.header_row, table.header_end, column) or letter
    found = {"column": letter, "label": label, "code": known.get("code")}
    number_format = sheet.cell(row=table.header_end + 1, column=column).number_format
    if known.get("number_format") or number_format not in (None, "General"):
        found["number_format"] = known.get("number_format") or number_format
    return found


def _layout(sheet: Worksheet, table: Table, used: set[str]) -> dict[str, Any]:
    texts = {
        cell.coordinate: str(cell.value)
        for row in sheet.iter_rows()
        for cell in row
        if cell.value not in (None, "")
        and cell.coordinate not in used
        and formula_text(cell.value) is None
    }
    return {
        "sheet": sheet.title,
        "texts": texts,
        "merged": [str(merged) for merged in sheet.merged_cells.ranges],
        "widths": {
            letter: dimension.width
            for letter, dimension in sheet.column_dimensions.items()
            if dimension.width
        },
        "code_column": get_column_letter(table.code_column) if table.code_column else None,
        "label_column": get_column_letter(table.label_column),
        "unit_column": get_column_letter(table.unit_column) if table.unit_column else None,
        "header_row": table.header_end,
    }


def _blank_row(sheet: Worksheet, table: Table, number: int) -> bool:
    columns = [table.label_column, table.code_column, table.unit_column, *table.value_columns]
    return all(
        sheet.cell(row=number, column=c).value in (None, "") for c in columns if c is not None
    )


def _row_addresses(table: Table, number: int) -> set[str]:
    columns = [table.label_column, table.code_column, table.unit_column, *table.value_columns]
    return {f"{get_column_letter(c)}{number}" for c in columns if c is not None}


def _deadlines(text: str | None) -> dict[str, int]:
    if not text:
        return {}
    found = {}
    for part in text.split(","):
        level, _, days = part.partition(":")
        try:
            found[AdminLevel(level.strip().upper()).value] = int(days)
        except ValueError:
            raise TemplateError([f"deadlines: {part.strip()!r} is not LEVEL:DAYS"]) from None
    return found


def _default_deadlines(filling: AdminLevel) -> dict[str, int]:
    levels = sorted(
        (lv for lv in AdminLevel if LEVEL_RANK[lv] <= LEVEL_RANK[filling]),
        key=LEVEL_RANK.get,
        reverse=True,
    )
    return {level.value: DEADLINE_STEP * (step + 1) for step, level in enumerate(levels)}


def _title(sheet: Worksheet) -> str | None:
    """The report's title: a text above the table starting "Báo cáo"/"Biểu", else the longest."""
    texts = [
        cell.value.strip()
        for row in sheet.iter_rows(max_row=TITLE_ROWS)
        for cell in row
        if isinstance(cell.value, str) and cell.value.strip()
    ]
    titled = [text for text in texts if _plain(text).startswith(("bao cao", "bieu"))]
    return (titled or sorted(texts, key=len, reverse=True) or [None])[0]


def _text(sheet: Worksheet, row: int, column: int | None) -> str | None:
    if column is None:
        return None
    value = sheet.cell(row=row, column=column).value
    if value is None or str(value).strip() == "":
        return None
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _plain(value: Any) -> str:
    """Lower case, without Vietnamese diacritics or punctuation: "Chỉ tiêu" → "chi tieu"."""
    if not isinstance(value, str):
        return ""
    text = unicodedata.normalize("NFD", value.replace("đ", "d").replace("Đ", "D"))
    text = "".join(ch for ch in text if unicodedata.category(ch) != "Mn").lower()
    return re.sub(r"[^a-z0-9 ]+", " ", text).strip().replace("  ", " ")


def _is_numbering(value: Any) -> bool:
    """A column number under a header: ``A``, ``B``, ``1``, ``(2)``, ``3=1+2``."""
    text = str(value).strip()
    return bool(re.fullmatch(r"\(?([A-Z]|[0-9][0-9=+\-*/]{0,6})\)?", text))


def _is_value(value: Any) -> bool:
    """A number or a formula: what a value cell holds, never a header."""
    number = isinstance(value, int | float) and not isinstance(value, bool)
    return number or formula_text(value) is not None
