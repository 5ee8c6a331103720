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
from hub.core import TIMEZONE, Hub
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
    viewer: Any = None
    """Who is asking. Always None until authentication exists; then the principal."""


Info: TypeAlias = strawberry.Info[HubContext, None]


@dataclass(frozen=True)
class Feeds:
    events: Feed
    alerts: Feed

    @classmethod
    def create(cls, db: Database) -> Feeds:
        return cls(events=Feed(db, model.Event), alerts=Feed(db, model.Alert))


def context_getter(hub: Hub) -> Callable[[], Awaitable[HubContext]]:
    """The function the GraphQL controller calls to make each request's context."""
    feeds = Feeds.create(hub.db)

    async def get_context() -> HubContext:
        return HubContext(hub=hub, loaders=Loaders.create(hub.db), today=today(), feeds=feeds)

    return get_context


def today() -> date:
    """Today's date in Vietnam (Asia/Ho_Chi_Minh), whatever the server's time zone."""
    return datetime.now(LOCAL_TIME).date()
