"""Observations: one value of one metric, unit, period and disaggregation, from one source."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Date, Float, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from hub.model.base import Base, utcnow


class Observation(Base):
    __tablename__ = "observations"
    __table_args__ = (
        Index(
            "uq_observation_natural_key",
            "metric_id",
            "unit_id",
            "calendar",
            "period",
            "dims_key",
            "source",
            unique=True,
        ),
        Index("ix_observation_metric_period", "metric_id", "period_start"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    metric_id: Mapped[int] = mapped_column(ForeignKey("metrics.id"))
    unit_id: Mapped[int] = mapped_column(ForeignKey("admin_units.id"), index=True)
    calendar: Mapped[str] = mapped_column(String(10))
    period_type: Mapped[str] = mapped_column(String(10))
    period: Mapped[str] = mapped_column(String(12))
    """The canonical period id: ``2026-03-05``, ``2026-W10``, ``2026-03``, ``2026-Q1``, …"""
    period_start: Mapped[date] = mapped_column(Date)
    period_end: Mapped[date] = mapped_column(Date)
    dims_key: Mapped[str] = mapped_column(String(300))
    """The disaggregation as sorted ``name=value`` pairs joined by ``|``; empty for a total."""
    dims: Mapped[dict[str, Any]]
    value: Mapped[float | None] = mapped_column(Float)
    source: Mapped[str] = mapped_column(String(100))
    source_record_id: Mapped[str | None] = mapped_column(String(300))
    sync_run_id: Mapped[int | None] = mapped_column(Integer, index=True)
    """The run that wrote it: a ``sync_runs`` id, not checked by the database (the hub
    writes its own runs' ids, and the check cost a quarter of the server's work on a load)."""
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
