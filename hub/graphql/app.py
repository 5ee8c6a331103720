"""The web application: GraphQL at ``/graphql``, a health check at ``/health``, and the
reporting system's workbook upload and downloads under ``/reports``."""

from __future__ import annotations

import logging
from typing import Any

import anyio.to_thread
import msgspec
from graphql import GraphQLError, OperationType, get_operation_ast, parse
from litestar import Litestar, MediaType, Response, get
from litestar.config.cors import CORSConfig
from litestar.datastructures import State
from litestar.handlers import HTTPRouteHandler
from sqlalchemy import text
from strawberry.litestar import make_graphql_controller
from strawberry.types import ExecutionResult

from hub.auth.authenticate import Authenticator
from hub.auth.scope import known_sectors
from hub.core import Hub
from hub.graphql import bodies
from hub.graphql.context import context_getter
from hub.graphql.response_cache import ResponseCache
from hub.graphql.schema import build_schema
from hub.model.database import Database
from hub.reports.http import report_handlers

GRAPHQL_PATH = "/graphql"
SUBSCRIPTIONS_OVER_HTTP = (
    "a subscription is served over WebSocket on /graphql (graphql-transport-ws or graphql-ws), "
    "not over HTTP"
)
log = logging.getLogger(__name__)


def create_app(hub: Hub) -> Litestar:
    """The API of ``hub``: GraphQL (GraphiQL on GET where enabled) and ``/health``.

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
    )

    class GraphQLEndpoint(controller):  # type: ignore[misc, valid-type]
        """Strawberry's controller, its responses encoded by msgspec (eight times quicker
        than ``json.dumps`` on a tile of 400 values: a tenth of a kept response's time)."""

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
    handlers = [GraphQLEndpoint, health_handler(hub.db), *report_handlers(hub, authenticator)]
    state = State({"response_cache": responses})
    return Litestar(
        route_handlers=handlers,
        cors_config=cors,
        state=state,
        request_max_body_size=server.max_body_bytes,
    )


def health_handler(db: Database) -> HTTPRouteHandler:
    """``GET /health``: 200 when the database answers, 503 when it does not."""

    @get("/health", media_type=MediaType.JSON)
    async def health() -> Response[dict[str, str]]:
        if await anyio.to_thread.run_sync(database_answers, db):
            return Response({"status": "ok", "database": "ok"})
        return Response({"status": "unavailable", "database": "unreachable"}, status_code=503)

    return health


def database_answers(db: Database) -> bool:
    try:
        with db.engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except Exception:  # any failure to reach the database means "not healthy"
        log.warning("health check: the database does not answer", exc_info=True)
        return False
    return True


def is_subscription(query: str | None, operation_name: str | None) -> bool:
    """Whether the operation a request would run is a subscription."""
    if not query or "subscription" not in query:
        return False
    try:
        operation = get_operation_ast(parse(query), operation_name)
    except GraphQLError:  # a syntax error: the execution reports it
        return False
    return operation is not None and operation.operation is OperationType.SUBSCRIPTION
