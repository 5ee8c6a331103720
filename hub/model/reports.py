"""The reporting information system: report templates, reports and their workflow history.

A **template** is a digitised report form; its definition (rows, columns, cells, formulas,
deadlines) is one JSON document, read and checked by :mod:`hub.reports.template`. A **report**
is one unit's copy of a form for one period: the values it typed in, the values of every cell
as last computed, and where it stands in the workflow. Every change of a report is one
**transition** row: who, when, what, why, and which values changed.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import Date, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from hub.model.base import Base, JSONValue, utcnow


class ReportStatus(StrEnum):
    DRAFT = "DRAFT"
    SUBMITTED = "SUBMITTED"
    APPROVED = "APPROVED"
    RETURNED = "RETURNED"


class ReportTemplateRow(Base):
    """A report form, by code; ``definition`` is the form as :mod:`hub.reports` reads it."""

    __tablename__ = "report_templates"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(100), unique=True)
    name: Mapped[str] = mapped_column(String(300))
    definition: Mapped[dict[str, Any]] = mapped_column(JSONValue)
    origin: Mapped[str] = mapped_column(String(100))
    """Where it came from: ``shipped``, ``upload`` (a workbook) or ``api``."""
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class Report(Base):
    """One unit's report on one form for one period."""

    __tablename__ = "reports"
    __table_args__ = (
        Index("uq_report_template_unit_period", "template_id", "unit_id", "period", unique=True),
        Index("ix_reports_template_period", "template_id", "period"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    template_id: Mapped[int] = mapped_column(ForeignKey("report_templates.id"))
    unit_id: Mapped[int] = mapped_column(ForeignKey("admin_units.id"), index=True)
    period: Mapped[str] = mapped_column(String(12))
    """The canonical period id in the template's calendar."""
    period_start: Mapped[date] = mapped_column(Date)
    period_end: Mapped[date] = mapped_column(Date)
    status: Mapped[ReportStatus] = mapped_column(String(10))
    inputs: Mapped[dict[str, Any]] = mapped_column(JSONValue)
    """The values typed in, by cell address (``{"D9": 12.5}``)."""
    values: Mapped[dict[str, Any]] = mapped_column(JSONValue)
    """Every cell's value as last computed; the values of an approved report are frozen."""
    basis: Mapped[dict[str, Any]] = mapped_column(JSONValue)
    """What the roll-up was computed from: the approved lower reports and their versions."""
    first_submitted_at: Mapped[datetime | None]
    """When it was first submitted: what timeliness is judged by."""
    submitted_at: Mapped[datetime | None]
    approved_at: Mapped[datetime | None]
    version: Mapped[int] = mapped_column(Integer, default=1)
    """Goes up by one with every change of the report's values or status."""
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class ReportTransition(Base):
    """One step in a report's history: saved, submitted, approved, returned, reopened…"""

    __tablename__ = "report_transitions"

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("reports.id"), index=True)
    action: Mapped[str] = mapped_column(String(20))
    from_status: Mapped[str | None] = mapped_column(String(10))
    to_status: Mapped[str] = mapped_column(String(10))
    actor: Mapped[str] = mapped_column(String(200))
    at: Mapped[datetime] = mapped_column(default=utcnow)
    reason: Mapped[str | None] = mapped_column(Text)
    changes: Mapped[dict[str, Any]] = mapped_column(JSONValue)
    """The values that changed: ``{"D9": [old, new]}``."""
