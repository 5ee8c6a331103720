"""The audit log in the API: ``auditLog``, for admins."""

from __future__ import annotations

from datetime import datetime

import strawberry
from strawberry.scalars import JSON

from hub import model
from hub.auth import audit
from hub.auth.principal import Action
from hub.graphql.access import require
from hub.graphql.context import Info
from hub.graphql.errors import BadUserInput
from hub.graphql.pagination import PageInfo, decode_cursor, encode_cursor, page_info, page_size
from hub.graphql.sessions import read

CURSOR_KIND = "audit"


@strawberry.type(description="One mutation asked of the API: who, when, what, from where.")
class AuditEntry:
    id: strawberry.ID
    at: datetime
    actor: str
    role: str
    via: str = strawberry.field(description="token:<id>, jwt:<issuer>, anonymous or cli.")
    action: str = strawberry.field(description="The mutation (or CLI command), e.g. approveReport.")
    target: JSON = strawberry.field(description="Its arguments (large inputs as their size).")
    client: str | None = strawberry.field(description="The address the request came from.")
    outcome: str = strawberry.field(description="ok, or the error code it was refused with.")

    @classmethod
    def from_row(cls, row: model.AuditEntry) -> AuditEntry:
        return cls(
            id=strawberry.ID(str(row.id)),
            at=row.at,
            actor=row.actor,
            role=row.role,
            via=row.via,
            action=row.action,
            target=row.target,
            client=row.client,
            outcome=row.outcome,
        )


@strawberry.type
class AuditEntryEdge:
    cursor: str
    node: AuditEntry


@strawberry.type
class AuditEntryConnection:
    edges: list[AuditEntryEdge]
    page_info: PageInfo


@strawberry.type
class AuditQuery:
    @strawberry.field(description="The audit log, newest first (admins only).")
    async def audit_log(
        self,
        info: Info,
        actor: str | None = None,
        action: str | None = None,
        since: datetime | None = None,
        first: int | None = 50,
        after: str | None = None,
    ) -> AuditEntryConnection:
        await require(info, Action.READ_AUDIT)
        size = page_size(first, default=50)
        before_id = None if after is None else _cursor_key(after)
        rows = await read(
            info.context.hub.db,
            lambda session: audit.entries(session, actor, action, since, before_id, size + 1),
        )
        edges = [
            AuditEntryEdge(cursor=encode_cursor(CURSOR_KIND, row.id), node=AuditEntry.from_row(row))
            for row in rows[:size]
        ]
        return AuditEntryConnection(
            edges=edges,
            page_info=page_info([edge.cursor for edge in edges], len(rows) > size, after),
        )


def _cursor_key(cursor: str) -> int:
    (row_id,) = decode_cursor(CURSOR_KIND, cursor, 1)
    if not isinstance(row_id, int):
        raise BadUserInput(f"malformed cursor {cursor!r}: pass an endCursor of auditLog")
    return row_id
