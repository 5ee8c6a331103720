"""Alerts: listing, acknowledging, and (in hub.graphql.live) subscribing."""

from __future__ import annotations

from datetime import datetime

import strawberry
from sqlalchemy import select
from sqlalchemy.orm import Session

from hub import model
from hub.auth.principal import Action
from hub.auth.scope import Scope
from hub.graphql.access import audited_permission, audited_write, scope_of
from hub.graphql.context import LOCAL_TIME, Info
from hub.graphql.errors import BadUserInput, NotFound
from hub.graphql.pagination import PageInfo, decode_cursor, encode_cursor, page_info, page_size
from hub.graphql.sessions import read
from hub.graphql.unit_queries import existing_unit_on, territory_ids
from hub.graphql.units import AdminUnit
from hub.model.base import utcnow

CURSOR_KIND = "alert"


@strawberry.type(description="An alert raised by a rule: by an event, or a value past a bound.")
class Alert:
    id: strawberry.ID
    rule: str
    severity: int = strawberry.field(description="1 low, 2 medium, 3 high, 4 critical.")
    message: str
    period: str | None
    value: float | None
    event_id: strawberry.ID | None
    raised_at: datetime
    acknowledged_at: datetime | None
    acknowledged_by: str | None
    note: str | None

    unit_id: strawberry.Private[int | None]

    @classmethod
    def from_row(cls, row: model.Alert) -> Alert:
        return cls(
            id=strawberry.ID(str(row.id)),
            rule=row.rule,
            severity=row.severity,
            message=row.message,
            period=row.period,
            value=row.value,
            event_id=None if row.event_id is None else strawberry.ID(str(row.event_id)),
            raised_at=row.raised_at,
            acknowledged_at=row.acknowledged_at,
            acknowledged_by=row.acknowledged_by,
            note=row.note,
            unit_id=row.unit_id,
        )

    @strawberry.field
    async def acknowledged(self) -> bool:
        return self.acknowledged_at is not None

    @strawberry.field(description="The unit the alert is about.")
    async def unit(self, info: Info) -> AdminUnit | None:
        if self.unit_id is None:
            return None
        row = await info.context.loaders.unit.load(self.unit_id)
        day = self.raised_at.astimezone(LOCAL_TIME).date()
        return None if row is None else AdminUnit.from_row(row, day)


@strawberry.type
class AlertEdge:
    cursor: str
    node: Alert


@strawberry.type
class AlertConnection:
    edges: list[AlertEdge]
    page_info: PageInfo


@strawberry.type
class AlertQuery:
    @strawberry.field(description="Alerts, newest first; `within` covers the unit's territory.")
    async def alerts(
        self,
        info: Info,
        acknowledged: bool | None = None,
        min_severity: int | None = None,
        within: strawberry.ID | None = None,
        first: int | None = 50,
        after: str | None = None,
    ) -> AlertConnection:
        scope = await scope_of(info)
        size = page_size(first, default=50)
        before_id = None if after is None else _cursor_key(after)
        today = info.context.today

        def query(session: Session) -> list[model.Alert]:
            units = None
            if within is not None:
                units = territory_ids(session, existing_unit_on(session, str(within), today).id)
            return find_alerts(
                session, scope, acknowledged, min_severity, units, before_id, size + 1
            )

        rows = await read(info.context.hub.db, query)
        edges = [
            AlertEdge(cursor=encode_cursor(CURSOR_KIND, row.id), node=Alert.from_row(row))
            for row in rows[:size]
        ]
        return AlertConnection(
            edges=edges,
            page_info=page_info([edge.cursor for edge in edges], len(rows) > size, after),
        )


@strawberry.type
class AlertMutation:
    @strawberry.mutation(description="Mark an alert as seen and handled, with an optional note.")
    async def acknowledge_alert(
        self, info: Info, id: strawberry.ID, note: str | None = None
    ) -> Alert:
        target = {"id": str(id), "note": note}
        principal, scope = await audited_permission(
            info, Action.ACKNOWLEDGE_ALERTS, "acknowledgeAlert", target
        )

        def acknowledge(session: Session) -> model.Alert:
            row = session.get(model.Alert, _alert_id(id))
            visible = row is not None and scope.sees_unit(row.unit_id)
            if row is None or not (visible and scope.sees_alert_rule(row.rule)):
                raise NotFound(f"no alert {id}")
            if row.acknowledged_at is None:
                row.acknowledged_at, row.acknowledged_by = utcnow(), principal.name
            row.note = note if note is not None else row.note
            return row

        return Alert.from_row(await audited_write(info, "acknowledgeAlert", target, acknowledge))


def find_alerts(
    session: Session,
    scope: Scope,
    acknowledged: bool | None,
    min_severity: int | None,
    units: set[int] | None,
    before_id: int | None,
    limit: int,
) -> list[model.Alert]:
    alert = model.Alert
    query = select(alert).where(
        scope.unit_clause(alert.unit_id), Scope.among(scope.alert_rules, alert.rule)
    )
    if acknowledged is not None:
        query = query.where(
            alert.acknowledged_at.is_not(None) if acknowledged else alert.acknowledged_at.is_(None)
        )
    if min_severity is not None:
        query = query.where(alert.severity >= min_severity)
    if units is not None:
        query = query.where(alert.unit_id.in_(units))
    if before_id is not None:
        query = query.where(alert.id < before_id)
    return list(session.scalars(query.order_by(alert.id.desc()).limit(limit)))


def _alert_id(value: str) -> int:
    if not str(value).isdigit():
        raise BadUserInput(f"{value!r} is not an alert id")
    return int(value)


def _cursor_key(cursor: str) -> int:
    (row_id,) = decode_cursor(CURSOR_KIND, cursor, 1)
    if not isinstance(row_id, int):
        raise BadUserInput(f"malformed cursor {cursor!r}: pass an endCursor of alerts")
    return row_id
