"""Connectors, their sync runs, their saved state, and the records they quarantined."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import Boolean, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from hub.model.base import Base, JSONValue, utcnow


class RunStatus(StrEnum):
    RUNNING = "RUNNING"
    SUCCEEDED = "SUCCEEDED"
    PARTIAL = "PARTIAL"  # succeeded, but some records were quarantined
    FAILED = "FAILED"


class ConnectorRow(Base):
    """A configured connector. The config file is the truth; ``enabled`` may be overridden."""

    __tablename__ = "connectors"

    id: Mapped[str] = mapped_column(String(100), primary_key=True)
    plugin: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(100))
    enabled: Mapped[bool] = mapped_column(Boolean)
    enabled_override: Mapped[bool | None] = mapped_column(Boolean)
    """Set by ``setConnectorEnabled``; wins over the config file until cleared."""
    schedule: Mapped[str | None] = mapped_column(String(100))


class SyncRun(Base):
    __tablename__ = "sync_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    connector_id: Mapped[str] = mapped_column(ForeignKey("connectors.id"), index=True)
    status: Mapped[RunStatus] = mapped_column(String(10))
    full: Mapped[bool] = mapped_column(Boolean, default=False)
    trigger: Mapped[str] = mapped_column(String(20))
    """``schedule``, ``resume``, ``stream``, ``manual``, ``api`` or ``import``."""
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None]
    records_read: Mapped[int] = mapped_column(Integer, default=0)
    records_written: Mapped[int] = mapped_column(Integer, default=0)
    records_quarantined: Mapped[int] = mapped_column(Integer, default=0)
    attempts: Mapped[int] = mapped_column(Integer, default=1)
    error: Mapped[str | None] = mapped_column(Text)


class ConnectorState(Base):
    """The state of a connector's last checkpoint: one row per connector, replaced each time."""

    __tablename__ = "connector_states"

    connector_id: Mapped[str] = mapped_column(ForeignKey("connectors.id"), primary_key=True)
    state: Mapped[dict[str, Any]]
    sync_run_id: Mapped[int | None] = mapped_column(ForeignKey("sync_runs.id"))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class QuarantinedRecord(Base):
    """A record a connector could not take, once per source record and reason.

    The same record quarantined again for the same reason (run after run, until someone
    fixes the source or the config) updates its row: ``times_seen``, ``last_seen_at`` and
    ``sync_run_id`` (the run that saw it last); see :mod:`hub.quarantine.store`.
    """

    __tablename__ = "quarantine"
    __table_args__ = (UniqueConstraint("connector_id", "record_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    connector_id: Mapped[str] = mapped_column(ForeignKey("connectors.id"), index=True)
    record_key: Mapped[str] = mapped_column(String(64))
    """The SHA-256 of the reason and the payload: the row's identity within its connector."""
    sync_run_id: Mapped[int] = mapped_column(ForeignKey("sync_runs.id"), index=True)
    received_at: Mapped[datetime] = mapped_column(default=utcnow)
    """When it was first quarantined."""
    last_seen_at: Mapped[datetime] = mapped_column(default=utcnow)
    times_seen: Mapped[int] = mapped_column(Integer, default=1)
    reason: Mapped[str] = mapped_column(Text)
    place: Mapped[str | None] = mapped_column(Text)
    payload: Mapped[Any] = mapped_column(JSONValue)
