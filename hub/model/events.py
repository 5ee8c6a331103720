"""Events (dated things that happened somewhere) and facilities (places that report)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Float, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from hub.model.base import Base, utcnow


class Event(Base):
    __tablename__ = "events"
    __table_args__ = (
        Index("uq_event_source", "source", "source_id", unique=True),
        Index("ix_event_kind_time", "kind", "occurred_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    sector: Mapped[str] = mapped_column(String(50), index=True)
    kind: Mapped[str] = mapped_column(String(100))
    title: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str | None] = mapped_column(String(50))
    severity: Mapped[int | None] = mapped_column(Integer)
    occurred_at: Mapped[datetime] = mapped_column(index=True)
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("admin_units.id"), index=True)
    lat: Mapped[float | None] = mapped_column(Float)
    lon: Mapped[float | None] = mapped_column(Float)
    attributes: Mapped[dict[str, Any]]
    source: Mapped[str] = mapped_column(String(100))
    source_id: Mapped[str] = mapped_column(String(300))
    sync_run_id: Mapped[int | None] = mapped_column(ForeignKey("sync_runs.id"))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class Facility(Base):
    __tablename__ = "facilities"
    __table_args__ = (Index("uq_facility_source", "source", "source_id", unique=True),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(300))
    kind: Mapped[str] = mapped_column(String(100))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("admin_units.id"), index=True)
    lat: Mapped[float | None] = mapped_column(Float)
    lon: Mapped[float | None] = mapped_column(Float)
    attributes: Mapped[dict[str, Any]]
    source: Mapped[str] = mapped_column(String(100))
    source_id: Mapped[str] = mapped_column(String(300))
    sync_run_id: Mapped[int | None] = mapped_column(ForeignKey("sync_runs.id"))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
