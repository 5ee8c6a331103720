"""Administrative units, effective-dated, and the successions between them.

A unit's identity is its GSO code *and* its validity interval: by law a code never changes,
but when units merge the merged unit keeps one of their codes, so a code can live on with a
different territory (23293 was Phường Thắng Lợi until 30 June 2025, Phường Kon Tum since).
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Any

from sqlalchemy import BigInteger, CheckConstraint, Date, Float, ForeignKey, Index, Integer, String
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Mapped, mapped_column
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement

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


class UnitTablesRevision(Base):
    """One row: the revision of the unit tables (units and successions), which the database
    moves itself at every write to them, whoever writes (triggers of migration 0014).

    On PostgreSQL each transaction that writes the tables adds one, once (so concurrent
    writers of units wait for each other), and counts its writing statements in
    :class:`UnitTableWritesHere`; on SQLite every row written draws a new random revision,
    so that a revision seen inside a transaction that was then rolled back never comes back.
    """

    __tablename__ = "unit_tables_revision"
    __table_args__ = (CheckConstraint("id = 1", name="one_row"),)

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    revision: Mapped[int] = mapped_column(BigInteger)


class UnitTableWritesHere(FunctionElement[int]):
    """How many statements of the current transaction wrote the unit tables so far (0 outside
    such a transaction): what was read inside one must not be kept for others, who see the
    tables without those writes, or after more of them.

    PostgreSQL counts them in a setting local to the transaction (the triggers of migration
    0014 move it); SQLite needs no count, its revision moving at every row: always 0.
    """

    type = Integer()
    inherit_cache = True
    name = "unit_table_writes_here"


WRITES_SETTING = "iochub.unit_table_writes"
"""The transaction-local PostgreSQL setting the triggers count writes in (see 0014)."""


@compiles(UnitTableWritesHere)
def _no_writes_counted(element: UnitTableWritesHere, compiler: SQLCompiler, **kw: Any) -> str:
    return "0"


@compiles(UnitTableWritesHere, "postgresql")
def _writes_counted(element: UnitTableWritesHere, compiler: SQLCompiler, **kw: Any) -> str:
    return f"coalesce(nullif(current_setting('{WRITES_SETTING}', true), ''), '0')::integer"
