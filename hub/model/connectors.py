"""Connectors, their sync runs, their saved state, and the records they quarantined."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import Boolean, ForeignKey, Integer, String, Text
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
    """``schedule``, ``manual``, ``api`` or ``import``."""
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None]
    records_read: Mapped[int] = mapped_column(Integer, default=0)
    records_written: Mapped[int] = mapped_column(Integer, default=0)
    records_quarantined: Mapped[int] = mapped_column(Integer, default=0)
    records_skipped: Mapped[int] = mapped_column(Integer, default=0)
    """Records the connector read and left out on purpose, each for a reason (see ``skipped``)."""
    records_duplicate: Mapped[int] = mapped_column(Integer, default=0)
    """Records whose key an earlier record of the same run had: the later one is kept."""
    records_placed: Mapped[int] = mapped_column(Integer, default=0)
    """Records of a retired unit code, placed on the unit it went into (a succession)."""
    skipped: Mapped[dict[str, int] | None] = mapped_column(JSONValue)
    """How many records were skipped, by reason."""
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
    __tablename__ = "quarantine"

    id: Mapped[int] = mapped_column(primary_key=True)
    connector_id: Mapped[str] = mapped_column(ForeignKey("connectors.id"), index=True)
    sync_run_id: Mapped[int] = mapped_column(ForeignKey("sync_runs.id"), index=True)
    received_at: Mapped[datetime] = mapped_column(default=utcnow)
    reason: Mapped[str] = mapped_column(Text)
    place: Mapped[str | None] = mapped_column(Text)
    payload: Mapped[Any] = mapped_column(JSONValue)
