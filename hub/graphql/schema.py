"""The GraphQL schema of API.md: the root types and the extensions that guard them."""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterator
from contextlib import suppress
from functools import partial
from typing import Any

import anyio
import strawberry
from graphql import ExecutionResult as GraphQLExecutionResult
from graphql import GraphQLError
from strawberry.extensions import (
    AddValidationRules,
    DisableIntrospection,
    MaxAliasesLimiter,
    MaxTokensLimiter,
    ParserCache,
    QueryDepthLimiter,
    SchemaExtension,
)
from strawberry.schema.config import StrawberryConfig
from strawberry.schema.schema import validate_document
from strawberry.types import ExecutionContext
from strawberry.types.graphql import OperationType

from hub.config.settings import ServerSettings
from hub.graphql.access import OperationAccess
from hub.graphql.aggregate import AggregateQuery
from hub.graphql.alerts import AlertMutation, AlertQuery
from hub.graphql.audit import AuditQuery
from hub.graphql.connectors import ConnectorMutation, ConnectorQuery
from hub.graphql.cost import CostLimit
from hub.graphql.enums import Calendar, PeriodType
from hub.graphql.errors import ErrorCodes
from hub.graphql.events import EventQuery
from hub.graphql.live import Subscription
from hub.graphql.metrics import MetricQuery
from hub.graphql.operations import OperationNoted
from hub.graphql.plain_lists import PlainListCompletion
from hub.graphql.reports import ReportMutation, ReportQuery
from hub.graphql.response_cache import KeptResponses, ResponseCache
from hub.graphql.scalars import SCALARS
from hub.graphql.texts import TextsWithoutNul
from hub.graphql.tokens import TokenMutation, TokenQuery
from hub.graphql.units import UnitQuery
from hub.memory import LeastRecentlyUsed


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
    TokenQuery,
):
    """Every query of the API; each part lives with the types it returns."""


@strawberry.type
class Mutation(ConnectorMutation, AlertMutation, ReportMutation, TokenMutation):
    """Every mutation of the API."""


class HubSchema(strawberry.Schema):
    """Strawberry's schema, leaving the logging of errors to :class:`ErrorCodes`, and
    stopping a query that runs longer than ``[server] time_budget``.

    Strawberry would log every error with a traceback, a caller's typo included; ErrorCodes
    logs only the unexpected ones, with the reference it gives the caller.
    """

    time_budget: float = 30.0

    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        return None

    async def _execute_operation(  # type: ignore[override]
        self, execution_context: ExecutionContext, *args: Any, **kwargs: Any
    ) -> Any:
        """Run a query within the time budget (HTTP and WebSocket alike, strawberry's one
        path for both); a mutation always finishes, a subscription does not come here."""
        if execution_context.operation_type is not OperationType.QUERY:
            return await super()._execute_operation(execution_context, *args, **kwargs)
        with anyio.move_on_after(self.time_budget):
            return await super()._execute_operation(execution_context, *args, **kwargs)
        refusal = GraphQLError(
            f"the query ran longer than {self.time_budget:g} s ([server] time_budget) and was "
            "stopped: ask for fewer units, periods or aliases",
            extensions={"code": "BAD_USER_INPUT"},
        )
        return GraphQLExecutionResult(data=None, errors=[refusal])


def build_schema(
    server: ServerSettings, responses: ResponseCache | None = None
) -> strawberry.Schema:
    """The schema, limited as ``[server]`` of the config says, keeping the responses it may
    in ``responses`` (:mod:`hub.graphql.response_cache`)."""
    schema = HubSchema(
        query=Query,
        mutation=Mutation,
        subscription=Subscription,
        types=[PeriodType, Calendar],  # used by `aggregate`, which comes later
        extensions=extensions(server, responses),
        config=StrawberryConfig(scalar_map=SCALARS),
        execution_context_class=PlainListCompletion,
    )
    schema.time_budget = server.time_budget
    return schema


class DocumentCache(ParserCache):
    """Strawberry's parser cache, leaving a document that does not parse to the usual path.

    Raised from the cache, a syntax error would skip the handling that gives it its code;
    not cached, the document is parsed again by strawberry, which reports it as usual.
    """

    def on_parse(self) -> Iterator[None]:
        context = self.execution_context
        if context.query:
            with suppress(GraphQLError):
                context.graphql_document = self.cached_parse_document(
                    context.query, **context.parse_options
                )
        yield


class ValidationByText(SchemaExtension):
    """Validation remembered by the document's text and the rules (one cache per schema).

    Strawberry's ValidationCache keys its cache by the parsed document, whose hash
    graphql-core computes anew at every request by walking the whole tree: for a dashboard
    tile's query, most of what a kept response costs. The text's hash is computed once
    per string; a document of the same text is the same document (:class:`DocumentCache`).
    """

    def __init__(self, *, cache: LeastRecentlyUsed[Hashable, Any]) -> None:
        self.cache = cache

    def on_validate(self) -> Iterator[None]:
        context = self.execution_context
        rules = tuple(context.validation_rules)
        key = (context.query, rules)
        errors = self.cache.get(key) if context.query else None
        if errors is None:
            errors = validate_document(context.schema._schema, context.graphql_document, rules)
            if context.query:
                self.cache.put(key, errors)
        context.pre_execution_errors = errors
        yield


def extensions(
    server: ServerSettings, responses: ResponseCache | None = None
) -> list[Callable[[], SchemaExtension]]:
    """A fresh instance of each extension per request (a factory each).

    The caches keep the parsed and validated form of the last documents seen: a dashboard
    sends the same few queries over and over, and validating one costs more than answering
    it. The validation cache is keyed by the validation rules too, so the limiters' rules are
    made once here rather than anew by each request's limiter.
    """
    limits = [
        *QueryDepthLimiter(max_depth=server.max_depth).validation_rules,
        *MaxAliasesLimiter(max_alias_count=server.max_aliases).validation_rules,
        TextsWithoutNul,
    ]
    found: list[Callable[[], SchemaExtension]] = [
        OperationNoted,
        partial(ErrorCodes, suggestions=server.introspection),
        OperationAccess,
        partial(MaxTokensLimiter, max_token_count=server.max_tokens),
        partial(DocumentCache, maxsize=256),
        partial(AddValidationRules, limits),
        partial(ValidationByText, cache=LeastRecentlyUsed(256)),
    ]
    if responses is not None:
        # Before the cost: a kept response was made under the same limit, on the same units.
        found.append(partial(KeptResponses, cache=responses))
    found.append(partial(CostLimit, max_cost=server.max_cost))
    if not server.introspection:
        found.append(DisableIntrospection)
    return found
