"""The audit log: one row per mutation asked of the API (who, when, what, from where).

A mutation that succeeds writes its row in its own transaction (:func:`record`), so a change
is never stored without its row nor the row without the change. One refused (forbidden, bad
input, conflict) is written on its own, with the error code as the outcome.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.auth.principal import Principal
from hub.model import AuditEntry
from hub.model.base import utcnow

MAX_TEXT = 500
LEFT_OUT = {"values", "definition"}
"""Arguments too large or too sensitive to copy: only their size is recorded."""


def record(
    session: Session,
    principal: Principal,
    action: str,
    target: Mapping[str, Any],
    client: str | None,
    outcome: str = "ok",
) -> AuditEntry:
    """Add the audit row of one mutation to the session's transaction."""
    entry = AuditEntry(
        at=utcnow(),
        actor=storable(principal.name, 200),
        role=principal.role.value,
        via=principal.via[:60],
        action=action[:100],
        target=summarised(target),
        client=(client or None) and storable(client, 100),
        outcome=outcome[:30],
    )
    session.add(entry)
    return entry


def record_refused_sign_in(
    session: Session, credential: str, reason: str, client: str | None, outcome: str = ""
) -> AuditEntry:
    """Add the audit row of a sign-in that failed: the kind of credential and why."""
    entry = AuditEntry(
        at=utcnow(),
        actor="(not signed in)",
        role="none",
        via=credential[:60],
        action="signIn",
        target={"reason": storable(reason)},
        client=(client or None) and storable(client, 100),
        outcome=outcome or "UNAUTHENTICATED",
    )
    session.add(entry)
    return entry


def summarised(target: Mapping[str, Any]) -> dict[str, Any]:
    """The arguments as the log keeps them: short texts, big inputs as their size."""
    kept: dict[str, Any] = {}
    for key, value in target.items():
        if key in LEFT_OUT:
            kept[key] = f"<{len(value) if hasattr(value, '__len__') else 1} items>"
        elif isinstance(value, str):
            kept[key] = storable(value)
        elif value is None or isinstance(value, bool | int | float):
            kept[key] = value
        else:
            kept[key] = storable(str(value))
    return kept


def storable(text: str, limit: int = MAX_TEXT) -> str:
    """A text as the log keeps it: at most MAX_TEXT characters, a NUL character spelt out
    (PostgreSQL stores none, and a refusal must be logged whatever the caller sent)."""
    return text[:limit].replace("\x00", "\\u0000")


def entries(
    session: Session,
    actor: str | None = None,
    action: str | None = None,
    since: datetime | None = None,
    before_id: int | None = None,
    limit: int = 50,
) -> list[AuditEntry]:
    """Audit rows, newest first, filtered by who, what and since when."""
    query = select(AuditEntry)
    if actor is not None:
        query = query.where(AuditEntry.actor == actor)
    if action is not None:
        query = query.where(AuditEntry.action == action)
    if since is not None:
        query = query.where(AuditEntry.at >= since)
    if before_id is not None:
        query = query.where(AuditEntry.id < before_id)
    return list(session.scalars(query.order_by(AuditEntry.id.desc()).limit(limit)))
