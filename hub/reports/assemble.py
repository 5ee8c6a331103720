"""A report put together: its cells' values, its lower units, its deadline and standing.

The values of a report that is not approved are computed afresh from what it reads: the cells
typed in, the lower units' approved reports (for a unit above the filling level), the
metrics, and the same unit's reports of other periods. An approved report is locked: it shows
the values it was approved with, the other periods' values as they read then (its workbook
too, on every sheet), and says when anything it read changed since (``stale``): a
lower unit's report, another period's values, a metric, what the form says (saving the
same form again changes nothing). It must then be reopened to
take the change in.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, replace
from datetime import date

from sqlalchemy.orm import Session

from hub.model import AdminLevel, AdminUnit, Report, ReportStatus, ReportTemplateRow
from hub.periods import Period
from hub.reports.cells import CellValue, from_json, to_json
from hub.reports.errors import InputError
from hub.reports.metric_cells import metric_values
from hub.reports.predecessors import inherited_values
from hub.reports.rollup import basis_of, lower_units, roll_up, rolls_up
from hub.reports.schedule import (
    WorkingDays,
    deadline,
    earlier_this_year,
    last_year,
    opens_on,
    previous,
    report_period,
)
from hub.reports.sheet import Computed, OtherPeriods, compute
from hub.reports.store import (
    find_report,
    load_template,
    reports_in_periods,
    reports_of,
    unit_on,
)
from hub.reports.template import Template
from hub.reports.timeliness import Timeliness, timeliness

NOT_STARTED = "NOT_STARTED"
MOST_RECOMPUTED = 24
"""How many of the unit's unapproved reports of other periods one report computes again."""


@dataclass(frozen=True)
class Located:
    """Which report: the form, the unit (valid at the period's cut-off) and the period."""

    row: ReportTemplateRow
    template: Template
    unit: AdminUnit
    period: Period


@dataclass(frozen=True)
class LowerReport:
    """A lower unit's report as the roll-up sees it."""

    unit: AdminUnit
    report: Report | None
    deadline: date
    timeliness: Timeliness

    @property
    def included(self) -> bool:
        """Whether its values are in the roll-up (only approved reports are)."""
        return self.report is not None and self.report.status == ReportStatus.APPROVED


@dataclass(frozen=True)
class Gathered:
    """Everything a report's formulas read, before they run."""

    known: dict[str, CellValue]
    """The values of the cells that are not formulas: typed, rolled up, from metrics."""
    other: OtherPeriods
    lower: list[LowerReport]
    basis: dict[str, int]
    """The approved lower reports the roll-up is made of, with their versions."""
    fingerprint: str
    """Changes whenever anything the formulas read changes (or the form does)."""


@dataclass(frozen=True)
class ReportView:
    """Everything the API shows of a report."""

    located: Located
    report: Report | None
    values: dict[str, CellValue]
    ytd: dict[str, CellValue]
    lower: list[LowerReport]
    deadline: date
    opens_on: date
    timeliness: Timeliness
    stale: bool
    other: OtherPeriods
    """What the report's PREV, LASTYEAR and YTD read (and whether from predecessors); for a
    report shown as stored (an approved one), what they read when it was computed."""

    @property
    def status(self) -> str:
        return self.report.status if self.report is not None else NOT_STARTED


def locate(session: Session, template_code: str, unit_code: str, period_id: str) -> Located:
    """Find the form, period and unit; InputError if the unit does not file this form."""
    row, template = load_template(session, template_code)
    period = report_period(template, period_id)
    unit = unit_on(session, unit_code, period.end)
    if not template.files_at(unit.level):
        levels = ", ".join(level.value for level in template.levels)
        raise InputError(
            f"{unit.name} ({unit.code}) is a {unit.level}; the form {template.code!r} is "
            f"filed at the levels {levels}"
        )
    return Located(row, template, unit, period)


def gather(
    session: Session,
    located: Located,
    inputs: dict[str, object],
    days: WorkingDays,
    today: date,
    recomputed: dict[str, dict[str, CellValue]] | None = None,
) -> Gathered:
    """What the report's formulas read: ``inputs`` and the values of other reports.

    ``recomputed``: the unit's reports of other periods computed again so far, by period id
    (shared while the periods they read are gathered in turn).
    """
    template, unit, period = located.template, located.unit, located.period
    known: dict[str, CellValue] = {
        address: from_json(inputs.get(address))
        for address, cell in template.cells.items()
        if template.typed_at(cell, unit.level)
    }
    lower = lower_reports(session, located, days, today)
    approved = [each.report for each in lower if each.included and each.report is not None]
    if rolls_up(template, unit):
        known.update(roll_up(template, approved))
    known.update(metric_values(session, template, unit, period))
    other = other_periods(session, located, days, today, {} if recomputed is None else recomputed)
    basis = basis_of(approved)
    return Gathered(known, other, lower, basis, _fingerprint(located, known, other, basis))


def calculate(gathered: Gathered, located: Located) -> Computed:
    """Run the form's formulas on what was gathered."""
    return compute(located.template, gathered.known, gathered.other)


def _fingerprint(
    located: Located, known: dict[str, CellValue], other: OtherPeriods, basis: dict[str, int]
) -> str:
    ytd = {cell: other.ytd_before(cell) for cell in located.template.cells}
    content = [
        form_fingerprint(located.row),
        basis,
        {k: to_json(v) for k, v in known.items()},
        {k: to_json(v) for k, v in other.previous.items()},
        {k: to_json(v) for k, v in other.last_year.items()},
        ytd,
    ]
    return hashlib.sha256(json.dumps(content, sort_keys=True).encode()).hexdigest()


def form_fingerprint(row: ReportTemplateRow) -> str:
    """What the form says, as a digest: saving the same form again does not change it."""
    return hashlib.sha256(json.dumps(row.definition, sort_keys=True).encode()).hexdigest()


def period_snapshot(template: Template, other: OtherPeriods) -> dict[str, object]:
    """What a report read of its other periods, to keep with it (see :func:`snapshot_of`)."""
    ytd_before = {cell: before for cell in template.cells if (before := other.ytd_before(cell))}
    return {
        "previous": {k: to_json(v) for k, v in other.previous.items()},
        "last_year": {k: to_json(v) for k, v in other.last_year.items()},
        "ytd_before": ytd_before,
        "estimated": other.estimated,
        "predecessors": list(other.predecessors),
    }


def snapshot_of(report: Report) -> OtherPeriods | None:
    """The other periods' values as the report read them when it was last computed (None
    for a report computed before they were kept)."""
    kept = report.basis.get("periods")
    if not isinstance(kept, dict):
        return None
    return OtherPeriods(
        previous={k: from_json(v) for k, v in kept["previous"].items()},
        last_year={k: from_json(v) for k, v in kept["last_year"].items()},
        earlier_this_year=[{k: float(v) for k, v in kept["ytd_before"].items()}],
        estimated=bool(kept["estimated"]),
        predecessors=tuple(kept["predecessors"]),
    )


def current_values(
    session: Session,
    located: Located,
    report: Report,
    days: WorkingDays,
    today: date,
    recomputed: dict[str, dict[str, CellValue]],
) -> dict[str, CellValue]:
    """The values of ``report`` (of another period than the one asked) as they stand now.

    An approved report's are the values it was approved with. Another's are computed again if
    anything it reads changed since they were stored (a late metric, a period it reads in
    turn), as its own view would show them; past :data:`MOST_RECOMPUTED` such reports for one
    report, the older ones are read as stored.
    """
    stored = stored_cells(report)[0]
    if report.status == ReportStatus.APPROVED or len(recomputed) >= MOST_RECOMPUTED:
        return stored
    if report.period not in recomputed:
        recomputed[report.period] = stored  # a placeholder while its own periods are gathered
        gathered = gather(session, located, report.inputs, days, today, recomputed)
        if report.basis.get("fingerprint") != gathered.fingerprint:
            recomputed[report.period] = calculate(gathered, located).values
    return recomputed[report.period]


def lower_reports(
    session: Session, located: Located, days: WorkingDays, today: date
) -> list[LowerReport]:
    units = lower_units(session, located.template, located.unit, located.period)
    reports = reports_of(session, located.row.id, (unit.id for unit in units), located.period.id)
    found = []
    for unit in units:
        due = deadline(located.template, unit.level, located.period, days)
        report = reports.get(unit.id)
        found.append(LowerReport(unit, report, due, timeliness(report, due, today)))
    return found


def other_periods(
    session: Session,
    located: Located,
    days: WorkingDays,
    today: date,
    recomputed: dict[str, dict[str, CellValue]],
) -> OtherPeriods:
    """The unit's values, as they stand, in the periods that PREV, LASTYEAR and YTD read.

    For a period that ended before the unit existed (a 2025 commune asked about June 2025),
    the values come from its predecessors' reports (:mod:`hub.reports.predecessors`).
    """
    period = located.period
    before, year_ago, earlier = previous(period), last_year(period), earlier_this_year(period)
    periods = {p.id: p for p in (before, year_ago, *earlier) if p is not None}
    reports = reports_in_periods(session, located.row.id, located.unit.id, list(periods))
    stored = {
        period_id: current_values(
            session, replace(located, period=periods[period_id]), report, days, today, recomputed
        )
        for period_id, report in reports.items()
    }
    estimated, sources = False, set()
    for other in (before, year_ago, *earlier):
        if other is None or other.id in stored:
            continue
        found = inherited_values(session, located.row, located.template, located.unit, other)
        if found is not None:
            stored[other.id] = found.values
            estimated = estimated or found.estimated
            sources.update(found.unit_ids)
    return OtherPeriods(
        previous=stored.get(before.id, {}),
        last_year=stored.get(year_ago.id, {}) if year_ago else {},
        earlier_this_year=[stored[p.id] for p in earlier if p.id in stored],
        estimated=estimated,
        predecessors=tuple(sorted(sources)),
    )


def view(session: Session, located: Located, days: WorkingDays, today: date) -> ReportView:
    """The report as it stands: as approved, as last stored if nothing changed, or afresh."""
    report = find_report(session, located.row.id, located.unit.id, located.period.id)
    gathered = gather(session, located, report.inputs if report else {}, days, today)
    stale, other = False, gathered.other
    if report is not None and (
        report.status == ReportStatus.APPROVED
        or report.basis.get("fingerprint") == gathered.fingerprint
    ):
        values, ytd = stored_cells(report)
        other = snapshot_of(report) or other
        stale = report.status == ReportStatus.APPROVED and (
            report.basis.get("fingerprint") != gathered.fingerprint
        )
    else:
        computed = calculate(gathered, located)
        values, ytd = computed.values, computed.ytd
    due = deadline(located.template, AdminLevel(located.unit.level), located.period, days)
    return ReportView(
        located=located,
        report=report,
        values=values,
        ytd=ytd,
        lower=gathered.lower,
        deadline=due,
        opens_on=opens_on(located.template, located.period),
        timeliness=timeliness(report, due, today),
        stale=stale,
        other=other,
    )


def stored_cells(report: Report) -> tuple[dict[str, CellValue], dict[str, CellValue]]:
    """The values a report stored when it was last computed, and its year-to-date values."""
    values = {address: from_json(value) for address, value in report.values.items()}
    ytd = {address: from_json(value) for address, value in (report.basis.get("ytd") or {}).items()}
    return values, ytd
