"""Reading the unit hierarchy: which unit a code means on a date, and what lies beneath a unit.

A code alone does not name a unit: 23293 was Phường Thắng Lợi until 30 June 2025 and is
Phường Kon Tum since. Always ask with a date.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable
from datetime import date
from typing import NamedTuple

from sqlalchemy import ColumnElement, and_, or_, select
from sqlalchemy.orm import Session, aliased

from hub.model.units import AdminLevel, AdminUnit, Succession, SuccessionKind
from hub.units.codes import CODE_WIDTH, LEVEL_RANK, code_number, pad_code

NEAREST_LIMIT_KM = 30.0
EARTH_RADIUS_KM = 6371.0
WHOLE = (SuccessionKind.MERGE, SuccessionKind.CONTINUE)
"""Successions that carry a unit's whole territory into one successor."""


class UnitSpan(NamedTuple):
    """One unit that carries a code, and when it is valid (bounds inclusive, None = open)."""

    valid_from: date | None
    valid_to: date | None
    id: int
    level: AdminLevel

    def valid_on(self, day: date) -> bool:
        return (self.valid_from is None or self.valid_from <= day) and (
            self.valid_to is None or day <= self.valid_to
        )


class Placement(NamedTuple):
    """Where a code lands on a day: the unit, and the retired code it was placed through."""

    unit_id: int | None
    retired_code: str | None


MAX_PLACED = 200_000
"""How many (code, day) placements a resolver remembers before it starts afresh."""


class UnitResolver:
    """Resolves a GSO code and a date to the unit valid on that date, from memory.

    Built once from a session (every unit is read in one query), then used for as many
    records as needed: a connector resolves each record's unit code without a query.

    How a code is read:

    - A string that is exactly a known code is that code (``"01"`` is the province Hà Nội,
      ``"001"`` the district Ba Đình, ``"00001"`` the commune Phúc Xá).
    - Anything else that is a whole number (``1``, ``"1"``, ``"1.0"``, ``1.0``) is zero-padded
      to each level's width that it fits (province 2, district 3, commune 5). When exactly one
      of those codes is known, that is the code; when several are (1 could be any of the
      three above) or none, the code resolves to nothing rather than to a guess.
    - With ``level`` given there is no ambiguity: the number is padded to that level's width.

    "Known" means held by some unit at any date, so how a code is read never depends on the
    day asked, only which of its units is.
    """

    def __init__(self, session: Session) -> None:
        self._spans: dict[str, list[UnitSpan]] = defaultdict(list)
        query = select(
            AdminUnit.code, AdminUnit.valid_from, AdminUnit.valid_to, AdminUnit.id, AdminUnit.level
        )
        for code, valid_from, valid_to, unit_id, level in session.execute(query):
            self._spans[code].append(UnitSpan(valid_from, valid_to, unit_id, AdminLevel(level)))
        self._by_id = {span.id: span for spans in self._spans.values() for span in spans}
        self._placed: dict[tuple[str | int | float, date], Placement] = {}
        """Codes placed so far: a load places the same few hundred codes again and again."""
        self._codes = {span.id: code for code, spans in self._spans.items() for span in spans}
        self._located = [
            (unit_id, lat, lon)
            for unit_id, lat, lon in session.execute(
                select(AdminUnit.id, AdminUnit.lat, AdminUnit.lon).where(
                    AdminUnit.level == AdminLevel.COMMUNE, AdminUnit.lat.is_not(None)
                )
            )
        ]
        self._successors: dict[int, list[tuple[int, str]]] = defaultdict(list)
        for predecessor, successor, kind in session.execute(
            select(Succession.predecessor_id, Succession.successor_id, Succession.kind)
        ):
            self._successors[predecessor].append((successor, kind))

    def __len__(self) -> int:
        return sum(len(spans) for spans in self._spans.values())

    def resolve(
        self, code: str | int | float, day: date, level: AdminLevel | None = None
    ) -> int | None:
        """The id of the unit that ``code`` names on ``day``; None if none is valid then."""
        span = self.resolve_span(code, day, level)
        return span.id if span else None

    def resolve_span(
        self, code: str | int | float, day: date, level: AdminLevel | None = None
    ) -> UnitSpan | None:
        """Like :meth:`resolve`, with the unit's level and validity."""
        canonical = self.canonical_code(code, level)
        if canonical is None:
            return None
        valid = [span for span in self._spans[canonical] if span.valid_on(day)]
        # Intervals of one code do not overlap; should they, the newest unit wins.
        return max(valid, key=lambda span: span.valid_from or date.min, default=None)

    def place(self, code: str | int | float, day: date) -> int | None:
        """The unit ``code`` names on ``day``, following successions for a retired code.

        A source may go on using a code that was retired in a merge (a school still filed
        under its old commune in 2026). When no unit carries the code on ``day``, the last unit
        that did is followed to the one unit it went into whole (a merge, or a continuation),
        and on, until a unit valid on ``day``. A unit that was split cannot be placed: None.
        """
        return self._placement(code, day).unit_id

    def retired_code(self, code: str | int | float, day: date) -> str | None:
        """The canonical code, when :meth:`place` placed it on ``day`` through a succession."""
        return self._placement(code, day).retired_code

    def _placement(self, code: str | int | float, day: date) -> Placement:
        key = (code, day)
        found = self._placed.get(key)
        if found is None:
            if len(self._placed) >= MAX_PLACED:
                # Bounded: a resolver kept for months (see hub.connectors.runtime) places
                # ever new days. A new dict, not clear(): another run may be reading this one.
                self._placed = {}
            found = self._placed[key] = self._place(code, day)
        return found

    def code_of(self, unit_id: int) -> str:
        """The code a unit carries."""
        return self._codes[unit_id]

    def _place(self, code: str | int | float, day: date) -> Placement:
        found = self.resolve(code, day)
        if found is not None:
            return Placement(found, None)
        canonical = self.canonical_code(code)
        earlier = [
            span
            for span in self.spans(canonical or "")
            if span.valid_to is not None and span.valid_to < day
        ]
        successor = self._successor_on(earlier[-1].id, day) if earlier else None
        retired = canonical if successor is not None else None
        return Placement(successor, retired)

    def nearest_commune(self, lat: float, lon: float, day: date) -> int | None:
        """The commune valid on ``day`` whose centre is nearest, within NEAREST_LIMIT_KM.

        Only communes with a known centre count (those of the 2025 list), so a point before
        the reform finds nothing. A centre is not a boundary: callers mark the result
        approximate.
        """
        best, best_km = None, NEAREST_LIMIT_KM
        for unit_id, unit_lat, unit_lon in self._located:
            km = distance_km(lat, lon, unit_lat, unit_lon)
            if km < best_km and self._by_id[unit_id].valid_on(day):
                best, best_km = unit_id, km
        return best

    def _successor_on(self, unit_id: int, day: date) -> int | None:
        for _ in range(10):  # a chain of reforms, never a cycle; the bound is a guard
            links = self._successors.get(unit_id, [])
            whole = [s for s, kind in links if kind in WHOLE]
            if len(links) != 1 or len(whole) != 1:
                return None
            unit_id = whole[0]
            if self._by_id[unit_id].valid_on(day):
                return unit_id
        return None

    def canonical_code(
        self, code: str | int | float, level: AdminLevel | None = None
    ) -> str | None:
        """The known, zero-padded code that ``code`` stands for; None if unknown or ambiguous."""
        if level is not None:
            try:
                padded = pad_code(code, level)
            except ValueError:
                return None
            return padded if padded in self._spans else None
        if isinstance(code, str) and code.strip() in self._spans:
            return code.strip()
        candidates = [padded for padded in self._padded(code) if padded in self._spans]
        return candidates[0] if len(candidates) == 1 else None

    def spans(self, code: str) -> list[UnitSpan]:
        """Every unit that has carried the canonical ``code``, oldest first."""
        return sorted(self._spans.get(code, []), key=lambda span: span.valid_from or date.min)

    @staticmethod
    def _padded(code: str | int | float) -> list[str]:
        try:
            digits = str(code_number(code))
        except ValueError:
            return []
        return [digits.zfill(width) for width in CODE_WIDTH.values() if len(digits) <= width]


def valid_on(day: date, unit: type[AdminUnit] = AdminUnit) -> ColumnElement[bool]:
    """A SQL condition: ``unit`` is valid on ``day`` (bounds inclusive, None = open)."""
    return and_(
        or_(unit.valid_from.is_(None), unit.valid_from <= day),
        or_(unit.valid_to.is_(None), unit.valid_to >= day),
    )


def children(session: Session, unit_id: int, as_of: date | None) -> list[AdminUnit]:
    """The units directly under ``unit_id`` that are valid on ``as_of`` (any date when None).

    A province kept through the 2025 reform has districts as children until 30 June 2025
    and communes from 1 July 2025: ask with a date.
    """
    query = select(AdminUnit).where(AdminUnit.parent_id == unit_id)
    if as_of is not None:
        query = query.where(valid_on(as_of))
    return _in_order(session.scalars(query))


def descendants(session: Session, unit_id: int, as_of: date | None) -> list[AdminUnit]:
    """Every unit beneath ``unit_id`` (children, their children, …) valid on ``as_of``.

    Only units reached through units valid on ``as_of`` count; with ``as_of`` None, every
    unit that was ever beneath it. Ordered by level, then code.
    """
    child = aliased(AdminUnit)
    first = select(AdminUnit.id).where(AdminUnit.parent_id == unit_id)
    if as_of is not None:
        first = first.where(valid_on(as_of))
    tree = first.cte("tree", recursive=True)
    deeper = select(child.id).where(child.parent_id == tree.c.id)
    if as_of is not None:
        deeper = deeper.where(valid_on(as_of, child))
    tree = tree.union_all(deeper)
    query = select(AdminUnit).where(AdminUnit.id.in_(select(tree.c.id)))
    return _in_order(session.scalars(query))


def descendants_on_days(
    session: Session, unit_id: int, days: Iterable[date]
) -> dict[date, list[AdminUnit]]:
    """:func:`descendants` on each of several days, read with one query.

    Every unit ever beneath ``unit_id`` is read once; each day's tree is then walked from
    ``unit_id`` through the units valid on that day, as :func:`descendants` does in SQL.
    """
    under: dict[int | None, list[AdminUnit]] = defaultdict(list)
    for unit in descendants(session, unit_id, None):
        under[unit.parent_id].append(unit)
    found: dict[date, list[AdminUnit]] = {}
    for day in set(days):
        reached: list[AdminUnit] = []
        frontier = [unit_id]
        while frontier:
            for child in under[frontier.pop()]:
                if child.valid_on(day):
                    reached.append(child)
                    frontier.append(child.id)
        found[day] = _in_order(reached)
    return found


def _in_order(units: Iterable[AdminUnit]) -> list[AdminUnit]:
    return sorted(units, key=lambda unit: (LEVEL_RANK[AdminLevel(unit.level)], unit.code))


def distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """The great-circle distance between two points (haversine)."""
    dlat, dlon = math.radians(lat2 - lat1), math.radians(lon2 - lon1)
    a = (
        math.sin(dlat / 2) ** 2
        + math.cos(math.radians(lat1)) * math.cos(math.radians(lat2)) * math.sin(dlon / 2) ** 2
    )
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(a))


def territory_ids(session: Session, root_id: int) -> set[int]:
    """The ids of every record whose data belongs to the unit's territory.

    That is the unit, every unit ever below it, and, through the successions, the units it
    was made of (and theirs, and everything below them): so data recorded against the
    communes of 2024 counts for the commune they merged into in 2025. A predecessor that was
    split counts whole.
    """
    found = {root_id}
    frontier = {root_id}
    while frontier:
        children = session.scalars(select(AdminUnit.id).where(AdminUnit.parent_id.in_(frontier)))
        predecessors = session.scalars(
            select(Succession.predecessor_id).where(Succession.successor_id.in_(frontier))
        )
        frontier = {*children, *predecessors} - found
        found |= frontier
    return found
