"""Roll-ups: observations aggregated ahead of time, kept up to date on ingest.

They are derived data: everything here can be rebuilt from the observations
(:func:`hub.aggregation.rebuild`). See docs/aggregation.md for how they are read and kept.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Float, Integer, SmallInteger, String
from sqlalchemy.orm import Mapped, mapped_column

from hub.model.base import Base, JSONValue, utcnow


class Rollup(Base):
    """What every unit beneath one unit holds of one metric, for one period, cell and era.

    Each unit's values aggregated over the period first (time first), then added up.
    ``dims_key`` is a cell's key (as on observations), or ``*`` for all cells together.
    ``era`` is the map the values were recorded on: 0 before the first reform, 1 after it…

    A unit's own values are not copied here: they are read from the observations (the
    source chosen as :mod:`hub.aggregation.observations` says).
    """

    __tablename__ = "rollups"

    metric_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    unit_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    calendar: Mapped[str] = mapped_column(String(10), primary_key=True)
    period_type: Mapped[str] = mapped_column(String(10), primary_key=True)
    period: Mapped[str] = mapped_column(String(12), primary_key=True)
    dims_key: Mapped[str] = mapped_column(String(300), primary_key=True)
    era: Mapped[int] = mapped_column(SmallInteger, primary_key=True)
    total: Mapped[float] = mapped_column(Float)
    """The sum of the values behind this row."""
    cells: Mapped[int] = mapped_column(Integer)
    """How many (unit, cell) values are behind ``total``: the divisor of a mean."""
    units: Mapped[int] = mapped_column(Integer)
    """How many units are behind ``total``."""
    days: Mapped[int] = mapped_column(Integer)
    """The days the values cover, summed over the cells: weighs eras in a mean over time."""
    low: Mapped[float | None] = mapped_column(Float)
    high: Mapped[float | None] = mapped_column(Float)


class RollupMetric(Base):
    """What a metric's roll-ups were built with, and what its observations hold."""

    __tablename__ = "rollup_metrics"

    metric_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    signature: Mapped[str] = mapped_column(String(300))
    """The definition and hierarchy the roll-ups follow; when it changes, they are rebuilt."""
    period_kinds: Mapped[list[Any]] = mapped_column(JSONValue)
    """The ``CALENDAR:TYPE`` pairs observed, e.g. ``GREGORIAN:MONTH``."""
    levels: Mapped[list[Any]] = mapped_column(JSONValue)
    """The levels of the units that reported it."""
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
