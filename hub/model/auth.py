"""Access control: the API tokens issued to people and services, and the audit log.

A token is stored as the SHA-256 hash of its secret only (the secret is shown once, when it
is created), with a short prefix to recognise it by, an expiry and a revocation time. The
audit log has one row per mutation asked of the API: who, when, what, from where, outcome.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import String, Text
from sqlalchemy.orm import Mapped, mapped_column

from hub.model.base import Base, JSONValue, utcnow


class ApiToken(Base):
    """An opaque bearer token for one principal (a person or a service)."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    """Who holds it, as the audit log and report history record it."""
    role: Mapped[str] = mapped_column(String(30))
    units: Mapped[list[str]] = mapped_column(JSONValue, default=list)
    """The codes of the units whose territory it covers; empty for everywhere."""
    sectors: Mapped[list[str]] = mapped_column(JSONValue, default=list)
    """The sectors it covers; empty for every sector."""
    purpose: Mapped[str | None] = mapped_column(Text)
    prefix: Mapped[str] = mapped_column(String(16))
    """The first characters of the secret, to recognise it in listings."""
    secret_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]
    last_used_at: Mapped[datetime | None]


class AuditEntry(Base):
    """One mutation asked of the API, written in the same transaction when it succeeds."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    actor: Mapped[str] = mapped_column(String(200), index=True)
    role: Mapped[str] = mapped_column(String(30))
    via: Mapped[str] = mapped_column(String(60))
    """How they authenticated: ``token:<id>``, ``jwt:<issuer>``, ``anonymous`` or ``cli``."""
    action: Mapped[str] = mapped_column(String(100), index=True)
    target: Mapped[dict[str, Any]] = mapped_column(JSONValue, default=dict)
    """The arguments of the mutation (values of report cells are left out)."""
    client: Mapped[str | None] = mapped_column(String(100))
    """The address the request came from."""
    outcome: Mapped[str] = mapped_column(String(30))
    """``ok``, or the error code it was refused with (e.g. ``FORBIDDEN``)."""
