"""Computing a form: from the values of its non-formula cells to the value of every cell.

Pure: the caller gathers what the formulas read (the typed, rolled-up and metric cells, and
the same unit's reports of other periods); :func:`compute` runs the formulas in dependency
order through the formula engine. An Excel error stays in its cell, as in Excel.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from hub.reports.cells import CellValue, number_or_none
from hub.reports.engine import LASTYEAR, PREV, YTD, compile_formula, evaluate
from hub.reports.graph import FormulaGraph, Reference
from hub.reports.template import Template

_YTD_SUM = "=A1+A2"
"""How a year-to-date value is formed: the earlier periods' sum plus this period's value,
computed by the engine as an exported workbook's YTD sheet computes it."""


@dataclass(frozen=True)
class OtherPeriods:
    """The same unit's values in other periods, as the period functions read them."""

    previous: dict[str, CellValue] = field(default_factory=dict)
    last_year: dict[str, CellValue] = field(default_factory=dict)
    earlier_this_year: list[dict[str, CellValue]] = field(default_factory=list)
    estimated: bool = False
    """Some values come from a divided predecessor's reports, by its declared weight."""
    predecessors: tuple[int, ...] = ()
    """The ids of the predecessor units whose reports were read (across a reform)."""

    def ytd_before(self, cell: str) -> float:
        """The sum of ``cell``'s numbers over this year's earlier periods (blanks add nothing)."""
        numbers = (number_or_none(values.get(cell)) for values in self.earlier_this_year)
        return float(sum(number or 0.0 for number in numbers))


@dataclass(frozen=True)
class Computed:
    """Every cell's value, and the year-to-date values the formulas read."""

    values: dict[str, CellValue]
    ytd: dict[str, CellValue]


def compute(template: Template, known: dict[str, CellValue], other: OtherPeriods) -> Computed:
    """The value of every cell, given the values of the cells that are not formulas."""
    graph = FormulaGraph(template)
    values = {address: known.get(address) for address in template.cells}
    ytd: dict[str, CellValue] = {}
    for node in graph.order():
        if node.startswith(f"{YTD}!"):
            cell = node.split("!", 1)[1]
            ytd[cell] = year_to_date(other.ytd_before(cell), values.get(cell))
            continue
        formula = graph.formulas[node]
        inputs = {
            reference.text: _read(reference, values, ytd, other)
            for reference in graph.references[node]
        }
        values[node] = evaluate(formula, inputs)
    return Computed(values, ytd)


def year_to_date(before: float, current: CellValue) -> CellValue:
    """This period's value added to the earlier periods' sum, as a spreadsheet adds them."""
    return evaluate(compile_formula(_YTD_SUM), {"A1": before, "A2": current})


def _read(
    reference: Reference,
    values: dict[str, CellValue],
    ytd: dict[str, CellValue],
    other: OtherPeriods,
) -> Any:
    source = {
        None: values,
        PREV: other.previous,
        LASTYEAR: other.last_year,
        YTD: ytd,
    }[reference.sheet]
    if reference.is_cell:
        return source.get(str(reference.first))
    return [[source.get(cell) for cell in row] for row in reference.grid()]
