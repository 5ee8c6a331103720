"""The unit hierarchy and its successions, in memory, as aggregation needs them.

Read once per process and kept while the tables do not change: checked by their revision,
which the database moves at every write to them (see :func:`version_columns`). Roll-ups
keep a unit's values under the unit's own parents, its *native* hierarchy, which is fixed
per unit record: a legacy commune stays under its legacy district and province, a 2025
commune under its 2025 province. (A load that moves a unit corrects its record: the
revision moves, and roll-ups are rebuilt on the new parents; a load that only renames one
keeps them, see :attr:`Hierarchy.signature`.)
"""

from __future__ import annotations

import bisect
import hashlib
import threading
from collections import defaultdict
from collections.abc import Callable, Hashable
from dataclasses import astuple, dataclass, field
from datetime import date
from functools import cached_property
from typing import Any, Generic, TypeVar
from weakref import WeakKeyDictionary

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from hub.model import AdminLevel, AdminUnit, Succession
from hub.model.units import UnitTablesRevision, UnitTableWritesHere

T = TypeVar("T")
CACHE_SIZE = 10_000


@dataclass(frozen=True, slots=True)
class Unit:
    id: int
    code: str
    level: AdminLevel
    parent_id: int | None
    valid_from: date | None
    valid_to: date | None

    def valid_during(self, start: date, end: date) -> bool:
        """Whether the unit existed on at least one day from ``start`` to ``end``."""
        return (self.valid_from is None or self.valid_from <= end) and (
            self.valid_to is None or start <= self.valid_to
        )

    def valid_on(self, day: date) -> bool:
        return self.valid_during(day, day)


@dataclass(frozen=True, slots=True)
class Link:
    """One succession seen from one side: the unit on the other side, and the weight."""

    other: int
    weight: float


@dataclass
class Hierarchy:
    """Every unit, its parent and children, and the successions of every reform."""

    units: dict[int, Unit]
    successors: dict[int, list[Link]]
    predecessors: dict[int, list[Link]]
    reforms: tuple[date, ...]
    """The days successions took effect, in order: era ``n`` starts on ``reforms[n-1]``."""
    version: tuple[Any, ...]
    names: dict[int, str] = field(default_factory=dict)
    children: dict[int, list[int]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        children: dict[int, list[int]] = defaultdict(list)
        for unit in self.units.values():
            if unit.parent_id is not None:
                children[unit.parent_id].append(unit.id)
        self.children = dict(children)
        self._subtrees: dict[int, tuple[int, ...]] = {}
        self._ancestors: dict[int, tuple[int, ...]] = {}
        self._cache: dict[Hashable, Any] = {}
        self._by_code: dict[str, list[Unit]] | None = None

    @classmethod
    def current(cls, session: Session) -> Hierarchy:
        """The hierarchy of the session's database, read again only if it changed."""
        return _HIERARCHIES.get(session)

    @cached_property
    def signature(self) -> str:
        """What roll-ups built on this hierarchy depend on: a digest of every unit's place in
        it (code, level, parent, validity) and of the successions, names left out.

        A unit renamed keeps every metric's roll-ups, which a rebuild would cost minutes at
        national scale; one moved, ended or succeeded rebuilds them. (``s``: never one of the
        ``h<units>.<successions>`` of the roll-ups built before migration 0014, which are
        rebuilt once.)
        """
        digest = hashlib.sha256(repr(self.reforms).encode())
        for unit_id in sorted(self.units):
            digest.update(repr(astuple(self.units[unit_id])).encode())
        for predecessor in sorted(self.successors):
            links = sorted((link.other, link.weight) for link in self.successors[predecessor])
            digest.update(repr((predecessor, links)).encode())
        return "s" + digest.hexdigest()

    def cached(self, key: Hashable, compute: Callable[..., T], *args: Any) -> T:
        """``compute(self, *args)``, remembered under ``key`` while this hierarchy is current."""
        if key not in self._cache:
            if len(self._cache) > CACHE_SIZE:
                self._cache.clear()
            self._cache[key] = compute(self, *args)
        return self._cache[key]  # type: ignore[no-any-return]

    def era(self, day: date) -> int:
        """The era a day falls in: how many reforms took effect on or before it."""
        return bisect.bisect_right(self.reforms, day)

    def ancestors(self, unit_id: int) -> tuple[int, ...]:
        """The unit's parent, its parent's parent, … (never the unit itself)."""
        found = self._ancestors.get(unit_id)
        if found is None:
            chain, parent = [], self.units[unit_id].parent_id if unit_id in self.units else None
            while parent is not None and parent not in chain and len(chain) < 10:
                chain.append(parent)
                parent = self.units[parent].parent_id
            found = self._ancestors[unit_id] = tuple(chain)
        return found

    def subtree(self, unit_id: int) -> tuple[int, ...]:
        """The unit and every unit ever beneath it, whatever their validity."""
        found = self._subtrees.get(unit_id)
        if found is None:
            children = self.children.get(unit_id, ())
            found = (unit_id, *(below for child in children for below in self.subtree(child)))
            self._subtrees[unit_id] = found
        return found

    def with_code(self, code: str) -> list[Unit]:
        """Every unit that has carried ``code``."""
        if self._by_code is None:
            by_code: dict[str, list[Unit]] = defaultdict(list)
            for unit in self.units.values():
                by_code[unit.code].append(unit)
            self._by_code = dict(by_code)
        return self._by_code.get(code, [])

    def on_map(self, unit_id: int, day: date) -> list[Unit]:
        """The unit and the units beneath it on the map of ``day`` (reached through units
        valid that day)."""
        found, frontier = [self.units[unit_id]], [unit_id]
        while frontier:
            frontier = [
                child
                for parent in frontier
                for child in self.children.get(parent, ())
                if self.units[child].valid_on(day)
            ]
            found += [self.units[child] for child in frontier]
        return found

    def is_within(self, unit_id: int, root_id: int) -> bool:
        """Whether ``unit_id`` is ``root_id`` or lies beneath it."""
        return unit_id == root_id or root_id in self.ancestors(unit_id)


class PerUnitTables(Generic[T]):
    """One ``T`` per database engine, built by ``build(session, version)`` and built again
    when the unit tables change (their version, :func:`version_of`): the hierarchy, and the
    resolver of unit codes every connector run uses, are read once per change of the units
    rather than at every run or request.

    Inside a transaction that wrote the unit tables, ``T`` is built for that session alone and
    never kept: no one else sees those writes yet, and they may be rolled back."""

    def __init__(self, build: Callable[[Session, tuple[Any, ...]], T]) -> None:
        self._build = build
        self._lock = threading.Lock()
        self._by_engine: WeakKeyDictionary[Engine, tuple[tuple[Any, ...], T]] = WeakKeyDictionary()

    def get(self, session: Session) -> T:
        bind = session.get_bind()
        engine = bind if isinstance(bind, Engine) else bind.engine
        version = _version(session)
        if written_here(version):
            return self._build(session, version)
        with self._lock:
            known = self._by_engine.get(engine)
        if known is not None and known[0] == version:
            return known[1]
        built = self._build(session, version)
        with self._lock:
            self._by_engine[engine] = (version, built)
        return built


def version_columns() -> tuple[Any, Any]:
    """The columns a hierarchy's version is read from (for readers that read it along with
    something else in one statement): see :func:`version_of`.

    The unit tables' revision, which the database itself moves at every insert, update and
    delete of units or successions, in the writer's transaction (migration 0014), and how
    many writes to them the reader's own transaction made (0 but inside such a transaction).
    """
    revision = select(UnitTablesRevision.revision).scalar_subquery()
    return revision, UnitTableWritesHere()


def version_of(revision: int | None, writes_here: int | None) -> tuple[int, int]:
    """The version of the hierarchy from what :func:`version_columns` read."""
    return (revision or 0, writes_here or 0)


def written_here(version: tuple[Any, ...]) -> bool:
    """Whether the version was read inside a transaction that wrote the unit tables: what was
    read with it holds for that transaction only."""
    return bool(version[1])


VERSION = select(*version_columns())
"""The statement that reads the version (built once: building costs more than running it)."""


def _version(session: Session) -> tuple[Any, ...]:
    return version_of(*session.connection().execute(VERSION).one())


def _load(session: Session, version: tuple[Any, ...]) -> Hierarchy:
    columns = (
        AdminUnit.id,
        AdminUnit.code,
        AdminUnit.level,
        AdminUnit.parent_id,
        AdminUnit.valid_from,
        AdminUnit.valid_to,
        AdminUnit.name,
    )
    rows = session.execute(select(*columns)).all()
    units = {row.id: Unit(row.id, row.code, AdminLevel(row.level), *row[3:6]) for row in rows}
    names = {row.id: row.name for row in rows}
    successors: dict[int, list[Link]] = defaultdict(list)
    predecessors: dict[int, list[Link]] = defaultdict(list)
    reforms = set()
    query = select(
        Succession.predecessor_id, Succession.successor_id, Succession.weight, Succession.effective
    )
    for predecessor, successor, weight, effective in session.execute(query):
        successors[predecessor].append(Link(successor, weight))
        predecessors[successor].append(Link(predecessor, weight))
        reforms.add(effective)
    reforms_in_order = tuple(sorted(reforms))
    return Hierarchy(units, dict(successors), dict(predecessors), reforms_in_order, version, names)


_HIERARCHIES = PerUnitTables(_load)
