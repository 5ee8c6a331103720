"""The one place the API turns a request into a principal and its scope.

Every root resolver starts with ``scope = await scope_of(info)`` (or :func:`require`): the
first call of a request authenticates it (UNAUTHENTICATED if that fails) and resolves the
principal's :class:`~hub.auth.scope.Scope`; later calls reuse both. The loaders of nested
fields read the same scope (:meth:`Access.current_scope`) and drop every row outside it, so a
path like ``unit.parent.children`` can never leave the territory.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any, TypeVar

import anyio
import anyio.to_thread

from hub.auth import audit
from hub.auth.authenticate import Authenticator, NotAuthenticated, RateLimited, bearer_of
from hub.auth.principal import Action, Principal, refusal
from hub.auth.scope import NOTHING, Scope, resolve_scope
from hub.graphql.errors import ApiError, Forbidden, RateLimitExceeded, Unauthenticated
from hub.graphql.sessions import read, write

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from hub.core import Hub
    from hub.graphql.context import HubContext, Info

T = TypeVar("T")


@dataclass
class Access:
    """Who a request (or a WebSocket connection) is, found once and kept."""

    hub: Hub
    authenticator: Authenticator
    today: date
    principal: Principal | None = None
    scope: Scope | None = None
    lock: anyio.Lock = field(default_factory=anyio.Lock)

    def current_scope(self) -> Scope:
        """The resolved scope, or one that sees nothing if the request is not authenticated."""
        return self.scope or NOTHING

    async def resolve(self, credential: str | None, client: str | None) -> tuple[Principal, Scope]:
        """Authenticate once and resolve the scope; UNAUTHENTICATED if it fails."""
        async with self.lock:
            if self.principal is None or self.scope is None:
                try:
                    principal = await anyio.to_thread.run_sync(
                        self.authenticator.principal, credential, client
                    )
                except NotAuthenticated as exc:
                    raise Unauthenticated(str(exc)) from None
                except RateLimited as exc:
                    raise RateLimitExceeded(str(exc)) from None
                hub, today = self.hub, self.today
                self.scope = await read(
                    hub.db,
                    lambda session: resolve_scope(session, principal, today, hub.definitions),
                )
                self.principal = principal
        return self.principal, self.scope


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
    headers, client = _origin(context)
    principal, scope = await context.access.resolve(
        bearer_of(headers, context.connection_params), client
    )
    context.viewer = principal
    return principal, scope


def _origin(context: Any) -> tuple[Mapping[str, str], str | None]:
    """The headers and client address of the request or WebSocket behind the context."""
    connection = context.request or context.websocket
    if connection is None:
        return {}, None
    client = connection.client.host if connection.client else None
    return connection.headers, client


def client_of(info: Info) -> str | None:
    return _origin(info.context)[1]


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
