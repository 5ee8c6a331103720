"""A filled report sent back as a workbook: the form downloaded, the figures typed in Excel.

The workbook is read as the whole report: every cell the unit types in takes the value the
workbook holds there (a blank clears it), through the same checks as a save
(:func:`hub.reports.workflow.typed_values`). Besides, the workbook must be this form at its
current version (sheet ``_ioc`` says which) and keep every formula of the form as it was.
Every bad cell is named with its sheet and address, and nothing is saved unless all are good.
"""

from __future__ import annotations

from io import BytesIO
from typing import Any

from openpyxl import load_workbook
from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet.worksheet import Worksheet

from hub.model import Report
from hub.reports.assemble import Located
from hub.reports.errors import CellErrors
from hub.reports.excel_import import form_metadata, formula_text
from hub.reports.excel_names import from_workbook
from hub.reports.template import CellKind
from hub.reports.workflow import Workflow, how_computed, typed_values


def save_filled_workbook(workflow: Workflow, located: Located, content: bytes) -> Report:
    """Save the values typed into the workbook; CellErrors naming every bad cell."""
    sheet, problems = _form_sheet(located, content)
    values: dict[str, Any] = {}
    if sheet is not None:
        values, found = _typed_in(located, sheet)
        problems.extend(found)
        try:
            typed_values(located, values, where=_prefix(sheet))
        except CellErrors as exc:
            problems.extend(exc.problems)
    if problems:
        raise CellErrors(problems)
    return workflow.save(located, values)


def _form_sheet(located: Located, content: bytes) -> tuple[Worksheet | None, list[str]]:
    template, row = located.template, located.row
    try:
        book: Workbook = load_workbook(BytesIO(content))
    except Exception as exc:  # openpyxl raises many kinds for a file that is not a workbook
        return None, [f"not an .xlsx workbook: {type(exc).__name__}"]
    meta = form_metadata(book)
    code, version = meta.get("code"), meta.get("version")
    current = row.definition.get("version")
    if code is not None and code != template.code:
        return None, [f"the workbook is the form {code}, not {template.code}"]
    if version is not None and current is not None and version != current:
        return None, [
            f"the workbook holds version {version} of the form {template.code}; the hub has "
            f"version {current}: download the form again and type the figures into it"
        ]
    if template.layout.sheet not in book.sheetnames:
        return None, [f"the workbook has no sheet {template.layout.sheet!r} (the form's sheet)"]
    return book[template.layout.sheet], []


def _typed_in(located: Located, sheet: Worksheet) -> tuple[dict[str, Any], list[str]]:
    """The values of the cells the unit types in, and the cells whose formula was replaced."""
    template, level = located.template, located.unit.level
    values: dict[str, Any] = {}
    problems: list[str] = []
    for address, cell in sorted(template.cells.items()):
        held = sheet[address].value
        formula = formula_text(held)
        if template.typed_at(cell, level):
            if formula is not None:
                problems.append(f"{_prefix(sheet)}{address}: type a number, not a formula")
            else:
                values[address] = held
        elif cell.kind is CellKind.FORMULA and (
            formula is None or from_workbook(formula) != cell.formula
        ):
            problems.append(
                f"{_prefix(sheet)}{address} is {how_computed(cell.kind)} "
                f"{cell.formula}; it cannot be typed in"
            )
    return values, problems


def _prefix(sheet: Worksheet) -> str:
    name = sheet.title
    return f"{name}!" if name.replace("_", "").isalnum() else f"'{name}'!"
