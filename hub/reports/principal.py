"""Who acts on a report, and which units' reports they may file and review.

The workflow only needs two things of a principal: a name to record, and the unit whose
territory they cover (None: everywhere, e.g. a leader). The API hands in a
:class:`ScopedActor` made from the authenticated principal (:mod:`hub.auth`): it also
carries the ids of the unit records of its territory, as access control resolved them (the
unit, everything ever below it, and what it was made of before a reform), and those decide.

- A principal may **file** (save, submit) a unit's report if the unit lies in their territory.
- A principal may **review** (approve, return, reopen) it if the unit's parent lies in their
  territory: the district reviews its communes. A unit without a parent (a province) is
  reviewed from its own territory.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from sqlalchemy.orm import Session

from hub.model import AdminUnit
from hub.reports.errors import OutOfScope


class Principal(Protocol):
    """What the workflow asks of whoever acts."""

    @property
    def name(self) -> str:
        """Who it is, as the history records it."""
        ...

    @property
    def unit_code(self) -> str | None:
        """The code of the unit whose territory they cover; None for everywhere."""
        ...


@dataclass(frozen=True)
class Actor:
    """A principal given by name and territory: the hub itself (SYSTEM), scripts, tests."""

    name: str
    unit_code: str | None = None


@dataclass(frozen=True)
class ScopedActor:
    """A principal whose territory is a resolved set of unit record ids (None: everywhere)."""

    name: str
    unit_code: str | None
    territory: frozenset[int] | None


SYSTEM = Actor("system")


def lineage(session: Session, unit: AdminUnit) -> list[AdminUnit]:
    """The unit, its parent, its parent's parent, … up to the top."""
    found = [unit]
    while found[-1].parent_id is not None and len(found) < 10:
        parent = session.get(AdminUnit, found[-1].parent_id)
        if parent is None:
            break
        found.append(parent)
    return found


def covers(session: Session, principal: Principal, unit: AdminUnit) -> bool:
    """Whether ``unit`` lies in the principal's territory."""
    territory = getattr(principal, "territory", None)
    if isinstance(territory, frozenset):
        return unit.id in territory
    if principal.unit_code is None:
        return True
    return any(each.code == principal.unit_code for each in lineage(session, unit))


def require_filer(session: Session, principal: Principal, unit: AdminUnit) -> None:
    """OutOfScope unless the principal may file ``unit``'s report."""
    if not covers(session, principal, unit):
        raise OutOfScope(
            f"{principal.name} (unit {principal.unit_code}) may not file the report of "
            f"{unit.name} ({unit.code}): it lies outside their territory"
        )


def require_reader(session: Session, principal: Principal, unit: AdminUnit) -> None:
    """OutOfScope unless the principal may see ``unit``'s reports."""
    if not covers(session, principal, unit):
        raise OutOfScope(
            f"{principal.name} may not see the reports of {unit.name} ({unit.code}): it lies "
            "outside their territory"
        )


def require_reviewer(session: Session, principal: Principal, unit: AdminUnit) -> None:
    """OutOfScope unless the principal may approve, return or reopen ``unit``'s report."""
    parent = session.get(AdminUnit, unit.parent_id) if unit.parent_id is not None else None
    if not covers(session, principal, parent or unit):
        raise OutOfScope(
            f"{principal.name} (unit {principal.unit_code}) may not review the report of "
            f"{unit.name} ({unit.code}): that is for the level above it"
        )
