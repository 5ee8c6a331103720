"""Subscriptions: new events, live, over WebSocket (graphql-transport-ws or graphql-ws)."""

from __future__ import annotations

from collections.abc import AsyncGenerator

import strawberry

from hub import model
from hub.graphql.context import Info
from hub.graphql.events import Event
from hub.graphql.sessions import read
from hub.graphql.unit_queries import existing_unit_on, territory_ids


@strawberry.type
class Subscription:
    @strawberry.subscription(
        description=(
            "New events as they are stored, whichever process stored them. `within` covers "
            "the unit's territory today, including the units it was made of."
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
        units = None
        if within is not None:
            units = await read(
                context.hub.db,
                lambda session: territory_ids(
                    session, existing_unit_on(session, str(within), context.today).id
                ),
            )

        def wanted(event: model.Event) -> bool:
            return (
                (sector is None or event.sector == sector)
                and (min_severity is None or (event.severity or 0) >= min_severity)
                and (units is None or event.unit_id in units)
            )

        async with context.feed.subscribe(wanted) as queue:
            while True:
                yield Event.from_row(await queue.get())
