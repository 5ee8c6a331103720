"""The API's view of a source's freshness (:mod:`hub.connectors.freshness`)."""

from __future__ import annotations

from datetime import date, datetime

import strawberry

from hub.connectors import freshness


@strawberry.type(
    description="A source of figures: when it last delivered, and whether figures of the "
    "period asked may be stale (it has not delivered for longer than its schedule expects)."
)
class SourceFreshness:
    connector: strawberry.ID
    schedule: str | None
    last_delivered: datetime | None = strawberry.field(
        description="When its last run that wrote started."
    )
    stale_since: datetime | None = strawberry.field(
        description="When it became overdue after that delivery; null while it is not."
    )
    stale: bool = strawberry.field(
        description="Whether the figures of the period asked may miss what it has not "
        "delivered: it is stale and last delivered before the period ended."
    )

    @classmethod
    def of(cls, found: freshness.SourceFreshness, period_end: date) -> SourceFreshness:
        return cls(
            connector=strawberry.ID(found.connector),
            schedule=found.schedule,
            last_delivered=found.last_delivered,
            stale_since=found.stale_since,
            stale=found.stale_for(period_end),
        )
