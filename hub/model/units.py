"""Administrative units, effective-dated, and the successions between them.

A unit's identity is its GSO code *and* its validity interval: by law a code never changes,
but when units merge the merged unit keeps one of their codes, so a code can live on with a
different territory (23293 was Phường Thắng Lợi until 30 June 2025, Phường Kon Tum since).
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum

from sqlalchemy import Date, Float, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from hub.model.base import Base


class AdminLevel(StrEnum):
    PROVINCE = "PROVINCE"
    DISTRICT = "DISTRICT"
    COMMUNE = "COMMUNE"


class SuccessionKind(StrEnum):
    MERGE = "MERGE"  # the whole predecessor became part of the successor
    SPLIT = "SPLIT"  # the predecessor was divided; `weight` is the successor's share
    CONTINUE = "CONTINUE"  # same territory under a new record (e.g. a new parent)


class AdminUnit(Base):
    __tablename__ = "admin_units"
    __table_args__ = (Index("ix_admin_units_code_valid", "code", "valid_from"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    identity: Mapped[str] = mapped_column(String(40), unique=True)
    """``code@valid_from`` (``code@`` when the start is unknown): the natural key."""
    code: Mapped[str] = mapped_column(String(10))
    name: Mapped[str] = mapped_column(String(200))
    unit_type: Mapped[str | None] = mapped_column(String(40))
    """The legal type: Tỉnh, Thành phố, Huyện, Quận, Xã, Phường, Thị trấn, Đặc khu…"""
    level: Mapped[AdminLevel] = mapped_column(String(10), index=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("admin_units.id"), index=True)
    valid_from: Mapped[date | None] = mapped_column(Date)
    valid_to: Mapped[date | None] = mapped_column(Date)
    lat: Mapped[float | None] = mapped_column(Float)
    lon: Mapped[float | None] = mapped_column(Float)
    area_km2: Mapped[float | None] = mapped_column(Float)

    def valid_on(self, day: date) -> bool:
        return (self.valid_from is None or self.valid_from <= day) and (
            self.valid_to is None or day <= self.valid_to
        )


class Succession(Base):
    """One old unit became (part of) one new unit on ``effective``."""

    __tablename__ = "admin_unit_successions"

    id: Mapped[int] = mapped_column(primary_key=True)
    predecessor_id: Mapped[int] = mapped_column(ForeignKey("admin_units.id"), index=True)
    successor_id: Mapped[int] = mapped_column(ForeignKey("admin_units.id"), index=True)
    effective: Mapped[date] = mapped_column(Date)
    kind: Mapped[SuccessionKind] = mapped_column(String(10))
    weight: Mapped[float] = mapped_column(Float, default=1.0)
    """The share of the predecessor that went to the successor (1 unless split)."""

    __table_args__ = (Index("uq_succession_pair", "predecessor_id", "successor_id", unique=True),)
