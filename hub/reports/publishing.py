"""Keeping the published on-time rate current: the scheduler's daily compliance job.

A submission publishes its own unit's figures at once, but a report that never comes in must
be published as missing once its deadline passes, and the levels above become due days later.
The job publishes, for every form, the compliance of every period whose filling level's
deadline has passed and whose cut-off lies within ``[reports] compliance_lookback_days`` (and
at least the latest such period), for each territory of ``[reports] compliance_within``
(default: the aggregation's ``default_within``, else every top-level unit valid at the
period's cut-off).

A period that no unit of a territory has filed anything for is left out: the form was not in
use there yet (a form installed today must not make every past month 0 %). Publishing goes
through the connector runtime (source ``reports``) and upserts by natural key, so running the
job again writes the same observations; a late report changes its unit's figures on the next
run (or at once, when it is submitted).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.connectors.runtime import load_records
from hub.model import AdminUnit
from hub.periods import Period, period_of
from hub.reports.compliance import Compliance, compliance, compliance_records
from hub.reports.definitions import SOURCE
from hub.reports.errors import InputError
from hub.reports.schedule import WorkingDays, deadline, previous, working_days
from hub.reports.store import all_templates, unit_on
from hub.reports.template import Template
from hub.reports.timeliness import LOCAL_TIME
from hub.units.queries import valid_on

if TYPE_CHECKING:
    from hub.core import Hub
    from hub.model import SyncRun

log = logging.getLogger(__name__)

JOB_ID = "reports-compliance"


@dataclass
class Published:
    """What one run of the job published."""

    compliances: list[Compliance] = field(default_factory=list)
    run: SyncRun | None = None

    @property
    def observations(self) -> int:
        return sum(len(compliance_records(found)) for found in self.compliances)

    def describe(self) -> str:
        periods = sorted({(c.template.code, c.period.id) for c in self.compliances})
        listed = ", ".join(f"{code} {period}" for code, period in periods) or "nothing due"
        return f"compliance published: {listed} ({self.observations} observations)"


def periods_due(
    template: Template, today: date, days: WorkingDays, lookback_days: int
) -> list[Period]:
    """The form's periods whose filling level's deadline has passed, recent ones, oldest first.

    Recent: the cut-off lies at most ``lookback_days`` before ``today``; the latest period
    whose deadline passed is always one of them (a yearly form's last year).
    """
    horizon = today - timedelta(days=lookback_days)
    period = period_of(today, template.period_type, template.calendar)
    found: list[Period] = []
    while True:
        if deadline(template, template.filling_level, period, days) < today:
            if found and period.end < horizon:
                break
            found.append(period)
        elif period.end < horizon:
            break
        period = previous(period)
    return found[::-1]


def territories(session: Session, codes: list[str], day: date) -> list[AdminUnit]:
    """The units of ``codes`` on ``day`` (unknown ones are logged and skipped), or every
    top-level unit valid that day when no code is given."""
    if not codes:
        query = select(AdminUnit).where(AdminUnit.parent_id.is_(None), valid_on(day))
        return list(session.scalars(query.order_by(AdminUnit.code)))
    found = []
    for code in codes:
        try:
            found.append(unit_on(session, code, day))
        except InputError as exc:
            log.warning("compliance job: %s", exc)
    return found


def due_compliance(
    session: Session, today: date, days: WorkingDays, codes: list[str], lookback_days: int
) -> list[Compliance]:
    """The compliance of every form, recent period due and territory in use (see the module)."""
    found = []
    for row, template in all_templates(session):
        for period in periods_due(template, today, days, lookback_days):
            for within in territories(session, codes, period.end):
                entry = compliance(session, row, template, within, period, today, days)
                in_use = any(unit.report is not None for unit in entry.units)
                if entry.due and in_use:
                    found.append(entry)
    return found


def publish_due_compliance(hub: Hub, now: datetime | None = None) -> Published:
    """The job: publish the compliance of every recent period due, in one run of ``reports``.

    Raises RunInProgress when another publication is running (the next run catches up).
    """
    from hub.reports import clock

    today = (now or clock.now()).astimezone(LOCAL_TIME).date()
    settings = hub.settings.reports
    codes = settings.compliance_within or (
        [hub.settings.aggregation.default_within] if hub.settings.aggregation.default_within else []
    )
    with hub.db.sessions() as session:
        found = due_compliance(
            session, today, working_days(hub.settings), codes, settings.compliance_lookback_days
        )
    published = Published(found)
    items = [item for entry in found for item in compliance_records(entry)]
    if items:
        published.run = load_records(hub, SOURCE, items, trigger="schedule")
    log.info("%s", published.describe())
    return published
