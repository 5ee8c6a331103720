"""Export: a report (or a blank form) as an .xlsx workbook whose formulas are intact.

The form's sheet holds the layout, the labels, the typed, rolled-up and metric values as
numbers, and every formula as a formula. What the period functions read is carried along:

- sheets ``PREV`` and ``LASTYEAR`` hold the unit's values of those periods, cell for cell;
- sheet ``YTD`` holds, for each year-to-date value a formula reads, the formula
  ``=<sum of the earlier periods>+'<form>'!D9``;

so that Excel or LibreOffice, recomputing the workbook, shows exactly the values the hub shows.
Functions newer than Excel 2007 are written as the file format stores them (``_xlfn.IFS``,
:mod:`excel_names`). A hidden sheet ``_ioc`` keeps the form's definition, so an exported form
imports back whole.
"""

from __future__ import annotations

import json
from datetime import date
from io import BytesIO

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils.cell import column_index_from_string
from openpyxl.worksheet.worksheet import Worksheet
from sqlalchemy.orm import Session

from hub.reports.assemble import Located, view
from hub.reports.cells import CellError, CellValue
from hub.reports.engine import LASTYEAR, PREV, YTD, compile_formula
from hub.reports.excel_names import to_workbook
from hub.reports.schedule import WorkingDays
from hub.reports.sheet import OtherPeriods
from hub.reports.template import CellKind, Template

META_SHEET = "_ioc"
INFO_SHEET = "Thông tin"
HEADER_HEIGHT = 48
THIN = Border(*(Side(style="thin"),) * 4)
CHUNK = 30_000
"""Characters per metadata cell (a cell holds at most 32,767)."""


def report_workbook(session: Session, located: Located, days: WorkingDays, today: date) -> bytes:
    """The report as it stands, with the other periods its formulas read."""
    shown = view(session, located, days, today)
    book = _book(located.template, shown.values, shown.other)
    _info(
        book,
        [
            ("Biểu mẫu", f"{located.template.code} — {located.template.name}"),
            ("Đơn vị", f"{located.unit.name} ({located.unit.code})"),
            (
                "Kỳ báo cáo",
                f"{located.period.id} ({located.period.calendar.value}: "
                f"{located.period.start.isoformat()} – {located.period.end.isoformat()})",
            ),
            ("Trạng thái", shown.status),
            ("Hạn nộp", shown.deadline.isoformat()),
        ],
    )
    return _bytes(book)


def template_workbook(template: Template) -> bytes:
    """The blank form: labels, layout and formulas, nothing typed in."""
    return _bytes(_book(template, {}, OtherPeriods()))


def _book(template: Template, values: dict[str, CellValue], other: OtherPeriods) -> Workbook:
    book = Workbook()
    form = book.active
    assert form is not None
    form.title = template.layout.sheet
    _lay_out(form, template)
    for cell in template.cells.values():
        if cell.kind is CellKind.FORMULA:
            form[cell.address] = to_workbook(compile_formula(cell.formula or "").engine_text)
        else:
            _put(form, cell.address, values.get(cell.address))
        _format(form, template, cell.address)
    _period_sheet(book, template, PREV, "Kỳ trước", other.previous)
    _period_sheet(book, template, LASTYEAR, "Cùng kỳ năm trước", other.last_year)
    _ytd_sheet(book, template, other)
    _metadata(book, template)
    book.calculation.fullCalcOnLoad = True
    return book


def _lay_out(sheet: Worksheet, template: Template) -> None:
    layout = template.layout
    for where, text in layout.texts.items():
        sheet[where] = text
    for letter, width in layout.widths.items():
        sheet.column_dimensions[letter].width = width
    for column in template.columns:
        header = f"{column.column}{layout.header_row}"
        if sheet[header].value is None:
            sheet[header] = column.label
    for row in template.rows:
        if layout.code_column and row.code is not None:
            sheet[f"{layout.code_column}{row.row}"] = row.code
        label = sheet[f"{layout.label_column}{row.row}"]
        label.value = row.label
        label.alignment = Alignment(indent=row.indent, wrap_text=True)
        if row.bold:
            label.font = Font(bold=True)
        if layout.unit_column and row.unit:
            sheet[f"{layout.unit_column}{row.row}"] = row.unit
    for merged in layout.merged:
        sheet.merge_cells(merged)
    _style_table(sheet, template)


def _style_table(sheet: Worksheet, template: Template) -> None:
    """Borders around the table, its header bold and wrapped; printed landscape, one page wide."""
    layout = template.layout
    letters = [
        layout.code_column,
        layout.label_column,
        layout.unit_column,
        *(column.column for column in template.columns),
    ]
    columns = sorted({column_index_from_string(c) for c in letters if c})
    first = min((row for row in _header_rows(template)), default=layout.header_row)
    last = max((row.row for row in template.rows), default=layout.header_row)
    for row in range(first, last + 1):
        for column in range(columns[0], columns[-1] + 1):
            cell = sheet.cell(row=row, column=column)
            cell.border = THIN
            if row <= layout.header_row:
                cell.font = Font(bold=True)
                cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    sheet.row_dimensions[first].height = HEADER_HEIGHT
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight = 1, 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True


def _header_rows(template: Template) -> list[int]:
    """The rows of the table's header: up from the header row while the label column is headed."""
    layout, rows = template.layout, []
    row = layout.header_row
    while row > 0 and f"{layout.label_column}{row}" in layout.texts:
        rows.append(row)
        row -= 1
    return rows or [layout.header_row]


def _format(sheet: Worksheet, template: Template, where: str) -> None:
    letter = "".join(ch for ch in where if ch.isalpha())
    column = next((c for c in template.columns if c.column == letter), None)
    if column is not None and column.number_format:
        sheet[where].number_format = column.number_format


def _put(sheet: Worksheet, where: str, value: CellValue) -> None:
    """A value as a constant: a number, a text, or an error constant (#DIV/0!…)."""
    if isinstance(value, CellError):
        sheet[where] = value.code
        sheet[where].data_type = "e"
    elif value is not None:
        sheet[where] = value


def _period_sheet(
    book: Workbook, template: Template, name: str, title: str, values: dict[str, CellValue]
) -> None:
    sheet = book.create_sheet(name)
    _lay_out(sheet, template)
    sheet["A1"] = f"{title} — {template.name}"
    for where in template.cells:
        _put(sheet, where, values.get(where))


def _ytd_sheet(book: Workbook, template: Template, other: OtherPeriods) -> None:
    from hub.reports.graph import FormulaGraph

    sheet = book.create_sheet(YTD)
    _lay_out(sheet, template)
    sheet["A1"] = f"Lũy kế từ đầu năm — {template.name}"
    form = _quoted(template.layout.sheet)
    for where in FormulaGraph(template).ytd_cells:
        sheet[where] = f"={other.ytd_before(where)!r}+{form}!{where}"


def _metadata(book: Workbook, template: Template) -> None:
    sheet = book.create_sheet(META_SHEET)
    text = json.dumps(template.to_dict(), ensure_ascii=False)
    for index in range(0, len(text), CHUNK):
        sheet.cell(row=index // CHUNK + 1, column=1, value=text[index : index + CHUNK])
    sheet.sheet_state = "hidden"


def _info(book: Workbook, lines: list[tuple[str, str]]) -> None:
    sheet = book.create_sheet(INFO_SHEET)
    for number, (key, value) in enumerate(lines, start=1):
        sheet.cell(row=number, column=1, value=key).font = Font(bold=True)
        sheet.cell(row=number, column=2, value=value)
    sheet.column_dimensions["A"].width = 14
    sheet.column_dimensions["B"].width = 70


def _quoted(name: str) -> str:
    return "'" + name.replace("'", "''") + "'"


def _bytes(book: Workbook) -> bytes:
    buffer = BytesIO()
    book.save(buffer)
    return buffer.getvalue()
