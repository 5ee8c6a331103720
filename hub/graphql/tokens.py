"""API tokens in the API, for admins: list them, issue one (its secret shown once), revoke one.

The same rules as ``iochub token``: :mod:`hub.auth.tokens` checks the role's scope and that
the units exist today; every issue and revocation is in the audit log.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import strawberry
from sqlalchemy.orm import Session

from hub import model
from hub.auth.principal import Action, InvalidPrincipal, parse_role
from hub.auth.tokens import (
    TokenError,
    issue_token,
    list_tokens,
    require_known_sectors,
    revoke_token,
)
from hub.graphql.access import audited_permission, audited_write, require
from hub.graphql.context import Info
from hub.graphql.errors import BadUserInput, NotFound
from hub.graphql.pagination import PageInfo, decode_cursor, encode_cursor, page_info, page_size
from hub.graphql.sessions import read

CURSOR_KIND = "token"


@strawberry.type(description="An API token, without its secret (stored hashed).")
class ApiToken:
    id: strawberry.ID
    name: str
    role: str
    units: list[str]
    sectors: list[str]
    purpose: str | None
    prefix: str = strawberry.field(description="The secret's first characters, to tell it.")
    created_at: datetime
    expires_at: datetime
    revoked_at: datetime | None
    last_used_at: datetime | None

    @classmethod
    def from_row(cls, row: model.ApiToken) -> ApiToken:
        return cls(
            id=strawberry.ID(str(row.id)),
            name=row.name,
            role=row.role,
            units=list(row.units),
            sectors=list(row.sectors),
            purpose=row.purpose,
            prefix=row.prefix,
            created_at=row.created_at,
            expires_at=row.expires_at,
            revoked_at=row.revoked_at,
            last_used_at=row.last_used_at,
        )


@strawberry.type
class ApiTokenEdge:
    cursor: str
    node: ApiToken


@strawberry.type
class ApiTokenConnection:
    edges: list[ApiTokenEdge]
    page_info: PageInfo


@strawberry.type(description="A token just issued: its secret is shown this once.")
class IssuedApiToken:
    token: ApiToken
    secret: str


@strawberry.type
class TokenQuery:
    @strawberry.field(description="The API tokens, newest first (admins only).")
    async def api_tokens(
        self, info: Info, first: int | None = 50, after: str | None = None
    ) -> ApiTokenConnection:
        await require(info, Action.CONFIGURE)
        size = page_size(first, default=50)
        before_id = None if after is None else _cursor_key(after)
        rows = await read(
            info.context.hub.db, lambda session: list_tokens(session, before_id, size + 1)
        )
        edges = [
            ApiTokenEdge(cursor=encode_cursor(CURSOR_KIND, row.id), node=ApiToken.from_row(row))
            for row in rows[:size]
        ]
        return ApiTokenConnection(
            edges=edges,
            page_info=page_info([edge.cursor for edge in edges], len(rows) > size, after),
        )


@strawberry.type
class TokenMutation:
    @strawberry.mutation(description="Issue a token (admins only); its secret is shown once.")
    async def create_api_token(
        self,
        info: Info,
        name: str,
        role: str,
        units: list[str] | None = None,
        sectors: list[str] | None = None,
        purpose: str | None = None,
        days: int | None = None,
    ) -> IssuedApiToken:
        target = {"name": name, "role": role, "units": units or [], "sectors": sectors or []}
        await audited_permission(info, Action.CONFIGURE, "createApiToken", target)
        lifetime = timedelta(days=days or info.context.hub.settings.auth.token_days)

        def issue(session: Session) -> IssuedApiToken:
            try:
                require_known_sectors(info.context.hub, sectors or ())
                issued = issue_token(
                    session,
                    name.strip(),
                    parse_role(role),
                    tuple(units or ()),
                    tuple(sectors or ()),
                    purpose,
                    lifetime,
                )
            except (InvalidPrincipal, TokenError) as exc:
                raise BadUserInput(str(exc)) from None
            return IssuedApiToken(token=ApiToken.from_row(issued.row), secret=issued.secret)

        return await audited_write(info, "createApiToken", target, issue)

    @strawberry.mutation(description="Revoke a token (admins only); it is refused at once.")
    async def revoke_api_token(self, info: Info, id: strawberry.ID) -> ApiToken:
        target = {"id": str(id)}
        await audited_permission(info, Action.CONFIGURE, "revokeApiToken", target)

        def revoke(session: Session) -> ApiToken:
            if not str(id).isdigit():
                raise NotFound(f"no token has the id {id!r}")
            try:
                return ApiToken.from_row(revoke_token(session, str(id)))
            except TokenError as exc:
                raise NotFound(str(exc)) from None

        return await audited_write(info, "revokeApiToken", target, revoke)


def _cursor_key(cursor: str) -> int:
    (row_id,) = decode_cursor(CURSOR_KIND, cursor, 1)
    if not isinstance(row_id, int):
        raise BadUserInput(f"malformed cursor {cursor!r}: pass an endCursor of apiTokens")
    return row_id
