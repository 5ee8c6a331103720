"""The reporting information system in the API: forms, reports, the workflow, compliance.

The workbook upload and downloads beside GraphQL are in :mod:`hub.reports.http`.

Who acts: the authenticated principal (:mod:`hub.graphql.access`), whose role must allow the
step (file: unit officers; review: unit officers of the level above, leaders; forms:
admins) and whose territory must hold the unit; every mutation is written to the audit log.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from enum import Enum
from typing import Any, TypeVar

import anyio.to_thread
import strawberry
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from strawberry.file_uploads import Upload
from strawberry.scalars import JSON

from hub import model
from hub.auth.principal import Action
from hub.connectors import freshness
from hub.connectors.runtime import OnStart, RunInProgress
from hub.graphql.access import (
    audited_permission,
    audited_run,
    audited_write,
    require,
    scope_of,
)
from hub.graphql.context import Info
from hub.graphql.enums import AdminLevel, Aggregation, Calendar, PeriodType
from hub.graphql.errors import BadUserInput, Conflict, Forbidden, NotFound
from hub.graphql.freshness import SourceFreshness
from hub.graphql.sessions import read
from hub.graphql.units import AdminUnit
from hub.periods import Period
from hub.reports import clock
from hub.reports import template as forms
from hub.reports.assemble import Located, ReportView, locate, view
from hub.reports.cells import Address, CellError, CellValue, display
from hub.reports.compliance import Compliance, compliance, compliances, publish, publish_unit
from hub.reports.errors import (
    InputError,
    OutOfScope,
    ReportError,
    TemplateError,
    UnknownTemplate,
    WorkflowConflict,
)
from hub.reports.filled_workbook import save_filled_workbook
from hub.reports.principal import Principal, ScopedActor, require_reader
from hub.reports.schedule import WorkingDays, previous, report_period, working_days
from hub.reports.store import load_template, save_template, template_of, unit_on, units_on
from hub.reports.timeliness import Timeliness as TimelinessValue
from hub.reports.timeliness import local_day
from hub.reports.workflow import Workflow

CellKind = strawberry.enum(
    forms.CellKind,
    description=(
        "INPUT: typed in by the unit filing the report; ROLLUP: summed from the lower level's "
        "approved reports (typed in at the filling level); FORMULA: computed; "
        "METRIC: from a metric."
    ),
)
Timeliness = strawberry.enum(TimelinessValue)
T = TypeVar("T")


@strawberry.enum(description="Where a report stands in the workflow.")
class ReportStatus(Enum):
    NOT_STARTED = "NOT_STARTED"
    DRAFT = "DRAFT"
    SUBMITTED = "SUBMITTED"
    APPROVED = "APPROVED"
    RETURNED = "RETURNED"


@strawberry.type
class ReportDeadline:
    level: AdminLevel
    working_days_after_cutoff: int


@strawberry.type
class ReportColumn:
    column: str
    code: str | None
    label: str


@strawberry.type(description="A value cell of a form.")
class ReportTemplateCell:
    address: str
    row: int
    column: str
    kind: CellKind
    formula: str | None
    metric: str | None


@strawberry.type(description="An item of a form (or a heading, without cells).")
class ReportRow:
    row: int
    code: str | None
    label: str
    indent: int
    unit: str | None = strawberry.field(description="The unit of measure.")
    aggregation: Aggregation
    bold: bool
    cells: list[ReportTemplateCell]


@strawberry.type(description="A report form: its layout, cells, period and deadlines.")
class ReportTemplate:
    code: strawberry.ID
    version: int = strawberry.field(
        description="Goes up by one each time what the form says changes; a form's workbook "
        "carries it."
    )
    name: str
    description: str | None
    period_type: PeriodType
    calendar: Calendar
    filling_level: AdminLevel
    levels: list[AdminLevel] = strawberry.field(description="The levels that file the form.")
    deadlines: list[ReportDeadline]
    opens_days_before_cutoff: int
    sheet: str
    columns: list[ReportColumn]
    rows: list[ReportRow]
    origin: str
    updated_at: datetime
    definition: JSON = strawberry.field(description="The whole form as JSON (docs/reports.md).")

    @classmethod
    def from_row(cls, row: model.ReportTemplateRow) -> ReportTemplate:
        template = template_of(row)
        return cls(
            code=strawberry.ID(template.code),
            version=template.version,
            name=template.name,
            description=template.description,
            period_type=template.period_type,
            calendar=template.calendar,
            filling_level=template.filling_level,
            levels=list(template.levels),
            deadlines=[
                ReportDeadline(level=level, working_days_after_cutoff=days)
                for level, days in sorted(template.deadlines.items())
            ],
            opens_days_before_cutoff=template.opens_days_before_cutoff,
            sheet=template.layout.sheet,
            columns=[
                ReportColumn(column=c.column, code=c.code, label=c.label) for c in template.columns
            ],
            rows=_template_rows(template),
            origin=row.origin,
            updated_at=row.updated_at,
            definition=row.definition,
        )


def _template_rows(template: forms.Template) -> list[ReportRow]:
    """The form's rows, each with its cells in address order (every address parsed once)."""
    by_row: dict[int, list[ReportTemplateCell]] = defaultdict(list)
    parsed = sorted(
        ((Address.parse(cell.address), cell) for cell in template.cells.values()),
        key=lambda pair: pair[0],
    )
    for address, cell in parsed:
        by_row[address.row].append(
            ReportTemplateCell(
                address=cell.address,
                row=address.row,
                column=address.letter,
                kind=cell.kind,
                formula=cell.formula,
                metric=cell.metric,
            )
        )
    return [
        ReportRow(
            row=item.row,
            code=item.code,
            label=item.label,
            indent=item.indent,
            unit=item.unit,
            aggregation=item.aggregation,
            bold=item.bold,
            cells=by_row.get(item.row, []),
        )
        for item in template.rows
    ]


@strawberry.type(description="A cell of a report, with its value.")
class ReportCell:
    address: str
    row: int
    column: str
    kind: CellKind
    formula: str | None
    metric: str | None
    value: float | None = strawberry.field(description="The number, if the value is one.")
    text: str | None = strawberry.field(description="The text, if a formula yields one.")
    error: str | None = strawberry.field(description="An Excel error, e.g. #DIV/0!.")
    display: str
    editable: bool = strawberry.field(description="Whether the filing unit types it in.")


@strawberry.type(description="A lower unit's report, as its parent's roll-up sees it.")
class LowerUnitReport:
    unit: AdminUnit
    status: ReportStatus
    timeliness: Timeliness
    deadline: date
    submitted_at: datetime | None
    included: bool = strawberry.field(description="Whether its values are in the roll-up.")


@strawberry.type(description="One step of a report's history.")
class ReportTransition:
    action: str
    from_status: str | None
    to_status: str
    actor: str
    at: datetime
    reason: str | None
    changes: JSON = strawberry.field(description='The values that changed: {"D9": [old, new]}.')


@strawberry.type(description="One unit's report on one form for one period.")
class Report:
    template: ReportTemplate
    unit: AdminUnit
    period: str
    calendar: Calendar
    period_start: date
    period_end: date
    status: ReportStatus
    locked: bool
    stale: bool = strawberry.field(
        description=(
            "Approved, but what it was computed from changed since (a lower unit's report, "
            "another period it reads, a metric, the form): reopen to take it in."
        )
    )
    opens_on: date
    deadline: date
    timeliness: Timeliness
    first_submitted_at: datetime | None
    submitted_at: datetime | None
    approved_at: datetime | None
    version: int
    cells: list[ReportCell]
    lower_units: list[LowerUnitReport]
    missing_units: list[AdminUnit] = strawberry.field(
        description="Lower units that have not submitted."
    )
    late_units: list[AdminUnit] = strawberry.field(description="Lower units that submitted late.")
    estimated: bool = strawberry.field(
        description="Some values read for periods before the unit existed (PREV, LASTYEAR, YTD) "
        "come from a divided predecessor's reports, by its declared weight: estimates."
    )
    inherited_from: list[AdminUnit] = strawberry.field(
        description="The units, before a reform, whose reports PREV, LASTYEAR and YTD read for "
        "periods that ended before this unit existed."
    )
    history: list[ReportTransition]
    download_path: str = strawberry.field(description="Where to GET the report as .xlsx.")


@strawberry.type
class UnitCompliance:
    unit: AdminUnit
    level: AdminLevel
    status: ReportStatus
    timeliness: Timeliness
    deadline: date
    submitted_at: datetime | None


@strawberry.type(description="Which units filed a form for a period on time, late, or not.")
class ReportingCompliance:
    template: strawberry.ID
    period: str
    within: AdminUnit
    expected: int
    due: int = strawberry.field(description="Submitted, or missing past the deadline.")
    on_time: int
    late: int
    missing: int
    not_due: int
    on_time_rate: float | None = strawberry.field(description="On time per 100 due.")
    units: list[UnitCompliance]
    stale_sources: list[SourceFreshness] = strawberry.field(
        description="The sources of the form's METRIC cells whose figures of this period may "
        "be stale: they have not delivered for longer than their schedule expects."
    )


@strawberry.input
class CellInput:
    address: str
    value: JSON | None = strawberry.field(description="A number (or numeric text); null clears.")


@dataclass(frozen=True)
class Moment:
    """The time of one request: when it happened, the day in Vietnam, the working days."""

    now: datetime
    today: date
    days: WorkingDays

    @classmethod
    def current(cls, hub: Any) -> Moment:
        now = clock.now()
        return cls(now, local_day(now), working_days(hub.settings))


async def actor_of(
    info: Info, action: Action, name: str | None = None, target: dict[str, Any] | None = None
) -> ScopedActor:
    """The caller as the workflow sees it; FORBIDDEN unless its role allows ``action``.

    With ``name`` (a mutation), a refusal is written to the audit log.
    """
    if name is None:
        principal, scope = await require(info, action)
    else:
        principal, scope = await audited_permission(info, action, name, target or {})
    return ScopedActor(principal.name, principal.unit_code, scope.units)


@contextmanager
def api_errors() -> Iterator[None]:
    """The reporting system's errors as the API's coded errors."""
    try:
        yield
    except TemplateError as exc:
        raise BadUserInput(str(exc)) from None
    except (InputError, ValueError) as exc:
        raise BadUserInput(str(exc)) from None
    except OutOfScope as exc:
        raise Forbidden(str(exc)) from None
    except WorkflowConflict as exc:
        raise Conflict(str(exc)) from None
    except UnknownTemplate as exc:
        raise NotFound(str(exc)) from None
    except ReportError as exc:
        raise BadUserInput(str(exc)) from None
    except IntegrityError:  # two requests created the same report at once; one of them won
        raise Conflict("the report was changed by another request meanwhile: try again") from None


def with_api_errors(change: Callable[[Session], T]) -> Callable[[Session], T]:
    """``change``, raising the API's coded errors for the reporting system's, so that a
    refusal is recognised (and audited) as one."""

    def changed(session: Session) -> T:
        with api_errors():
            return change(session)

    return changed


def report_of(session: Session, located: Located, moment: Moment) -> Report:
    """The API's view of a report, read completely inside the session."""
    shown = view(session, located, moment.days, moment.today)
    return _report(session, shown)


def _report(session: Session, shown: ReportView) -> Report:
    located, stored, day = shown.located, shown.report, shown.located.period.end
    missing = [
        each.unit
        for each in shown.lower
        if each.timeliness in (TimelinessValue.MISSING, TimelinessValue.NOT_DUE)
    ]
    late = [each.unit for each in shown.lower if each.timeliness is TimelinessValue.LATE]
    return Report(
        template=ReportTemplate.from_row(located.row),
        unit=AdminUnit.from_row(located.unit, day),
        period=located.period.id,
        calendar=located.period.calendar,
        period_start=located.period.start,
        period_end=day,
        status=ReportStatus(shown.status),
        locked=shown.status == model.ReportStatus.APPROVED,
        stale=shown.stale,
        opens_on=shown.opens_on,
        deadline=shown.deadline,
        timeliness=shown.timeliness,
        first_submitted_at=stored.first_submitted_at if stored else None,
        submitted_at=stored.submitted_at if stored else None,
        approved_at=stored.approved_at if stored else None,
        version=stored.version if stored else 0,
        cells=_cells(located, shown.values),
        lower_units=[
            LowerUnitReport(
                unit=AdminUnit.from_row(each.unit, day),
                status=ReportStatus(each.report.status if each.report else "NOT_STARTED"),
                timeliness=each.timeliness,
                deadline=each.deadline,
                submitted_at=each.report.submitted_at if each.report else None,
                included=each.included,
            )
            for each in shown.lower
        ],
        missing_units=[AdminUnit.from_row(unit, day) for unit in missing],
        late_units=[AdminUnit.from_row(unit, day) for unit in late],
        estimated=shown.other.estimated,
        inherited_from=_units(session, shown.other.predecessors),
        history=_history(session, stored),
        download_path=download_path(located),
    )


def _cells(located: Located, values: dict[str, CellValue]) -> list[ReportCell]:
    template, level = located.template, located.unit.level
    found = []
    for cell in sorted(template.cells.values(), key=lambda c: Address.parse(c.address)):
        value = values.get(cell.address)
        where = Address.parse(cell.address)
        found.append(
            ReportCell(
                address=cell.address,
                row=where.row,
                column=where.letter,
                kind=cell.kind,
                formula=cell.formula,
                metric=cell.metric,
                value=value if isinstance(value, float) else None,
                text=value if isinstance(value, str) else None,
                error=value.code if isinstance(value, CellError) else None,
                display=display(value),
                editable=template.typed_at(cell, level),
            )
        )
    return found


def _units(session: Session, ids: tuple[int, ...]) -> list[AdminUnit]:
    """Units by id (of any date), ordered by code."""
    if not ids:
        return []
    rows = session.scalars(select(model.AdminUnit).where(model.AdminUnit.id.in_(ids)))
    return [
        AdminUnit.from_row(row, row.valid_to or row.valid_from or date.today())
        for row in sorted(rows, key=lambda row: row.code)
    ]


def _history(session: Session, stored: model.Report | None) -> list[ReportTransition]:
    if stored is None or stored.id is None:
        return []
    rows = session.scalars(
        select(model.ReportTransition)
        .where(model.ReportTransition.report_id == stored.id)
        .order_by(model.ReportTransition.id)
    )
    return [
        ReportTransition(
            action=row.action,
            from_status=row.from_status,
            to_status=row.to_status,
            actor=row.actor,
            at=row.at,
            reason=row.reason,
            changes=row.changes,
        )
        for row in rows
    ]


def download_path(located: Located) -> str:
    return f"/reports/{located.template.code}/{located.unit.code}/{located.period.id}.xlsx"


def _compliance(found: Compliance, sources: list[freshness.SourceFreshness]) -> ReportingCompliance:
    day = found.period.end
    return ReportingCompliance(
        template=strawberry.ID(found.template.code),
        period=found.period.id,
        within=AdminUnit.from_row(found.within, day),
        expected=len(found.units),
        due=found.due,
        on_time=found.count(TimelinessValue.ON_TIME),
        late=found.count(TimelinessValue.LATE),
        missing=found.count(TimelinessValue.MISSING),
        not_due=found.count(TimelinessValue.NOT_DUE),
        on_time_rate=found.on_time_rate,
        units=[
            UnitCompliance(
                unit=AdminUnit.from_row(entry.unit, day),
                level=AdminLevel(entry.unit.level),
                status=ReportStatus(entry.report.status if entry.report else "NOT_STARTED"),
                timeliness=entry.timeliness,
                deadline=entry.deadline,
                submitted_at=entry.report.first_submitted_at if entry.report else None,
            )
            for entry in found.units
        ],
        stale_sources=[
            SourceFreshness.of(source, day) for source in sources if source.stale_for(day)
        ],
    )


def form_freshness(
    hub: Any, session: Session, template: forms.Template, periods: list[Period], now: datetime
) -> list[freshness.SourceFreshness]:
    """The freshness of the sources of the form's METRIC cells over these periods."""
    codes = {cell.metric for cell in template.cells.values() if cell.metric}
    if not codes:
        return []
    ids = session.scalars(select(model.Metric.id).where(model.Metric.code.in_(codes)))
    first, last = min(p.start for p in periods), max(p.end for p in periods)
    return freshness.freshness_of(
        hub, session, freshness.sources_of(session, ids, first, last), now
    )


def find_compliance(
    session: Session,
    principal: Principal,
    template_code: str,
    period_id: str,
    within: str,
    moment: Moment,
) -> Compliance:
    row, template = load_template(session, template_code)
    period = report_period(template, period_id)
    unit = unit_on(session, within, period.end)
    require_reader(session, principal, unit)
    return compliance(session, row, template, unit, period, moment.today, moment.days)


BOARD_PERIODS_MAX = 36
"""The most periods one ``reportingComplianceHistory`` answers (three years of months)."""


def find_compliance_history(
    session: Session,
    principal: Principal,
    template_code: str,
    until: str,
    count: int,
    within: str,
    moment: Moment,
) -> list[Compliance]:
    """The form's compliance in the ``count`` periods ending with ``until``, oldest first."""
    if not 1 <= count <= BOARD_PERIODS_MAX:
        raise InputError(f"count is from 1 to {BOARD_PERIODS_MAX} periods; {count} was asked")
    row, template = load_template(session, template_code)
    periods = [report_period(template, until)]
    while len(periods) < count:
        periods.insert(0, previous(periods[0]))
    units = units_on(session, within, [period.end for period in periods])
    for unit in {unit.id: unit for unit in units.values()}.values():
        require_reader(session, principal, unit)
    territories = [(units[period.end], period) for period in periods]
    return compliances(session, row, template, territories, moment.today, moment.days)


@strawberry.type
class ReportQuery:
    @strawberry.field(description="Every report form, ordered by code.")
    async def report_templates(self, info: Info) -> list[ReportTemplate]:
        await scope_of(info)  # forms are no one's data, but callers are authenticated

        def query(session: Session) -> list[ReportTemplate]:
            rows = session.scalars(
                select(model.ReportTemplateRow).order_by(model.ReportTemplateRow.code)
            )
            return [ReportTemplate.from_row(row) for row in rows]

        return await read(info.context.hub.db, query)

    @strawberry.field(description="The report form of this code, or null.")
    async def report_template(self, info: Info, code: strawberry.ID) -> ReportTemplate | None:
        await scope_of(info)

        def query(session: Session) -> ReportTemplate | None:
            try:
                row, _ = load_template(session, str(code))
            except UnknownTemplate:
                return None
            return ReportTemplate.from_row(row)

        return await read(info.context.hub.db, query)

    @strawberry.field(description="A unit's report for a period: every cell, roll-up, history.")
    async def report(
        self, info: Info, template: strawberry.ID, unit: strawberry.ID, period: str
    ) -> Report:
        principal = await actor_of(info, Action.READ_REPORTS)
        moment = Moment.current(info.context.hub)

        def query(session: Session) -> Report:
            located = locate(session, template, unit, period)
            require_reader(session, principal, located.unit)
            return report_of(session, located, moment)

        with api_errors():
            return await read(info.context.hub.db, query)

    @strawberry.field(description="On time, late, missing: every unit inside `within`.")
    async def reporting_compliance(
        self, info: Info, template: strawberry.ID, period: str, within: strawberry.ID
    ) -> ReportingCompliance:
        principal = await actor_of(info, Action.READ_REPORTS)
        moment = Moment.current(info.context.hub)

        def query(session: Session) -> ReportingCompliance:
            found = find_compliance(session, principal, template, period, within, moment)
            hub = info.context.hub
            sources = form_freshness(hub, session, found.template, [found.period], moment.now)
            return _compliance(found, sources)

        with api_errors():
            return await read(info.context.hub.db, query)

    @strawberry.field(
        description="The compliance board: `reportingCompliance` of the `count` periods of the "
        "form ending with `until` (at most 36), oldest first; page back by asking again until "
        "the period before the first one."
    )
    async def reporting_compliance_history(
        self,
        info: Info,
        template: strawberry.ID,
        until: str,
        within: strawberry.ID,
        count: int = 6,
    ) -> list[ReportingCompliance]:
        principal = await actor_of(info, Action.READ_REPORTS)
        moment = Moment.current(info.context.hub)

        def query(session: Session) -> list[ReportingCompliance]:
            found = find_compliance_history(
                session, principal, template, until, count, within, moment
            )
            periods = [entry.period for entry in found]
            hub = info.context.hub
            sources = form_freshness(hub, session, found[0].template, periods, moment.now)
            return [_compliance(entry, sources) for entry in found]

        with api_errors():
            return await read(info.context.hub.db, query)


async def _step(
    info: Info,
    name: str,
    action: Action,
    template: str,
    unit: str,
    period: str,
    act: Callable[[Workflow, Located], object],
    reason: str | None = None,
) -> Report:
    """One workflow step and its audit row in one transaction; the report after it."""
    target = {"template": str(template), "unit": str(unit), "period": period, "reason": reason}
    principal = await actor_of(info, action, name, target)
    moment = Moment.current(info.context.hub)

    def change(session: Session) -> Report:
        located = locate(session, template, unit, period)
        duties = info.context.hub.settings.reports.separate_duties
        workflow = Workflow(session, principal, moment.now, moment.days, separate_duties=duties)
        act(workflow, located)
        session.flush()
        return report_of(session, located, moment)

    with api_errors():
        return await audited_write(info, name, target, with_api_errors(change))


@strawberry.type
class ReportMutation:
    @strawberry.mutation(
        description="Save a form from its JSON definition (docs/reports.md). A change to a "
        "stored form names the version it was edited from (`version`, as `reportTemplate { "
        "definition }` gives it): CONFLICT if the form was saved by someone else meanwhile."
    )
    async def save_report_template(self, info: Info, definition: JSON) -> ReportTemplate:
        target = {"definition": definition}
        await actor_of(info, Action.CONFIGURE, "saveReportTemplate", target)
        hub = info.context.hub

        def change(session: Session) -> ReportTemplate:
            if not isinstance(definition, dict):
                raise InputError("the definition is a JSON object")
            template = forms.template_from_dict(definition)
            return ReportTemplate.from_row(
                save_template(session, template, "api", hub.definitions.metrics, edited=True)
            )

        with api_errors():
            return await audited_write(info, "saveReportTemplate", target, with_api_errors(change))

    @strawberry.mutation(
        description="Type values into a draft (a null value clears the cell). Saves merge cell "
        "by cell under a lock of the report: two saves at once each keep the cells they name."
    )
    async def save_report(
        self,
        info: Info,
        template: strawberry.ID,
        unit: strawberry.ID,
        period: str,
        values: list[CellInput],
    ) -> Report:
        typed = {item.address: item.value for item in values}
        return await _step(
            info,
            "saveReport",
            Action.FILE_REPORTS,
            template,
            unit,
            period,
            lambda w, at: w.save(at, typed),
        )

    @strawberry.mutation(
        description="Save the values typed into the report's workbook (downloaded from "
        "downloadPath, filled in Excel), with the same checks as saveReport; every bad cell is "
        "named with its sheet and address, and nothing is saved unless all are good. Sent as a "
        "GraphQL multipart request (docs/reports.md)."
    )
    async def upload_report_workbook(
        self,
        info: Info,
        template: strawberry.ID,
        unit: strawberry.ID,
        period: str,
        file: Upload,
    ) -> Report:
        if not hasattr(file, "read"):  # a value in the JSON (or a socket's message), not a file
            raise BadUserInput(
                "file: send the workbook as a file of a GraphQL multipart request (docs/reports.md)"
            )
        content = await file.read()
        return await _step(
            info,
            "uploadReportWorkbook",
            Action.FILE_REPORTS,
            template,
            unit,
            period,
            lambda w, at: save_filled_workbook(w, at, content),
        )

    @strawberry.mutation(description="Send the report to the level above for approval.")
    async def submit_report(
        self, info: Info, template: strawberry.ID, unit: strawberry.ID, period: str
    ) -> Report:
        report = await _step(
            info,
            "submitReport",
            Action.FILE_REPORTS,
            template,
            unit,
            period,
            lambda w, at: w.submit(at),
        )
        hub = info.context.hub
        today = Moment.current(hub).today
        await anyio.to_thread.run_sync(publish_unit, hub, template, unit, period, today)
        return report

    @strawberry.mutation(description="Approve a submitted report: it is locked from then on.")
    async def approve_report(
        self, info: Info, template: strawberry.ID, unit: strawberry.ID, period: str
    ) -> Report:
        return await _step(
            info,
            "approveReport",
            Action.REVIEW_REPORTS,
            template,
            unit,
            period,
            lambda w, at: w.approve(at),
        )

    @strawberry.mutation(description="Return a submitted report to its unit, with the reason.")
    async def return_report(
        self, info: Info, template: strawberry.ID, unit: strawberry.ID, period: str, reason: str
    ) -> Report:
        return await _step(
            info,
            "returnReport",
            Action.REVIEW_REPORTS,
            template,
            unit,
            period,
            lambda w, at: w.send_back(at, reason),
            reason,
        )

    @strawberry.mutation(description="Unlock an approved report, with the reason.")
    async def reopen_report(
        self, info: Info, template: strawberry.ID, unit: strawberry.ID, period: str, reason: str
    ) -> Report:
        return await _step(
            info,
            "reopenReport",
            Action.REVIEW_REPORTS,
            template,
            unit,
            period,
            lambda w, at: w.reopen(at, reason),
            reason,
        )

    @strawberry.mutation(
        description="Publish the on-time rate of every unit inside `within` whose report is due "
        "(metrics report_forms_due, report_forms_on_time and report_forms_submitted); the "
        "scheduler's daily job does it by itself."
    )
    async def publish_reporting_compliance(
        self, info: Info, template: strawberry.ID, period: str, within: strawberry.ID
    ) -> ReportingCompliance:
        target = {"template": str(template), "period": period, "within": str(within)}
        name = "publishReportingCompliance"
        hub = info.context.hub
        principal = await actor_of(info, Action.PUBLISH_COMPLIANCE, name, target)
        moment = Moment.current(hub)

        def start(add_row: OnStart) -> ReportingCompliance:
            with api_errors(), hub.db.sessions() as session:
                found = find_compliance(session, principal, template, period, within, moment)
                periods = [found.period]
                sources = form_freshness(hub, session, found.template, periods, moment.now)
            try:
                publish(hub, found, on_start=add_row)
            except RunInProgress as exc:
                raise Conflict(str(exc)) from None
            return _compliance(found, sources)

        return await audited_run(info, name, target, start)
