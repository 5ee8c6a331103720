"""Reading and writing forms and reports in the database (synchronous, on a Session)."""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import date
from importlib import resources
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session, defer

from hub.ingest.writer import insert_new
from hub.model import AdminUnit, Report, ReportStatus, ReportTemplateRow
from hub.model.base import utcnow
from hub.model.database import Database
from hub.periods import Period
from hub.reports.checks import check_metrics
from hub.reports.errors import InputError, TemplateError, UnknownTemplate
from hub.reports.template import Template, template_from_dict
from hub.reports.versions import check_edit, next_version

SHIPPED = "shipped"
_parsed: dict[tuple[int, Any], Template] = {}


def save_template(
    session: Session,
    template: Template,
    origin: str,
    metrics: Iterable[str],
    edited: bool = False,
) -> ReportTemplateRow:
    """Store a checked form under its code, replacing the one of that code if any; its
    version goes up by one if it says anything else than the stored one.

    ``metrics`` are the codes of the metrics defined: a METRIC cell must name one of them.
    ``edited``: the form is an edit of the stored one and names the version it was edited
    from (its ``version``); a change to a form saved meanwhile by someone else is refused
    (:func:`~hub.reports.versions.check_edit`). The stored form is locked until the
    transaction ends, so that two saves at once see each other.
    Reports already filed keep their values; they are computed with the new form from now on.
    """
    problems = check_metrics(template, metrics)
    if problems:
        raise TemplateError(problems)
    row = _locked_template_row(session, template.code)
    definition = template.to_dict()
    if edited and row is not None:
        check_edit(row.definition, definition)
    definition["version"] = next_version(row.definition if row else None, definition)
    row = row or ReportTemplateRow(code=template.code)
    row.name, row.definition, row.origin = template.name, definition, origin
    row.updated_at = utcnow()
    session.add(row)
    session.flush()
    return row


def _locked_template_row(session: Session, code: str) -> ReportTemplateRow | None:
    """The stored form of this code, read afresh and locked until the transaction ends.

    PostgreSQL locks the row (``SELECT … FOR UPDATE``); SQLite lets one writer at a time, so
    the lock is taken by a first write before the row is read.
    """
    if session.get_bind().dialect.name == "sqlite":
        session.execute(
            update(ReportTemplateRow)
            .where(ReportTemplateRow.code == code)
            .values(code=ReportTemplateRow.code)
            .execution_options(synchronize_session=False)
        )
    return session.scalar(
        select(ReportTemplateRow)
        .where(ReportTemplateRow.code == code)
        .with_for_update()
        .execution_options(populate_existing=True)
    )


def template_of(row: ReportTemplateRow) -> Template:
    """The form a stored row holds (parsed once per version)."""
    key = (row.id, row.updated_at)
    if key not in _parsed:
        _parsed[key] = template_from_dict(row.definition)
    return _parsed[key]


def load_template(session: Session, code: str) -> tuple[ReportTemplateRow, Template]:
    """The stored form of this code; UnknownTemplate if there is none."""
    row = session.scalar(select(ReportTemplateRow).where(ReportTemplateRow.code == code))
    if row is None:
        raise UnknownTemplate(f"no report template has the code {code!r}")
    return row, template_of(row)


def all_templates(session: Session) -> list[tuple[ReportTemplateRow, Template]]:
    rows = session.scalars(select(ReportTemplateRow).order_by(ReportTemplateRow.code))
    return [(row, template_of(row)) for row in rows]


def shipped_forms() -> list[dict[str, Any]]:
    """The definitions of the forms the hub ships (``hub/reports/forms/*.json``)."""
    folder = resources.files("hub.reports") / "forms"
    return [
        json.loads(item.read_text(encoding="utf-8"))
        for item in sorted(folder.iterdir(), key=lambda item: item.name)
        if item.name.endswith(".json")
    ]


def install_shipped_forms(db: Database, metrics: Iterable[str] = ()) -> list[str]:
    """Store every shipped form the database does not hold yet, and bring up to date a
    shipped form stored by an older release (its version goes up); their codes.

    A form an admin has replaced or edited (same code, another origin) is left as it is.
    """
    installed = []
    with db.session() as session:
        stored = {row.code: row for row in session.scalars(select(ReportTemplateRow))}
        for definition in shipped_forms():
            template = template_from_dict(definition)
            row = stored.get(template.code)
            if row is None or (row.origin == SHIPPED and _outdated(row, template)):
                save_template(session, template, SHIPPED, metrics)
                installed.append(template.code)
    return installed


def _outdated(row: ReportTemplateRow, shipped: Template) -> bool:
    """Whether the stored form says anything else than the one this release ships."""
    version = int(row.definition.get("version") or 1)
    return next_version(row.definition, shipped.to_dict()) != version


def unit_on(session: Session, code: str, day: date) -> AdminUnit:
    """The unit carrying ``code`` on ``day``; InputError if none does."""
    return units_on(session, code, [day])[day]


def units_on(session: Session, code: str, days: Iterable[date]) -> dict[date, AdminUnit]:
    """The unit carrying ``code`` on each of ``days`` (one query); InputError if on one of
    them none does."""
    units = list(session.scalars(select(AdminUnit).where(AdminUnit.code == code)))
    found = {}
    for day in days:
        valid = (unit for unit in units if unit.valid_on(day))
        unit = max(valid, key=lambda u: u.valid_from or date.min, default=None)
        if unit is None:
            raise InputError(f"no administrative unit has the code {code!r} on {day.isoformat()}")
        found[day] = unit
    return found


def find_report(session: Session, template_id: int, unit_id: int, period: str) -> Report | None:
    return session.scalar(
        select(Report).where(
            Report.template_id == template_id, Report.unit_id == unit_id, Report.period == period
        )
    )


def locked_report(
    session: Session, template_id: int, unit: AdminUnit, period: Period, create: bool
) -> Report | None:
    """The report, read afresh and locked until the transaction ends; ``create``: a draft
    with nothing typed in is stored first if there is none.

    Two requests changing one report one after the other each see what the other stored:
    PostgreSQL locks the row (``SELECT … FOR UPDATE``); SQLite lets one writer at a time,
    so the lock is taken by a first write before the report is read.
    """
    if create:
        fresh = new_report(template_id, unit, period)
        columns = {
            c.name: getattr(fresh, c.key) for c in Report.__table__.columns if c.name != "id"
        }
        insert_new(session, Report.__table__, [columns], ("template_id", "unit_id", "period"))
    elif session.get_bind().dialect.name == "sqlite":
        session.execute(
            update(Report)
            .where(Report.template_id == template_id, Report.unit_id == unit.id)
            .where(Report.period == period.id)
            .values(version=Report.version)
            .execution_options(synchronize_session=False)
        )
    return session.scalar(
        select(Report)
        .where(Report.template_id == template_id, Report.unit_id == unit.id)
        .where(Report.period == period.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )


def reports_of(
    session: Session, template_id: int, unit_ids: Iterable[int], period: str
) -> dict[int, Report]:
    """The reports of these units for one period, by unit id."""
    ids = list(unit_ids)
    if not ids:
        return {}
    rows = session.scalars(
        select(Report).where(
            Report.template_id == template_id, Report.period == period, Report.unit_id.in_(ids)
        )
    )
    return {row.unit_id: row for row in rows}


WITHOUT_CELLS = (Report.inputs, Report.values, Report.basis)
"""The columns :func:`report_states` leaves out."""


def report_states(
    session: Session, template_id: int, unit_ids: Iterable[int], periods: Iterable[str]
) -> dict[tuple[int, str], Report]:
    """The reports of these units in these periods, by (unit id, period id), without their
    cells: a list of statuses needs none (their JSON is most of a report's row), and reading
    one of them here raises rather than loads it report by report."""
    ids, period_ids = list(unit_ids), list(periods)
    if not ids or not period_ids:
        return {}
    rows = session.scalars(
        select(Report)
        .options(*(defer(column, raiseload=True) for column in WITHOUT_CELLS))
        .where(
            Report.template_id == template_id,
            Report.period.in_(period_ids),
            Report.unit_id.in_(ids),
        )
    )
    return {(row.unit_id, row.period): row for row in rows}


def reports_in_periods(
    session: Session, template_id: int, unit_id: int, periods: Iterable[str]
) -> dict[str, Report]:
    """The unit's reports on the form in these periods (by id), by period id."""
    ids = list(periods)
    if not ids:
        return {}
    rows = session.scalars(
        select(Report).where(
            Report.template_id == template_id, Report.unit_id == unit_id, Report.period.in_(ids)
        )
    )
    return {row.period: row for row in rows}


def new_report(template_id: int, unit: AdminUnit, period: Period) -> Report:
    """A report not filed yet: a draft with nothing typed in."""
    return Report(
        template_id=template_id,
        unit_id=unit.id,
        period=period.id,
        period_start=period.start,
        period_end=period.end,
        status=ReportStatus.DRAFT,
        inputs={},
        values={},
        basis={},
        version=0,
        updated_at=utcnow(),
    )
