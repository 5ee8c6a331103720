"""Queries over the effective-dated hierarchy of administrative units (synchronous, on a Session).

A unit record is identified by its code *and* its validity interval: "the unit 23293 on
2025-06-01" and "the unit 23293 on 2025-08-01" are two different territories.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.graphql.errors import BadUserInput
from hub.model import AdminLevel, AdminUnit
from hub.units.queries import descendants, valid_on
from hub.units.queries import territory_ids as territory_ids


def unit_on(session: Session, code: str, day: date) -> AdminUnit | None:
    """The record of ``code`` valid on ``day``, or None.

    Should the data hold two records of one code valid on the same day, the newer wins.
    """
    rows = session.scalars(select(AdminUnit).where(AdminUnit.code == code, valid_on(day)))
    return max(rows, key=_start, default=None)


def existing_unit_on(session: Session, code: str, day: date) -> AdminUnit:
    """Like :func:`unit_on`, but a unit the caller named must exist: BAD_USER_INPUT if not."""
    unit = unit_on(session, code, day)
    if unit is None:
        raise BadUserInput(f"no administrative unit has the code {code!r} on {day.isoformat()}")
    return unit


def units_on(
    session: Session, day: date, level: AdminLevel | None = None, within: str | None = None
) -> list[AdminUnit]:
    """The units valid on ``day``, of one level if given, inside the unit ``within`` if given."""
    if within is not None:
        root = existing_unit_on(session, within, day)
        units = descendants(session, root.id, day)
        if level is not None:
            units = [unit for unit in units if unit.level == level]
        return sorted_by_code(units)
    query = select(AdminUnit).where(valid_on(day)).order_by(AdminUnit.code)
    if level is not None:
        query = query.where(AdminUnit.level == level)
    return list(session.scalars(query))


def nearest_day(unit: AdminUnit, day: date) -> date:
    """``day``, moved into the unit's validity interval if it falls outside."""
    if unit.valid_from is not None and day < unit.valid_from:
        return unit.valid_from
    if unit.valid_to is not None and day > unit.valid_to:
        return unit.valid_to
    return day


def sorted_by_code(units: Iterable[AdminUnit]) -> list[AdminUnit]:
    return sorted(units, key=lambda unit: (unit.code, _start(unit)))


def _start(unit: AdminUnit) -> date:
    return unit.valid_from or date.min
