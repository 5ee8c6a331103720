"""The one place the API turns a request into a principal and its scope.

Every root resolver starts with ``scope = await scope_of(info)`` (or :func:`require`): the
first call of a request authenticates it (UNAUTHENTICATED if that fails) and resolves the
principal's :class:`~hub.auth.scope.Scope`; later calls reuse both. The loaders of nested
fields read the same scope (:meth:`Access.current_scope`) and drop every row outside it, so a
path like ``unit.parent.children`` can never leave the territory.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any, TypeVar

import anyio
import anyio.to_thread
from strawberry.extensions import SchemaExtension

from hub.auth import audit
from hub.auth.authenticate import Authenticator, NotAuthenticated, RateLimited, bearer_of
from hub.auth.clients import client_address
from hub.auth.principal import Action, Principal, refusal
from hub.auth.scope import NOTHING, Scope, resolve_scope
from hub.graphql.errors import (
    ApiError,
    Forbidden,
    RateLimitExceeded,
    Unauthenticated,
    refuse,
)
from hub.graphql.sessions import read, write

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from hub.core import Hub
    from hub.graphql.context import HubContext, Info

T = TypeVar("T")

STANDING_CHECK_SECONDS = 1.0
"""How often a live subscription checks that its credential still stands."""


@dataclass
class Access:
    """Who a request (or a WebSocket connection) is, found once and kept.

    A WebSocket carries many operations: each after the first checks again that the
    credential stands and counts against the rate (:meth:`begin_operation`), and a live
    subscription checks it while it waits (:meth:`check_standing`).
    """

    hub: Hub
    authenticator: Authenticator
    today: date
    principal: Principal | None = None
    scope: Scope | None = None
    client: str | None = None
    lock: anyio.Lock = field(default_factory=anyio.Lock)

    def current_scope(self) -> Scope:
        """The resolved scope, or one that sees nothing if the request is not authenticated."""
        return self.scope or NOTHING

    async def resolve(self, credential: str | None, client: str | None) -> tuple[Principal, Scope]:
        """Authenticate once and resolve the scope; UNAUTHENTICATED if it fails."""
        async with self.lock:
            if self.principal is None or self.scope is None:
                principal, scope, _ = await _signed_in(self._sign_in, credential, client, None)
                self.principal, self.scope, self.client = principal, scope, client
        return self.principal, self.scope

    async def resolve_and_read(
        self, credential: str | None, client: str | None, query: Callable[[Session], T]
    ) -> tuple[Principal, Scope, T]:
        """As :meth:`resolve`, and what ``query`` reads: on the first use, in the same worker
        thread and session as the scope (one hop per request where there were three)."""
        async with self.lock:
            if self.principal is None or self.scope is None:
                principal, scope, found = await _signed_in(self._sign_in, credential, client, query)
                self.principal, self.scope, self.client = principal, scope, client
                return principal, scope, found  # type: ignore[return-value]
        return self.principal, self.scope, await read(self.hub.db, query)

    def _sign_in(
        self, credential: str | None, client: str | None, query: Callable[[Session], T] | None
    ) -> tuple[Principal, Scope, T | None]:
        principal = self.authenticator.principal(credential, client)
        with self.hub.db.sessions() as session:
            scope = resolve_scope(session, principal, self.today, self.hub.definitions)
            return principal, scope, query(session) if query is not None else None

    async def begin_operation(self) -> None:
        """A new operation of a connection signed in already: UNAUTHENTICATED if its
        credential expired or was revoked since, RATE_LIMITED past the principal's rate."""
        principal = self.principal
        if principal is None:
            return  # not signed in yet: the operation's first field signs in

        def check() -> None:
            self.authenticator.check_standing(principal, self.client)
            self.authenticator.count_request(principal, self.client)

        await _signed_in(check)

    async def check_standing(self) -> None:
        """UNAUTHENTICATED if the credential expired or was revoked (a live subscription's
        check while it waits)."""
        if self.principal is not None:
            await _signed_in(self.authenticator.check_standing, self.principal, self.client)


async def _signed_in(check: Callable[..., T], *args: Any) -> T:
    """Run an authenticator's check in a worker thread, its refusal as the API's error."""
    try:
        return await anyio.to_thread.run_sync(check, *args)
    except NotAuthenticated as exc:
        raise Unauthenticated(str(exc)) from None
    except RateLimited as exc:
        raise RateLimitExceeded(str(exc)) from None


class OperationAccess(SchemaExtension):
    """Before each operation, a connection signed in already is checked again (WebSocket)."""

    async def on_execute(self) -> AsyncIterator[None]:
        try:
            await self.execution_context.context.access.begin_operation()
        except ApiError as exc:
            refuse(self.execution_context, exc)
        yield


async def while_signed_in(info: Info, queue: asyncio.Queue[T]) -> T:
    """The next row of a subscription's queue, the credential checked before it and every
    :data:`STANDING_CHECK_SECONDS` while it waits: UNAUTHENTICATED, which ends the
    subscription, once it expired or was revoked."""
    access = info.context.access
    while True:
        await access.check_standing()
        with anyio.move_on_after(STANDING_CHECK_SECONDS):
            return await queue.get()


async def scope_of(info: Info) -> Scope:
    """The caller's scope (authenticating the request on first use)."""
    return (await caller_of(info.context))[1]


async def principal_of(info: Info) -> Principal:
    """The caller (authenticating the request on first use)."""
    return (await caller_of(info.context))[0]


async def require(info: Info, action: Action) -> tuple[Principal, Scope]:
    """The caller and its scope; FORBIDDEN unless its role allows ``action``."""
    principal, scope = await caller_of(info.context)
    if not principal.may(action):
        raise Forbidden(refusal(principal.role, action))
    return principal, scope


async def caller_of(context: HubContext) -> tuple[Principal, Scope]:
    """The caller of a request and its scope (authenticating the request on first use)."""
    principal, scope = await context.access.resolve(_credential(context), _client(context))
    context.viewer = principal
    return principal, scope


async def caller_reading(
    context: HubContext, query: Callable[[Session], T]
) -> tuple[Principal, Scope, T]:
    """As :func:`caller_of`, and what ``query`` reads: in the same worker thread when this
    call authenticates the request, in a hop of its own when an earlier one did."""
    access = context.access
    principal, scope, found = await access.resolve_and_read(
        _credential(context), _client(context), query
    )
    context.viewer = principal
    return principal, scope, found


def _credential(context: HubContext) -> str | None:
    """The bearer credential a request or WebSocket presents, if any."""
    connection = context.request or context.websocket
    if connection is None:
        return None
    return bearer_of(connection.headers, context.connection_params)


def _client(context: Any) -> str | None:
    """The address of the client behind the request or WebSocket of the context."""
    connection = context.request or context.websocket
    if connection is None:
        return None
    peer = connection.client.host if connection.client else None
    trusted = context.hub.settings.server.trusted_proxies
    return client_address(peer, connection.headers, trusted)


def client_of(info: Info) -> str | None:
    return _client(info.context)


async def audited_write(
    info: Info, action: str, target: Mapping[str, Any], change: Callable[[Session], T]
) -> T:
    """Run a mutation's ``change`` in one transaction with its audit row.

    A refusal (an API error) is written to the log on its own, then raised.
    """
    principal = await principal_of(info)
    client = client_of(info)

    def change_and_record(session: Session) -> T:
        result = change(session)
        audit.record(session, principal, action, target, client)
        return result

    try:
        return await write(info.context.hub.db, change_and_record)
    except ApiError as exc:
        await audit_refusal(info, principal, action, target, exc.code)
        raise


async def audited_run(
    info: Info,
    action: str,
    target: Mapping[str, Any],
    start: Callable[[Callable[[Session, Any], None]], T],
) -> T:
    """Run a mutation that starts a sync run (``runConnector``, ``publishReportingCompliance``)
    in a worker thread: ``start(add_row)`` passes ``add_row`` as the run's ``on_start``, so
    the audit row, with the run's id, is committed with the run's start. A refusal (an API
    error) is written to the log on its own, then raised."""
    principal = await principal_of(info)
    client = client_of(info)

    def add_row(session: Session, run: Any) -> None:
        audit.record(session, principal, action, {**target, "run": run.id}, client)

    try:
        return await anyio.to_thread.run_sync(start, add_row)
    except ApiError as exc:
        await audit_refusal(info, principal, action, target, exc.code)
        raise


async def audit_refusal(
    info: Info, principal: Principal, action: str, target: Mapping[str, Any], code: str
) -> None:
    """Write the audit row of a mutation that was refused."""
    client = client_of(info)
    await write(
        info.context.hub.db,
        lambda session: audit.record(session, principal, action, target, client, outcome=code),
    )


async def audited_permission(
    info: Info, action: Action, name: str, target: Mapping[str, Any]
) -> tuple[Principal, Scope]:
    """Like :func:`require`, but a refusal is written to the audit log."""
    principal, scope = await caller_of(info.context)
    if not principal.may(action):
        await audit_refusal(info, principal, name, target, Forbidden.code)
        raise Forbidden(refusal(principal.role, action))
    return principal, scope
