"""What each formula reads, and the order in which a form's formulas are computed.

The nodes are the form's formula cells (``D9``) and the year-to-date values they ask for
(``YTD!D9``, which depends on ``D9`` of the same report). References to other periods
(``PREV!D9``, ``LASTYEAR!D9``) read stored reports, so they add no edge.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from functools import cached_property

from hub.reports.cells import Address
from hub.reports.engine import YTD, Formula, compile_formula
from hub.reports.template import CellKind, Template


@dataclass(frozen=True)
class Reference:
    """A reference of a formula: one cell or a range, on the form or on a period sheet."""

    text: str
    """As the engine names it: ``D9``, ``D9:D12``, ``PREV!D9``."""
    sheet: str | None
    first: Address
    last: Address

    @classmethod
    def parse(cls, text: str) -> Reference:
        """ValueError if ``text`` is not a cell or a range of cells."""
        sheet, _, cells = text.rpartition("!")
        start, _, end = cells.partition(":")
        first, last = Address.parse(start), Address.parse(end or start)
        if first.row > last.row or first.column > last.column:
            first, last = (
                Address(min(first.row, last.row), min(first.column, last.column)),
                Address(max(first.row, last.row), max(first.column, last.column)),
            )
        return cls(text, sheet.strip("'").upper() or None, first, last)

    @property
    def is_cell(self) -> bool:
        return self.first == self.last

    def cells(self) -> Iterator[str]:
        """Every address the reference covers, row by row."""
        for row in range(self.first.row, self.last.row + 1):
            for column in range(self.first.column, self.last.column + 1):
                yield str(Address(row, column))

    def grid(self) -> list[list[str]]:
        """The addresses as rows of cells, the shape the engine expects for a range."""
        return [
            [str(Address(row, column)) for column in range(self.first.column, self.last.column + 1)]
            for row in range(self.first.row, self.last.row + 1)
        ]


class CycleError(ValueError):
    """Formulas that depend on themselves; ``path`` is the circle, first node repeated."""

    def __init__(self, path: list[str]) -> None:
        self.path = path
        super().__init__("circular reference " + " → ".join(path))


@dataclass(frozen=True)
class FormulaGraph:
    """The compiled formulas of a form and their dependencies (the form must be checked)."""

    template: Template

    @cached_property
    def formulas(self) -> dict[str, Formula]:
        return {
            cell.address: compile_formula(cell.formula or "")
            for cell in self.template.cells.values()
            if cell.kind is CellKind.FORMULA
        }

    @cached_property
    def references(self) -> dict[str, list[Reference]]:
        return {
            where: [Reference.parse(name) for name in formula.inputs]
            for where, formula in self.formulas.items()
        }

    @cached_property
    def ytd_cells(self) -> list[str]:
        """The cells whose year-to-date value some formula reads."""
        found = {
            str(reference.first)
            for references in self.references.values()
            for reference in references
            if reference.sheet == YTD
        }
        return sorted(found, key=Address.parse)

    def dependencies(self, node: str) -> list[str]:
        """The nodes ``node`` reads from the same report (only computed ones matter)."""
        if node.startswith(f"{YTD}!"):
            return [node.split("!", 1)[1]]
        found: list[str] = []
        for reference in self.references.get(node, []):
            if reference.sheet is None:
                found.extend(reference.cells())
            elif reference.sheet == YTD:
                found.append(f"{YTD}!{reference.first}")
        return found

    def order(self) -> list[str]:
        """Formula cells and YTD values, each after everything it reads; CycleError if none."""
        nodes = [*self.formulas, *(f"{YTD}!{cell}" for cell in self.ytd_cells)]
        computed = set(nodes)
        done: set[str] = set()
        ordered: list[str] = []
        for node in nodes:
            self._visit(node, computed, done, [], ordered)
        return ordered

    def _visit(
        self, node: str, computed: set[str], done: set[str], path: list[str], ordered: list[str]
    ) -> None:
        if node in done:
            return
        if node in path:
            raise CycleError([*path[path.index(node) :], node])
        path.append(node)
        for dependency in self.dependencies(node):
            if dependency in computed:
                self._visit(dependency, computed, done, path, ordered)
        path.pop()
        done.add(node)
        ordered.append(node)
