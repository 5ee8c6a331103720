"""Events: dated things that happened somewhere, paged newest first."""

from __future__ import annotations

from contextlib import suppress
from dataclasses import dataclass
from datetime import date, datetime
from typing import Annotated

import strawberry
from sqlalchemy import Select, and_, or_, select
from sqlalchemy.orm import Session
from strawberry.scalars import JSON

from hub import model
from hub.auth.scope import EVERYTHING, Scope
from hub.graphql.access import scope_of
from hub.graphql.context import LOCAL_TIME, Info
from hub.graphql.errors import BadUserInput
from hub.graphql.pagination import (
    PageInfo,
    decode_cursor,
    encode_cursor,
    page_info,
    page_size,
)
from hub.graphql.sessions import read
from hub.graphql.unit_queries import existing_unit_on, territory_ids
from hub.graphql.units import AdminUnit

CURSOR_KIND = "event"


@strawberry.type(description="One dated thing that happened somewhere.")
class Event:
    id: strawberry.ID
    sector: str
    kind: str
    title: str | None
    status: str | None
    severity: int | None
    occurred_at: datetime
    lat: float | None
    lon: float | None
    attributes: JSON | None
    source: str
    source_id: str

    unit_id: strawberry.Private[int | None]

    @classmethod
    def from_row(cls, row: model.Event) -> Event:
        return cls(
            id=strawberry.ID(str(row.id)),
            sector=row.sector,
            kind=row.kind,
            title=row.title,
            status=row.status,
            severity=row.severity,
            occurred_at=row.occurred_at,
            lat=row.lat,
            lon=row.lon,
            attributes=row.attributes,
            source=row.source,
            source_id=row.source_id,
            unit_id=row.unit_id,
        )

    @strawberry.field(description="The unit where it happened, as that unit was on the day.")
    async def unit(self, info: Info) -> AdminUnit | None:
        if self.unit_id is None:
            return None
        row = await info.context.loaders.unit.load(self.unit_id)
        day = self.occurred_at.astimezone(LOCAL_TIME).date()
        return None if row is None else AdminUnit.from_row(row, day)


@strawberry.type
class EventEdge:
    cursor: str
    node: Event


@strawberry.type
class EventConnection:
    edges: list[EventEdge]
    page_info: PageInfo


@dataclass(frozen=True)
class EventFilter:
    """The filters of an events query, checked and in the database's terms."""

    as_of: date
    """The day ``within`` is read on."""
    scope: Scope = EVERYTHING
    """The caller's scope: only its units and sectors are ever matched."""
    sector: str | None = None
    kind: str | None = None
    status: str | None = None
    within: str | None = None
    start: datetime | None = None
    end: datetime | None = None
    min_severity: int | None = None


@strawberry.type
class EventQuery:
    @strawberry.field(
        description=(
            "Events, newest first (by occurredAt, then id), in pages. `within` is a unit code "
            "read on asOf (default: today in Vietnam) and covers its territory, including the "
            "units it was made of before a reform. `from` is inclusive, `to` exclusive; a "
            "DateTime without a time zone is taken as Vietnam's time. Only events inside the "
            "caller's units and sectors are ever returned."
        )
    )
    async def events(
        self,
        info: Info,
        sector: str | None = None,
        kind: str | None = None,
        status: str | None = None,
        within: strawberry.ID | None = None,
        from_: Annotated[datetime | None, strawberry.argument(name="from")] = None,
        to: datetime | None = None,
        min_severity: int | None = None,
        first: int | None = 50,
        after: str | None = None,
        as_of: date | None = None,
    ) -> EventConnection:
        scope = await scope_of(info)
        size = page_size(first, default=50)
        start_after = None if after is None else _cursor_key(after)
        where = EventFilter(
            scope=scope,
            sector=sector,
            kind=kind,
            status=status,
            within=within,
            as_of=as_of or info.context.today,
            start=_aware(from_),
            end=_aware(to),
            min_severity=min_severity,
        )
        rows = await read(
            info.context.hub.db, lambda session: find_events(session, where, start_after, size + 1)
        )
        edges = [EventEdge(cursor=_cursor(row), node=Event.from_row(row)) for row in rows[:size]]
        return EventConnection(
            edges=edges,
            page_info=page_info([edge.cursor for edge in edges], len(rows) > size, after),
        )


def find_events(
    session: Session, where: EventFilter, after: tuple[datetime, int] | None, limit: int
) -> list[model.Event]:
    """Up to ``limit`` events matching ``where``, newest first, after the key ``after``."""
    query = _matching(select(model.Event), session, where)
    if after is not None:
        occurred_at, row_id = after
        query = query.where(
            or_(
                model.Event.occurred_at < occurred_at,
                and_(model.Event.occurred_at == occurred_at, model.Event.id < row_id),
            )
        )
    query = query.order_by(model.Event.occurred_at.desc(), model.Event.id.desc()).limit(limit)
    return list(session.scalars(query))


def _matching(query: Select, session: Session, where: EventFilter) -> Select:
    """The query, narrowed to the events that match ``where``."""
    event = model.Event
    query = query.where(
        where.scope.unit_clause(event.unit_id), Scope.among(where.scope.sectors, event.sector)
    )
    for column, value in (
        (event.sector, where.sector),
        (event.kind, where.kind),
        (event.status, where.status),
    ):
        if value is not None:
            query = query.where(column == value)
    if where.start is not None:
        query = query.where(event.occurred_at >= where.start)
    if where.end is not None:
        query = query.where(event.occurred_at < where.end)
    if where.min_severity is not None:
        query = query.where(event.severity >= where.min_severity)
    if where.within is not None:
        root = existing_unit_on(session, where.within, where.as_of)
        query = query.where(event.unit_id.in_(territory_ids(session, root.id)))
    return query


def _cursor(row: model.Event) -> str:
    return encode_cursor(CURSOR_KIND, row.occurred_at.isoformat(), row.id)


def _cursor_key(cursor: str) -> tuple[datetime, int]:
    occurred_at, row_id = decode_cursor(CURSOR_KIND, cursor, 2)
    if isinstance(occurred_at, str) and isinstance(row_id, int):
        with suppress(ValueError):
            moment = datetime.fromisoformat(occurred_at)
            if moment.tzinfo is not None:
                return moment, row_id
    raise BadUserInput(f"malformed cursor {cursor!r}: pass an endCursor of events")


def _aware(moment: datetime | None) -> datetime | None:
    """A DateTime argument with its time zone; one given without is Vietnam's local time."""
    if moment is None or moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=LOCAL_TIME)
