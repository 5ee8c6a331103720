"""Alerts raised by alert rules, kept once per rule and cause, until someone acknowledges them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Float, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from hub.model.base import Base, utcnow


class Alert(Base):
    __tablename__ = "alerts"
    __table_args__ = (Index("uq_alert_cause", "rule", "cause", unique=True),)

    id: Mapped[int] = mapped_column(primary_key=True)
    rule: Mapped[str] = mapped_column(String(100))
    cause: Mapped[str] = mapped_column(String(200))
    """What raised it, unique per rule: ``event:<id>`` or ``<unit id>:<period>``."""
    severity: Mapped[int] = mapped_column(Integer)
    message: Mapped[str] = mapped_column(Text)
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("admin_units.id"), index=True)
    event_id: Mapped[int | None] = mapped_column(ForeignKey("events.id"))
    period: Mapped[str | None] = mapped_column(String(12))
    value: Mapped[float | None] = mapped_column(Float)
    raised_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    acknowledged_at: Mapped[datetime | None]
    acknowledged_by: Mapped[str | None] = mapped_column(String(200))
    note: Mapped[str | None] = mapped_column(Text)
