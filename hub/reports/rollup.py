"""Roll-up: a unit's ROLLUP cells from its lower units' approved reports.

The lower units of a unit are its children valid at the period's cut-off that file the form:
a district's communes; a province's districts until 30 June 2025 and its communes since the
2-level system of 1 July 2025. Only approved reports count; each row adds up across units as
its aggregation says (``hub.aggregation.rules``, the rules every path reads by). A unit
without a value contributes nothing.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy.orm import Session

from hub.aggregation.rules import across_units
from hub.model import AdminLevel, AdminUnit, Report, ReportStatus
from hub.periods import Period
from hub.reports.cells import CellValue, from_json, number_or_none
from hub.reports.template import CellKind, Template
from hub.units.queries import children


def lower_units(
    session: Session, template: Template, unit: AdminUnit, period: Period
) -> list[AdminUnit]:
    """The units whose approved reports make up ``unit``'s ROLLUP cells."""
    if AdminLevel(unit.level) == template.filling_level:
        return []
    return [
        child for child in children(session, unit.id, period.end) if template.files_at(child.level)
    ]


def rolls_up(template: Template, unit: AdminUnit) -> bool:
    """Whether ``unit``'s ROLLUP cells come from lower units (it is above the filling level)."""
    return AdminLevel(unit.level) != template.filling_level


def roll_up(template: Template, approved: Iterable[Report]) -> dict[str, CellValue]:
    """The ROLLUP cells' values from the lower units' approved reports."""
    reports = [report for report in approved if report.status == ReportStatus.APPROVED]
    found: dict[str, CellValue] = {}
    for cell in template.cells.values():
        if cell.kind is not CellKind.ROLLUP:
            continue
        numbers = [
            number
            for report in reports
            if (number := number_or_none(from_json(report.values.get(cell.address)))) is not None
        ]
        aggregation = template.row_of(cell.address).aggregation
        found[cell.address] = across_units(aggregation, [(1.0, number) for number in numbers])
    return found


def basis_of(approved: Iterable[Report]) -> dict[str, int]:
    """Which approved lower reports, at which version, a roll-up was made of."""
    return {
        str(report.id): report.version
        for report in approved
        if report.status == ReportStatus.APPROVED
    }
