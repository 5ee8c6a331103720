"""The units an ``aggregate`` query answers for, read on the hierarchy of its ``asOf`` day."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.aggregation.errors import AggregationError
from hub.aggregation.hierarchy import Hierarchy, Unit
from hub.aggregation.request import AggregateRequest
from hub.model import AdminLevel, AdminUnit
from hub.units.codes import LEVEL_RANK


def target_units(
    session: Session,
    hierarchy: Hierarchy,
    request: AggregateRequest,
    day: date,
    default_within: str | None,
) -> list[AdminUnit]:
    """The units asked for, ordered as asked or by code; AggregationError if not found."""
    found = targets_in(hierarchy, request, day, default_within)
    rows = {
        row.id: row
        for row in session.scalars(select(AdminUnit).where(AdminUnit.id.in_(u.id for u in found)))
    }
    return [rows[unit.id] for unit in found]


def targets_in(
    hierarchy: Hierarchy, request: AggregateRequest, day: date, default_within: str | None
) -> list[Unit]:
    if request.units is not None and request.level is not None:
        raise AggregationError("units", "give either units or level, not both")
    if request.units is not None:
        if not request.units:
            raise AggregationError("units", "give at least one unit code")
        return [_unit(hierarchy, "units", code, day) for code in dict.fromkeys(request.units)]
    within = request.within or default_within
    if request.level is None:
        if within is None:
            raise AggregationError("level", "give a level, units, or the unit `within`")
        return [_unit(hierarchy, "within", within, day)]
    return units_of_level(hierarchy, AdminLevel(request.level), within, day)


def units_of_level(
    hierarchy: Hierarchy, level: AdminLevel, within: str | None, day: date
) -> list[Unit]:
    if within is None:
        inside = [unit for unit in hierarchy.units.values() if unit.valid_on(day)]
        where = "anywhere"
    else:
        root = _unit(hierarchy, "within", within, day)
        inside = hierarchy.on_map(root.id, day)
        where = f"inside {root.code}"
    found = sorted((unit for unit in inside if unit.level == level), key=lambda u: u.code)
    if not found:
        levels = sorted({unit.level for unit in inside}, key=LEVEL_RANK.__getitem__)
        raise AggregationError(
            "level",
            f"there is no unit of level {level} {where} on {day} "
            f"(there are: {', '.join(levels) or 'none'})",
        )
    return found


def _unit(hierarchy: Hierarchy, argument: str, code: str, day: date) -> Unit:
    carrying = hierarchy.with_code(code)
    valid = [unit for unit in carrying if unit.valid_on(day)]
    if valid:
        return max(valid, key=lambda unit: unit.valid_from or date.min)
    if not carrying:
        raise AggregationError(argument, f"no administrative unit has the code {code!r}")
    spans = ", ".join(
        f"{hierarchy.names.get(unit.id, unit.code)} from {unit.valid_from or 'the start'} "
        f"to {unit.valid_to or 'today'}"
        for unit in sorted(carrying, key=lambda unit: unit.valid_from or date.min)
    )
    raise AggregationError(
        argument, f"no unit has the code {code!r} on {day} (asOf); it was: {spans}"
    )
