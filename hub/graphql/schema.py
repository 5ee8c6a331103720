"""The GraphQL schema of API.md: the root types and the extensions that guard them."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

import strawberry
from graphql import GraphQLError
from strawberry.extensions import (
    DisableIntrospection,
    MaxAliasesLimiter,
    MaxTokensLimiter,
    QueryDepthLimiter,
    SchemaExtension,
)
from strawberry.types import ExecutionContext

from hub.config.settings import ServerSettings
from hub.graphql.aggregate import AggregateQuery
from hub.graphql.alerts import AlertMutation, AlertQuery
from hub.graphql.audit import AuditQuery
from hub.graphql.connectors import ConnectorMutation, ConnectorQuery
from hub.graphql.enums import Calendar, PeriodType
from hub.graphql.errors import ErrorCodes
from hub.graphql.events import EventQuery
from hub.graphql.live import Subscription
from hub.graphql.metrics import MetricQuery
from hub.graphql.reports import ReportMutation, ReportQuery
from hub.graphql.units import UnitQuery


@strawberry.type
class Query(
    UnitQuery,
    MetricQuery,
    AggregateQuery,
    EventQuery,
    ConnectorQuery,
    AlertQuery,
    ReportQuery,
    AuditQuery,
):
    """Every query of the API; each part lives with the types it returns."""


@strawberry.type
class Mutation(ConnectorMutation, AlertMutation, ReportMutation):
    """Every mutation of the API."""


class HubSchema(strawberry.Schema):
    """Strawberry's schema, leaving the logging of errors to :class:`ErrorCodes`.

    Strawberry would log every error with a traceback, a caller's typo included; ErrorCodes
    logs only the unexpected ones, with the reference it gives the caller.
    """

    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        return None


def build_schema(server: ServerSettings) -> strawberry.Schema:
    """The schema, limited as ``[server]`` of the config says."""
    return HubSchema(
        query=Query,
        mutation=Mutation,
        subscription=Subscription,
        types=[PeriodType, Calendar],  # used by `aggregate`, which comes later
        extensions=extensions(server),
    )


def extensions(server: ServerSettings) -> list[Callable[[], SchemaExtension]]:
    """A fresh instance of each extension per request (a factory each)."""
    found: list[Callable[[], SchemaExtension]] = [
        ErrorCodes,
        partial(QueryDepthLimiter, max_depth=server.max_depth),
        partial(MaxTokensLimiter, max_token_count=server.max_tokens),
        partial(MaxAliasesLimiter, max_alias_count=server.max_aliases),
    ]
    if not server.introspection:
        found.append(DisableIntrospection)
    return found
