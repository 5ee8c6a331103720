"""Subscriptions: new events, live, over WebSocket (graphql-transport-ws or graphql-ws)."""

from __future__ import annotations

from collections.abc import AsyncGenerator

import strawberry

from hub import model
from hub.graphql.access import scope_of, while_signed_in
from hub.graphql.alerts import Alert
from hub.graphql.context import Info
from hub.graphql.events import Event
from hub.graphql.sessions import read
from hub.graphql.unit_queries import existing_unit_on, territory_ids


@strawberry.type
class Subscription:
    @strawberry.subscription(
        description=(
            "New events as they are stored, whichever process stored them. `within` covers "
            "the unit's territory today, including the units it was made of. Only events "
            "inside the caller's units and sectors are sent."
        )
    )
    async def events(
        self,
        info: Info,
        sector: str | None = None,
        min_severity: int | None = None,
        within: strawberry.ID | None = None,
    ) -> AsyncGenerator[Event, None]:
        context = info.context
        scope = await scope_of(info)
        units = None if within is None else await _territory(info, str(within))

        def wanted(event: model.Event) -> bool:
            return (
                scope.sees_unit(event.unit_id)
                and scope.sees_sector(event.sector)
                and (sector is None or event.sector == sector)
                and (min_severity is None or (event.severity or 0) >= min_severity)
                and (units is None or event.unit_id in units)
            )

        async with context.feeds.events.subscribe(wanted) as queue:
            while True:
                yield Event.from_row(await while_signed_in(info, queue))

    @strawberry.subscription(description="New alerts as they are raised, whichever process.")
    async def alerts(
        self,
        info: Info,
        min_severity: int | None = None,
        within: strawberry.ID | None = None,
    ) -> AsyncGenerator[Alert, None]:
        context = info.context
        scope = await scope_of(info)
        units = None if within is None else await _territory(info, str(within))

        def wanted(alert: model.Alert) -> bool:
            if not (scope.sees_unit(alert.unit_id) and scope.sees_alert_rule(alert.rule)):
                return False
            return (min_severity is None or alert.severity >= min_severity) and (
                units is None or alert.unit_id in units
            )

        async with context.feeds.alerts.subscribe(wanted) as queue:
            while True:
                yield Alert.from_row(await while_signed_in(info, queue))


async def _territory(info: Info, code: str) -> set[int]:
    today = info.context.today
    return await read(
        info.context.hub.db,
        lambda session: territory_ids(session, existing_unit_on(session, code, today).id),
    )
