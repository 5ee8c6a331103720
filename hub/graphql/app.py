"""The web application: GraphQL at ``/graphql``, the operator's ``/health`` and ``/metrics``
(:mod:`hub.observability.http`), the reporting system's workbook upload and downloads under
``/reports``, and the operations console at ``/`` (:mod:`hub.console`)."""

from __future__ import annotations

import logging
from typing import Any

import msgspec
from graphql import GraphQLError, OperationType, get_operation_ast, parse
from litestar import Litestar
from litestar.config.cors import CORSConfig
from litestar.datastructures import State
from strawberry.litestar import make_graphql_controller
from strawberry.types import ExecutionResult

from hub.auth.authenticate import Authenticator
from hub.auth.scope import known_sectors
from hub.console import console_handlers
from hub.console.graphiql import GRAPHIQL_HTML
from hub.core import Hub
from hub.graphql import bodies
from hub.graphql.context import context_getter
from hub.graphql.response_cache import ResponseCache
from hub.graphql.schema import build_schema
from hub.observability.http import log_every_request, operator_handlers
from hub.reports.http import report_handlers

GRAPHQL_PATH = "/graphql"
SUBSCRIPTIONS_OVER_HTTP = (
    "a subscription is served over WebSocket on /graphql (graphql-transport-ws or graphql-ws), "
    "not over HTTP"
)
log = logging.getLogger(__name__)


def create_app(hub: Hub) -> Litestar:
    """The API of ``hub``: GraphQL (GraphiQL on GET where enabled), health and metrics.

    ``[auth] production`` turns introspection and GraphiQL off whatever ``[server]`` says.
    The app's ``state.response_cache`` holds the responses kept (None when turned off).
    """
    server, auth = hub.settings.server, hub.settings.auth
    if auth.production:
        server = server.model_copy(update={"graphiql": False, "introspection": False})
    authenticator = Authenticator(hub.db, auth, known_sectors(hub.definitions))
    responses = ResponseCache(server.response_cache) if server.response_cache else None
    controller = make_graphql_controller(
        build_schema(server, responses),
        path=GRAPHQL_PATH,
        graphql_ide="graphiql" if server.graphiql else None,
        context_getter=context_getter(hub, authenticator),
        # Files come as GraphQL multipart requests (uploadReportWorkbook). Strawberry turns
        # them off against cross-site forms riding on cookies; the API's callers present a
        # bearer token, which no other site's form can send.
        multipart_uploads_enabled=True,
    )

    class GraphQLEndpoint(controller):  # type: ignore[misc, valid-type]
        """Strawberry's controller, its responses encoded by msgspec (eight times quicker
        than ``json.dumps`` on a tile of 400 values: a tenth of a kept response's time)."""

        graphql_ide_html = GRAPHIQL_HTML  # vendored: no CDN on a closed network

        def encode_json(self, data: object) -> bytes:
            return msgspec.json.encode(data)

        def decode_json(self, data: str | bytes) -> object:
            return bodies.decode_json(data, server.max_json_depth)

        def parse_json(self, data: str | bytes) -> Any:
            return bodies.parse_json(data, server.max_json_depth)

        async def execute_single(self, **kwargs: Any) -> ExecutionResult:
            # Strawberry would run a subscription sent by POST as a query, and fail inside.
            request = kwargs["request_data"]
            if is_subscription(request.query, request.operation_name):
                refusal = GraphQLError(
                    SUBSCRIPTIONS_OVER_HTTP, extensions={"code": "BAD_USER_INPUT"}
                )
                return ExecutionResult(data=None, errors=[refusal])
            return await super().execute_single(**kwargs)

    cors = CORSConfig(allow_origins=server.cors_origins) if server.cors_origins else None
    handlers = [
        GraphQLEndpoint,
        *operator_handlers(hub, responses),
        *report_handlers(hub, authenticator),
        *console_handlers(hub, authenticator),
    ]
    state = State({"response_cache": responses})
    app = Litestar(
        route_handlers=handlers,
        cors_config=cors,
        state=state,
        logging_config=None,  # the process's logging is hub.observability.logs's
        request_max_body_size=server.max_body_bytes,
    )
    return log_every_request(app)


def is_subscription(query: str | None, operation_name: str | None) -> bool:
    """Whether the operation a request would run is a subscription."""
    if not query or "subscription" not in query:
        return False
    try:
        operation = get_operation_ast(parse(query), operation_name)
    except GraphQLError:  # a syntax error: the execution reports it
        return False
    return operation is not None and operation.operation is OperationType.SUBSCRIPTION
