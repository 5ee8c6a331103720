"""Compliance: which units filed a form for a period on time, late, or not at all.

Every unit that files the form (the filling level and the levels above it) inside a territory
counts. The on-time rate is published as observations of the core's metrics
``report_forms_due``, ``report_forms_on_time`` and ``report_forms_submitted`` (by form),
through the same validation and upsert path as any connector's data, so ``aggregate`` answers
it like any other indicator (``report_forms_on_time_rate``, ``report_forms_submitted_rate``).
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from sqlalchemy.orm import Session

from hub.connectors import records
from hub.connectors.runtime import OnStart, RunInProgress, load_records
from hub.model import AdminUnit, Report, ReportTemplateRow
from hub.periods import Period
from hub.reports.assemble import locate
from hub.reports.definitions import (
    FORM_DIMENSION,
    FORMS_DUE,
    FORMS_ON_TIME,
    FORMS_SUBMITTED,
    SOURCE,
)
from hub.reports.schedule import WorkingDays, deadline, working_days
from hub.reports.store import report_states, reports_of
from hub.reports.template import Template
from hub.reports.timeliness import Timeliness, timeliness
from hub.units.queries import descendants_on_days

if TYPE_CHECKING:
    from hub.core import Hub
    from hub.model import SyncRun

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class UnitCompliance:
    unit: AdminUnit
    report: Report | None
    deadline: date
    timeliness: Timeliness


@dataclass(frozen=True)
class Compliance:
    """A form's compliance for one period inside one territory."""

    template: Template
    period: Period
    within: AdminUnit
    units: list[UnitCompliance]

    def count(self, which: Timeliness) -> int:
        return Counter(entry.timeliness for entry in self.units)[which]

    @property
    def due(self) -> int:
        """Reports that had to be in by now: submitted ones, and missing ones."""
        return sum(1 for entry in self.units if entry.timeliness is not Timeliness.NOT_DUE)

    @property
    def on_time_rate(self) -> float | None:
        """On-time reports per 100 due; None while none is due."""
        return 100.0 * self.count(Timeliness.ON_TIME) / self.due if self.due else None


def compliance(
    session: Session,
    row: ReportTemplateRow,
    template: Template,
    within: AdminUnit,
    period: Period,
    today: date,
    days: WorkingDays | None = None,
) -> Compliance:
    """Every unit inside ``within`` (itself included) that files the form, and how it did."""
    return compliances(session, row, template, [(within, period)], today, days)[0]


def compliances(
    session: Session,
    row: ReportTemplateRow,
    template: Template,
    territories: Sequence[tuple[AdminUnit, Period]],
    today: date,
    days: WorkingDays | None = None,
) -> list[Compliance]:
    """:func:`compliance` of several (territory, period) pairs, in their order.

    A board of many periods costs a few queries, not a few per period: each territory's
    units are read once for all its periods, and the reports of all of them at once.
    """
    trees: dict[int, dict[date, list[AdminUnit]]] = {}
    for unit_id in {within.id for within, _ in territories}:
        days_of = [period.end for within, period in territories if within.id == unit_id]
        trees[unit_id] = descendants_on_days(session, unit_id, days_of)
    filing = [
        [unit for unit in [within, *trees[within.id][period.end]] if template.files_at(unit.level)]
        for within, period in territories
    ]
    unit_ids = {unit.id for units in filing for unit in units}
    reports = report_states(session, row.id, unit_ids, {period.id for _, period in territories})
    found = []
    for (within, period), units in zip(territories, filing, strict=True):
        entries = []
        for unit in units:
            due = deadline(template, unit.level, period, days)
            report = reports.get((unit.id, period.id))
            entries.append(UnitCompliance(unit, report, due, timeliness(report, due, today)))
        found.append(Compliance(template, period, within, entries))
    return found


def compliance_records(found: Compliance) -> list[records.Observation]:
    """The observations of the metrics for every unit whose report is due."""
    made: list[records.Observation] = []
    dims = {FORM_DIMENSION: found.template.code}
    for entry in found.units:
        if entry.timeliness is Timeliness.NOT_DUE:
            continue
        on_time = 1.0 if entry.timeliness is Timeliness.ON_TIME else 0.0
        submitted = 0.0 if entry.timeliness is Timeliness.MISSING else 1.0
        for metric, value in (
            (FORMS_DUE, 1.0),
            (FORMS_ON_TIME, on_time),
            (FORMS_SUBMITTED, submitted),
        ):
            made.append(
                records.Observation(
                    metric=metric,
                    unit=entry.unit.code,
                    period=found.period.id,
                    value=value,
                    dims=dims,
                    calendar=found.template.calendar.value,
                    source_id=f"{found.template.code}/{entry.unit.code}/{found.period.id}",
                    place=f"report {found.template.code} {entry.unit.code} {found.period.id}",
                )
            )
    return made


def publish(hub: Hub, found: Compliance, on_start: OnStart | None = None) -> SyncRun:
    """Load the compliance observations through the connector runtime (source ``reports``).

    Call it outside any open transaction: the runtime writes in its own (``on_start`` adds
    to the first, which records the run).
    """
    observations = compliance_records(found)
    return load_records(hub, SOURCE, observations, trigger="reports", on_start=on_start)


def publish_unit(hub: Hub, template_code: str, unit_code: str, period_id: str, today: date) -> None:
    """Publish one unit's timeliness (after it submitted); a failure is logged, not raised.

    The submission stands whatever happens here: ``publish`` of the whole territory catches up.
    """
    try:
        with hub.db.sessions() as session:
            located = locate(session, template_code, unit_code, period_id)
            template, unit, period = located.template, located.unit, located.period
            due = deadline(template, unit.level, period, working_days(hub.settings))
            report = reports_of(session, located.row.id, [unit.id], period.id).get(unit.id)
            entry = UnitCompliance(unit, report, due, timeliness(report, due, today))
        publish(hub, Compliance(template, period, unit, [entry]))
    except RunInProgress:
        log.info(
            "compliance of %s %s %s: another publication is running",
            template_code,
            unit_code,
            period_id,
        )
    except Exception:  # reporting must not fail a submission that was recorded
        log.exception(
            "compliance of %s %s %s could not be published", template_code, unit_code, period_id
        )
