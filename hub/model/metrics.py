"""Metrics, indicators and event kinds, as registered by plugins and the config file.

The definitions live in code and config; these tables mirror them (refreshed at start) so
that observations can reference them and queries can join them.
"""

from __future__ import annotations

from sqlalchemy import Boolean, Float, Integer, String, Text, false
from sqlalchemy.orm import Mapped, mapped_column

from hub.model.base import Base, JSONValue


class Metric(Base):
    __tablename__ = "metrics"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(100), unique=True)
    name: Mapped[str] = mapped_column(String(300))
    unit: Mapped[str | None] = mapped_column(String(50))
    sector: Mapped[str] = mapped_column(String(50), index=True)
    aggregation: Mapped[str] = mapped_column(String(20))
    disaggregations: Mapped[list[str]] = mapped_column(JSONValue)
    carry_forward_months: Mapped[int | None] = mapped_column(Integer)
    levels_add_up: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    """Whether the figures of every level add up (see ``MetricDefinition.levels_add_up``)."""
    description: Mapped[str | None] = mapped_column(Text)
    origin: Mapped[str] = mapped_column(String(100))
    """The plugin that defines it, or ``config``."""


class Indicator(Base):
    __tablename__ = "indicators"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(100), unique=True)
    name: Mapped[str] = mapped_column(String(300))
    numerator: Mapped[str] = mapped_column(Text)
    denominator: Mapped[str | None] = mapped_column(Text)
    factor: Mapped[float] = mapped_column(Float, default=1.0)
    sector: Mapped[str | None] = mapped_column(String(50), index=True)
    unit: Mapped[str | None] = mapped_column(String(50))
    description: Mapped[str | None] = mapped_column(Text)
    origin: Mapped[str] = mapped_column(String(100))


class EventKind(Base):
    __tablename__ = "event_kinds"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(100), unique=True)
    name: Mapped[str] = mapped_column(String(300))
    sector: Mapped[str] = mapped_column(String(50))
    origin: Mapped[str] = mapped_column(String(100))
