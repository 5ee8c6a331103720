"""The operator's routes (``/health``, ``/health/live``, ``/health/ready``, ``/metrics``) and
the access log: one line per request, with its GraphQL operation, principal, status, time.
"""

from __future__ import annotations

import logging
import re
import time
import uuid
from typing import TYPE_CHECKING, Any

import anyio.to_thread
from litestar import Litestar, MediaType, Request, Response, get
from litestar.handlers import HTTPRouteHandler
from litestar.types import ASGIApp, Message, Receive, Scope, Send

from hub.auth.clients import client_address, is_within
from hub.observability import metrics
from hub.observability.health import connector_troubles, database_answers, pending_migrations

if TYPE_CHECKING:
    from hub.core import Hub
    from hub.graphql.response_cache import ResponseCache

access_log = logging.getLogger("hub.access")

OPERATION_KEY = "iochub.operation"
"""Where, in the ASGI scope, the GraphQL layer leaves the operation's name and caller."""
PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8"
REQUEST_ID_HEADER = b"x-request-id"
SANE_REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{1,64}")
"""A request id a client (or a proxy) may give: short, and safe in a log line."""
NO_ROUTE = "(no route)"
"""The metrics' operation label of a request no route answered."""


def operator_handlers(hub: Hub, responses: ResponseCache | None = None) -> list[HTTPRouteHandler]:
    """The health routes and ``/metrics`` of ``hub`` (and of the responses its app keeps)."""
    registry = metrics.hub_registry(hub, responses)

    @get("/health/live", media_type=MediaType.JSON)
    async def live() -> dict[str, str]:
        """The process answers (for a liveness probe: restart it when this fails)."""
        return {"status": "ok"}

    @get("/health/ready", media_type=MediaType.JSON)
    async def ready() -> Response[dict[str, Any]]:
        """The database answers and its schema is at the newest migration (503 otherwise)."""
        return await anyio.to_thread.run_sync(_readiness, hub)

    @get("/health", media_type=MediaType.JSON)
    async def health() -> Response[dict[str, Any]]:
        """Ready, and the connectors: ``degraded`` (still 200) when some need looking at."""
        return await anyio.to_thread.run_sync(_health, hub)

    @get("/metrics", media_type=PROMETHEUS_TEXT)
    async def prometheus(request: Request[Any, Any, Any]) -> Response[bytes]:
        """Prometheus' text format, for the addresses of ``[monitoring] allow``."""
        peer = request.client.host if request.client else None
        client = client_address(peer, request.headers, hub.settings.server.trusted_proxies)
        if not is_within(client, hub.settings.monitoring.allow):
            return Response(
                b"forbidden: add this address to [monitoring] allow\n",
                status_code=403,
                media_type=MediaType.TEXT,
            )
        text = await anyio.to_thread.run_sync(metrics.exposition, registry)
        return Response(text, media_type=PROMETHEUS_TEXT)

    return [live, ready, health, prometheus]


def _readiness(hub: Hub) -> Response[dict[str, Any]]:
    if not database_answers(hub.db):
        return Response({"status": "unavailable", "database": "unreachable"}, status_code=503)
    try:
        pending = pending_migrations(hub)
    except Exception:  # the database went away between the two questions
        access_log.warning("readiness: the migrations could not be read", exc_info=True)
        return Response({"status": "unavailable", "database": "unreachable"}, status_code=503)
    if pending:
        body = {"status": "unavailable", "database": "ok", "migrations": "pending"}
        return Response({**body, "pending": pending}, status_code=503)
    return Response({"status": "ok", "database": "ok", "migrations": "ok"})


def _health(hub: Hub) -> Response[dict[str, Any]]:
    if not database_answers(hub.db):
        return Response({"status": "unavailable", "database": "unreachable"}, status_code=503)
    troubles = connector_troubles(hub)
    body: dict[str, Any] = {"status": "degraded" if troubles else "ok", "database": "ok"}
    if troubles:
        body["connectors"] = [trouble.as_json() for trouble in troubles]
    return Response(body)


def log_every_request(app: Litestar) -> Litestar:
    """Put :func:`access_logging` around the whole of ``app``, routing included, so that an
    answer no route gave (a 404, a 405, a refused CORS preflight) is logged and counted too
    (litestar's own middleware runs only once a route is found)."""
    app.asgi_handler = access_logging(app.asgi_handler)
    return app


def access_logging(app: ASGIApp) -> ASGIApp:
    """ASGI middleware: time each HTTP request, count it, and log it in one line, under a
    request id (the client's ``X-Request-ID`` if it is a sane one, else a new one) that the
    response carries back in its ``X-Request-ID`` header."""

    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await app(scope, receive, send)
            return
        started = time.perf_counter()
        request_id = _request_id(scope)
        status = 500

        async def sending(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = [*message.get("headers", ()), (REQUEST_ID_HEADER, request_id.encode())]
                message = {**message, "headers": headers}  # type: ignore[typeddict-item]
            await send(message)

        try:
            await app(scope, receive, sending)
        finally:
            _note_request(scope, status, time.perf_counter() - started, request_id)

    return middleware


def _request_id(scope: Scope) -> str:
    for name, value in scope["headers"]:
        if name == REQUEST_ID_HEADER:
            given = value.decode("latin-1")
            return given if SANE_REQUEST_ID.fullmatch(given) else uuid.uuid4().hex
    return uuid.uuid4().hex


def _note_request(scope: Scope, status: int, seconds: float, request_id: str) -> None:
    operation, principal = scope.get(OPERATION_KEY, (None, None))  # type: ignore[misc]
    path = scope["path"]
    # A route's template (/reports/templates/{name:str}), not each path: a bounded label.
    # A path no route matched is anybody's to choose: its label is its status alone.
    route = scope.get("path_template") or NO_ROUTE  # type: ignore[typeddict-item]
    metrics.api_requests.labels(operation or route, str(status)).observe(seconds)
    if not access_log.isEnabledFor(logging.INFO):
        return
    client = scope.get("client")
    access_log.info(
        "%s %s %s operation=%s principal=%s status=%d duration_ms=%.1f request_id=%s",
        client[0] if client else "-",
        scope["method"],
        path,
        operation or "-",
        principal or "-",
        status,
        seconds * 1000,
        request_id,
        extra={
            "http": {
                "client": client[0] if client else None,
                "method": scope["method"],
                "path": path,
                "operation": operation,
                "principal": principal,
                "status": status,
                "duration_ms": round(seconds * 1000, 1),
                "request_id": request_id,
            }
        },
    )
