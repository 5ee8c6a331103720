"""Observations: one value of one metric, unit, period and disaggregation, from one source."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Date, Float, ForeignKey, Index, Integer, String, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from hub.model.base import Base, utcnow

PARTS = JSON(none_as_null=True).with_variant(JSONB(none_as_null=True), "postgresql")
"""A JSON column whose None is SQL NULL (the partial index holds only the rows with parts)."""


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
        Index(
            "ix_observation_parts",
            "metric_id",
            "source",
            sqlite_where=text("parts IS NOT NULL"),
            postgresql_where=text("parts IS NOT NULL"),
        ),
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
    parts: Mapped[dict[str, float] | None] = mapped_column(PARTS)
    """The values of each unit code the source gave for this unit, when it gave more than its
    own: the codes of units that went into it (see :mod:`hub.ingest.successions`), which
    ``value`` combines under the metric's rule. None (SQL NULL) for a value of one code."""
    sync_run_id: Mapped[int | None] = mapped_column(Integer, index=True)
    """The run that wrote it: a ``sync_runs`` id, not checked by the database (the hub
    writes its own runs' ids, and the check cost a quarter of the server's work on a load)."""
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
