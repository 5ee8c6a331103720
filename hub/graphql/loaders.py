"""DataLoaders: the nested fields of many rows load in one query per field, not one per row.

A request gets its own :class:`Loaders` (in its context), so what they cache lives as long
as the request. Each batch runs in a worker thread on a session of its own.

The loaders are scoped: a unit or connector outside the caller's scope is never returned
(a unit loads as None, a list leaves it out), so no nested path leaves the scope.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Hashable, Iterable, Mapping
from dataclasses import dataclass
from typing import TypeVar

from sqlalchemy import func, select
from sqlalchemy.orm import Session, aliased
from strawberry.dataloader import DataLoader

from hub.auth.scope import Scope
from hub.graphql.sessions import read
from hub.graphql.unit_queries import sorted_by_code
from hub.model import AdminUnit, ConnectorRow, Succession, SyncRun
from hub.model.database import Database

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


@dataclass(frozen=True)
class Loaders:
    """One loader per nested field that would otherwise query once per row."""

    unit: DataLoader[int, AdminUnit | None]
    """A unit record by id (a parent, an event's unit)."""
    children: DataLoader[int, list[AdminUnit]]
    """Every record that ever had this parent, whatever its validity."""
    successors: DataLoader[int, list[AdminUnit]]
    predecessors: DataLoader[int, list[AdminUnit]]
    connector: DataLoader[str, ConnectorRow | None]
    last_run: DataLoader[str, SyncRun | None]
    recent_runs: DataLoader[tuple[str, int], list[SyncRun]]
    """The last ``n`` runs of a connector, newest first, keyed by (connector id, n)."""

    @classmethod
    def create(cls, db: Database, scope: Callable[[], Scope]) -> Loaders:
        """The loaders of one request; ``scope`` gives the caller's scope when they run."""

        def visible_unit(unit: AdminUnit) -> bool:
            return scope().sees_unit(unit.id)

        def visible_connector(row: ConnectorRow) -> bool:
            return scope().sees_connector(row.id)

        return cls(
            unit=_loader(db, _one(units_by_id, visible_unit), lambda: None),
            children=_loader(db, _each(children_by_parent, visible_unit), list),
            successors=_loader(db, _each(successors_by_unit, visible_unit), list),
            predecessors=_loader(db, _each(predecessors_by_unit, visible_unit), list),
            connector=_loader(db, _one(connectors_by_id, visible_connector), lambda: None),
            last_run=_loader(db, last_runs, lambda: None),
            recent_runs=_loader(db, recent_runs, list),
        )


def _loader(
    db: Database,
    query: Callable[[Session, list[K]], Mapping[K, V]],
    missing: Callable[[], V],
) -> DataLoader[K, V]:
    """A loader answering each key from one ``query`` over the whole batch of keys."""

    async def load(keys: list[K]) -> list[V]:
        found = await read(db, lambda session: query(session, keys))
        return [found[key] if key in found else missing() for key in keys]

    return DataLoader(load_fn=load)


def _one(
    query: Callable[[Session, list[K]], Mapping[K, V]], visible: Callable[[V], bool]
) -> Callable[[Session, list[K]], Mapping[K, V]]:
    """``query``, keeping only the values ``visible`` accepts."""

    def scoped(session: Session, keys: list[K]) -> Mapping[K, V]:
        return {key: value for key, value in query(session, keys).items() if visible(value)}

    return scoped


def _each(
    query: Callable[[Session, list[K]], Mapping[K, list[V]]], visible: Callable[[V], bool]
) -> Callable[[Session, list[K]], Mapping[K, list[V]]]:
    """``query`` of lists, keeping in each only the items ``visible`` accepts."""

    def scoped(session: Session, keys: list[K]) -> Mapping[K, list[V]]:
        found = query(session, keys)
        return {key: [item for item in items if visible(item)] for key, items in found.items()}

    return scoped


def units_by_id(session: Session, ids: list[int]) -> dict[int, AdminUnit]:
    units = session.scalars(select(AdminUnit).where(AdminUnit.id.in_(ids)))
    return {unit.id: unit for unit in units}


def children_by_parent(session: Session, ids: list[int]) -> dict[int, list[AdminUnit]]:
    children: dict[int, list[AdminUnit]] = defaultdict(list)
    for unit in session.scalars(select(AdminUnit).where(AdminUnit.parent_id.in_(ids))):
        children[unit.parent_id].append(unit)  # type: ignore[index]
    return {parent: sorted_by_code(units) for parent, units in children.items()}


def successors_by_unit(session: Session, ids: list[int]) -> dict[int, list[AdminUnit]]:
    rows = session.execute(
        select(Succession.predecessor_id, AdminUnit)
        .join(AdminUnit, AdminUnit.id == Succession.successor_id)
        .where(Succession.predecessor_id.in_(ids))
    )
    return _grouped(rows)


def predecessors_by_unit(session: Session, ids: list[int]) -> dict[int, list[AdminUnit]]:
    rows = session.execute(
        select(Succession.successor_id, AdminUnit)
        .join(AdminUnit, AdminUnit.id == Succession.predecessor_id)
        .where(Succession.successor_id.in_(ids))
    )
    return _grouped(rows)


def _grouped(rows: Iterable[tuple[int, AdminUnit]]) -> dict[int, list[AdminUnit]]:
    groups: dict[int, list[AdminUnit]] = defaultdict(list)
    for key, unit in rows:
        groups[key].append(unit)
    return {key: sorted_by_code(units) for key, units in groups.items()}


def connectors_by_id(session: Session, ids: list[str]) -> dict[str, ConnectorRow]:
    rows = session.scalars(select(ConnectorRow).where(ConnectorRow.id.in_(ids)))
    return {row.id: row for row in rows}


def last_runs(session: Session, connector_ids: list[str]) -> dict[str, SyncRun]:
    """The latest run of each connector: the one started last, i.e. with the highest id."""
    latest = (
        select(func.max(SyncRun.id))
        .where(SyncRun.connector_id.in_(connector_ids))
        .group_by(SyncRun.connector_id)
    )
    runs = session.scalars(select(SyncRun).where(SyncRun.id.in_(latest)))
    return {run.connector_id: run for run in runs}


def recent_runs(
    session: Session, keys: list[tuple[str, int]]
) -> dict[tuple[str, int], list[SyncRun]]:
    """For each (connector, n), its ``n`` latest runs, newest first, in one query."""
    connector_ids = list({connector_id for connector_id, _ in keys})
    most = max(n for _, n in keys)
    rank = func.row_number().over(partition_by=SyncRun.connector_id, order_by=SyncRun.id.desc())
    ranked = select(SyncRun, rank.label("rank")).where(SyncRun.connector_id.in_(connector_ids))
    ranked_runs = ranked.subquery()
    run = aliased(SyncRun, ranked_runs)
    rows = session.scalars(
        select(run).where(ranked_runs.c.rank <= most).order_by(ranked_runs.c.rank)
    )
    by_connector: dict[str, list[SyncRun]] = defaultdict(list)
    for row in rows:
        by_connector[row.connector_id].append(row)
    return {(connector_id, n): by_connector[connector_id][:n] for connector_id, n in keys}
