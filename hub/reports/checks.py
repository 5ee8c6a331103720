"""The checks a form must pass before it is saved: each problem names its cell and the reason.

A formula must compile, call only functions the engine computes, refer only to value cells of
the form (ranges: only to the form's value columns), and not depend on itself; YTD only sums
rows that aggregate as SUM. Each level that files the form needs a deadline of at least one
working day after the cut-off.
"""

from __future__ import annotations

from collections.abc import Iterable

from hub.model.units import AdminLevel
from hub.plugins.definitions import Aggregation
from hub.reports.cells import Address
from hub.reports.engine import PERIOD_SHEETS, YTD, FormulaError, compile_formula
from hub.reports.graph import CycleError, FormulaGraph, Reference
from hub.reports.template import Cell, CellKind, Template

MIN_DEADLINE_DAYS = 1


def check_template(template: Template) -> list[str]:
    """Every problem of the form, in a stable order; empty when it can be saved."""
    problems = [
        *_check_identity(template),
        *_check_layout(template),
        *_check_deadlines(template),
        *_check_cells(template),
    ]
    if problems:
        return problems
    return _check_cycles(template)


def check_metrics(template: Template, known: Iterable[str]) -> list[str]:
    """Problems of METRIC cells that name a metric no plugin or config defines."""
    codes = set(known)
    return [
        f"{cell.address}: unknown metric {cell.metric!r}"
        for cell in template.cells.values()
        if cell.kind is CellKind.METRIC and cell.metric not in codes
    ]


def _check_identity(template: Template) -> list[str]:
    problems = []
    if not template.code or len(template.code) > 100:
        problems.append("the template needs a code of 1 to 100 characters")
    if not template.columns:
        problems.append("the template has no value columns")
    if not template.cells:
        problems.append("the template has no value cells")
    if template.opens_days_before_cutoff < 0:
        problems.append("opens_days_before_cutoff cannot be negative")
    return problems


def _check_layout(template: Template) -> list[str]:
    problems = []
    numbers = [row.row for row in template.rows]
    for number in sorted({n for n in numbers if numbers.count(n) > 1}):
        problems.append(f"row {number} is defined twice")
    letters = [column.column for column in template.columns]
    for letter in sorted({c for c in letters if letters.count(c) > 1}):
        problems.append(f"column {letter} is defined twice")
    layout = template.layout
    for letter in {layout.code_column, layout.label_column, layout.unit_column} & set(letters):
        problems.append(f"column {letter} holds labels; it cannot be a value column")
    for row in template.rows:
        if row.row <= layout.header_row:
            problems.append(f"row {row.row} lies above the table (header row {layout.header_row})")
    return problems


def _check_deadlines(template: Template) -> list[str]:
    problems = []
    for level in template.levels:
        days = template.deadlines.get(level)
        if days is None:
            problems.append(f"no deadline for the {level.value} level")
        elif days < MIN_DEADLINE_DAYS:
            problems.append(
                f"the {level.value} deadline must be at least {MIN_DEADLINE_DAYS} working day "
                f"after the cut-off (it is {days})"
            )
    for level in set(template.deadlines) - set(template.levels):
        problems.append(f"a deadline for {AdminLevel(level).value}, which does not file this form")
    return problems


def _check_cells(template: Template) -> list[str]:
    problems: list[str] = []
    rows = {row.row for row in template.rows}
    columns = {column.column for column in template.columns}
    for cell in sorted(template.cells.values(), key=lambda c: Address.parse(c.address)):
        where = Address.parse(cell.address)
        if where.row not in rows or where.letter not in columns:
            problems.append(f"{cell.address}: not in a row and a value column of the form")
        elif cell.kind is CellKind.METRIC and not cell.metric:
            problems.append(f"{cell.address}: a METRIC cell needs the metric's code")
        elif cell.kind is CellKind.FORMULA:
            problems.extend(f"{cell.address}: {p}" for p in _formula_problems(template, cell))
    return problems


def _formula_problems(template: Template, cell: Cell) -> list[str]:
    text = cell.formula
    if not text:
        return ["a FORMULA cell needs a formula"]
    try:
        formula = compile_formula(text)
    except FormulaError as exc:
        return [str(exc)]
    problems = []
    for name in formula.inputs:
        try:
            reference = Reference.parse(name)
        except ValueError:
            problems.append(f"{name} is not a cell of the form")
            continue
        problems.extend(_reference_problems(template, reference))
    return problems


def _reference_problems(template: Template, reference: Reference) -> list[str]:
    label = _as_written(reference)
    if reference.sheet is not None and reference.sheet not in PERIOD_SHEETS:
        return [f"{label} refers to another sheet; a formula may only use cells of the form"]
    if reference.sheet == YTD:
        if not reference.is_cell:
            return [f"{label}: YTD takes one cell, not a range"]
        row = template.row(reference.first.row)
        if row is not None and row.aggregation is not Aggregation.SUM:
            return [
                f"{label}: year to date sums a row over the periods, but row {row.row} "
                f"aggregates as {row.aggregation.value}"
            ]
    if reference.is_cell:
        if str(reference.first) not in template.cells:
            return [f"{label} refers to {reference.first}, which is not a value cell of the form"]
        return []
    return _range_problems(template, reference, label)


def _range_problems(template: Template, reference: Reference, label: str) -> list[str]:
    rows = [row.row for row in template.rows]
    columns = {column.column for column in template.columns}
    spanned = {
        Address(reference.first.row, c).letter
        for c in range(reference.first.column, reference.last.column + 1)
    }
    inside_rows = min(rows) <= reference.first.row and reference.last.row <= max(rows)
    if not inside_rows or not spanned <= columns:
        return [f"{label} reaches outside the form's value cells"]
    return []


def _as_written(reference: Reference) -> str:
    cells = reference.text.rpartition("!")[2]
    return f"{reference.sheet}({cells})" if reference.sheet in PERIOD_SHEETS else reference.text


def _check_cycles(template: Template) -> list[str]:
    try:
        FormulaGraph(template).order()
    except CycleError as exc:
        return [f"{exc.path[0]}: {exc}"]
    return []
