"""What every resolver gets through ``info.context``: the hub, the request's loaders, the day.

The context is made anew for each request by :func:`context_getter`.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, TypeAlias
from zoneinfo import ZoneInfo

import strawberry
from strawberry.litestar import BaseContext

from hub import model
from hub.auth.authenticate import Authenticator
from hub.core import TIMEZONE, Hub
from hub.graphql.access import Access
from hub.graphql.loaders import Loaders
from hub.live.feed import Feed
from hub.model.database import Database

LOCAL_TIME = ZoneInfo(TIMEZONE)


class HubContext(BaseContext, kw_only=True):
    """The context of one GraphQL request."""

    hub: Hub
    loaders: Loaders
    today: date
    """Today in Vietnam, fixed for the whole request: the default of every ``asOf``."""
    feeds: Feeds
    """The process's feeds of new events and alerts, for subscriptions."""
    access: Access
    """Who is asking and what they may see, found on first use (:mod:`hub.graphql.access`)."""
    viewer: Any = None
    """Who is asking: the principal, once the request is authenticated."""
    connection_params: Any = None
    """The payload of a WebSocket's connection_init (it may carry the token)."""


Info: TypeAlias = strawberry.Info[HubContext, None]


@dataclass(frozen=True)
class Feeds:
    events: Feed
    alerts: Feed

    @classmethod
    def create(cls, db: Database) -> Feeds:
        return cls(
            events=Feed(db, model.Event, stored_at=lambda event: event.updated_at),
            alerts=Feed(db, model.Alert, stored_at=lambda alert: alert.raised_at),
        )


def context_getter(hub: Hub, authenticator: Authenticator) -> Callable[[], Awaitable[HubContext]]:
    """The function the GraphQL controller calls to make each request's context."""
    feeds = Feeds.create(hub.db)

    async def get_context() -> HubContext:
        day = today()
        access = Access(hub, authenticator, day)
        return HubContext(
            hub=hub,
            loaders=Loaders.create(hub.db, access.current_scope),
            today=day,
            feeds=feeds,
            access=access,
        )

    return get_context


def today() -> date:
    """Today's date in Vietnam (Asia/Ho_Chi_Minh), whatever the server's time zone."""
    return datetime.now(LOCAL_TIME).date()
