"""Demo reports for ``iochub demo``: Kon Tum's communes file the shipped monthly form.

Kon Tum's communes are those of today's map whose territory was Kon Tum's (province 62 until
30 June 2025; since then its 40 communes belong to Quảng Ngãi, 51). For the last two
reporting months whose deadline has passed, and the month a year before the last (for the
"same period last year" columns), each commune saves, submits and has its report approved,
through the workflow; in the last month a few are late, a few only submitted, and a few
missing, so that the compliance and the roll-up have something to say. Values are made up,
in realistic ranges, the same on every run.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.model import AdminLevel, AdminUnit, Succession
from hub.periods import Period, parse_period
from hub.reports.assemble import locate
from hub.reports.compliance import Compliance, compliance, publish
from hub.reports.principal import Actor
from hub.reports.schedule import WorkingDays, deadline, last_year, previous, working_days
from hub.reports.store import install_shipped_forms, load_template
from hub.reports.template import Template
from hub.reports.timeliness import LOCAL_TIME
from hub.reports.workflow import Workflow
from hub.units.queries import descendants, valid_on

if TYPE_CHECKING:
    from hub.core import Hub

FORM = "KTXH-XA-THANG"
KON_TUM, LEGACY_END = "62", date(2025, 6, 30)
REVIEWER = Actor("ubnd.tinh", None)
Progress = Callable[[str, int, int], None]
LATE, SUBMITTED_ONLY, MISSING = 3, 2, 4
"""How many communes, in the last month, file late, are not yet approved, or file nothing."""


@dataclass
class DemoReports:
    """What was loaded, for the demo to print."""

    forms: list[str] = field(default_factory=list)
    communes: int = 0
    filed: dict[str, int] = field(default_factory=dict)
    province: str | None = None
    last_month: str | None = None

    def describe(self) -> str:
        months = ", ".join(f"{period}: {count}" for period, count in self.filed.items())
        return (
            f"reports      {FORM}, {self.communes} communes of Kon Tum; reports per month: {months}"
        )

    def queries(self) -> list[str]:
        """GraphQL queries worth trying on the demo data."""
        if self.province is None or self.last_month is None:
            return []
        period = self.last_month
        return [
            f'{{ report(template: "{FORM}", unit: "{self.province}", period: "{period}") '
            "{ status lateUnits { name } missingUnits { name } "
            "lowerUnits { unit { name } timeliness included } cells { address value display } } }",
            f'{{ reportingCompliance(template: "{FORM}", period: "{period}", within: '
            f'"{self.province}") {{ due onTime late missing onTimeRate }} }}',
        ]


def load_demo_reports(
    hub: Hub, today: date | None = None, progress: Progress | None = None
) -> DemoReports:
    """Install the shipped forms and file the demo reports; publish their compliance.

    Needs the administrative units loaded; takes some 20 seconds (every report's formulas
    run through the formula engine). ``progress(stage, done, total)`` is told how far it got
    (the CLI's ``output.progress_bar()`` fits). For a fresh demo database only: a second run
    finds the reports approved and stops with a WorkflowConflict.
    """
    today = today or datetime.now(LOCAL_TIME).date()
    report = progress or _quiet
    summary = DemoReports(forms=install_shipped_forms(hub.db, hub.definitions.metrics))
    with hub.db.sessions() as session:
        _, template = load_template(session, FORM)
        communes = kon_tum_communes(session, today)
    if not communes:
        return summary
    summary.communes = len(communes)
    days = working_days(hub.settings)
    current = _closed_month(template, today, days)
    months = [last_year(current), previous(current), current]
    for period in [month for month in months if month is not None]:
        stage = f"reports {period.id}"
        filed = _file_month(
            hub,
            period,
            communes,
            period == current,
            days,
            lambda done, total, stage=stage: report(stage, done, total),
        )
        summary.filed[period.id] = filed
    summary.province, summary.last_month = _province_code(hub, communes[0]), current.id
    for period in [month for month in months if month is not None]:
        _publish(hub, period, communes, today, days)
    return summary


def _quiet(stage: str, done: int, total: int) -> None:
    """A progress callback that reports nowhere."""


def kon_tum_communes(session: Session, day: date) -> list[str]:
    """The codes of the communes valid on ``day`` whose territory was Kon Tum's."""
    province = session.scalar(
        select(AdminUnit).where(AdminUnit.code == KON_TUM, valid_on(LEGACY_END))
    )
    if province is None:
        return []
    legacy = [unit.id for unit in descendants(session, province.id, LEGACY_END)]
    successors = select(Succession.successor_id).where(Succession.predecessor_id.in_(legacy))
    rows = session.scalars(
        select(AdminUnit)
        .where(AdminUnit.id.in_(successors), AdminUnit.level == AdminLevel.COMMUNE, valid_on(day))
        .order_by(AdminUnit.code)
    )
    return [row.code for row in rows]


def _closed_month(template: Template, today: date, days: WorkingDays) -> Period:
    """The last reporting month whose communes' deadline has passed by ``today``."""
    month = parse_period(f"{today.year:04d}-{today.month:02d}", template.calendar)
    while deadline(template, template.filling_level, month, days) >= today:
        month = previous(month)
    return month


def _file_month(
    hub: Hub,
    period: Period,
    communes: list[str],
    last: bool,
    days: WorkingDays,
    progress: Callable[[int, int], None],
) -> int:
    """Each commune saves and submits; the province approves them all, then rolls up once."""
    missing = set(communes[-MISSING:]) if last else set()
    late = set(communes[:LATE]) if last else set()
    pending = set(communes[LATE : LATE + SUBMITTED_ONLY]) if last else set()
    filing = [code for code in communes if code not in missing]
    for done, code in enumerate(filing):
        progress(done, len(filing) + 1)
        submitted = _moment(period.end + timedelta(days=6 if code in late else 1))
        with hub.db.session() as session:
            located = locate(session, FORM, code, period.id)
            filer = Workflow(session, Actor(f"vanthu.{code}", code), now=submitted, days=days)
            filer.save(located, demo_values(code, period))
            filer.submit(located)
    with hub.db.session() as session:
        template = load_template(session, FORM)[1]
        due = deadline(template, template.filling_level, period, days)
        reviewer = Workflow(
            session,
            REVIEWER,
            now=_moment(due + timedelta(days=7), hour=15),
            days=days,
            defer_parents=True,
        )
        for code in filing:
            if code not in pending:
                reviewer.approve(locate(session, FORM, code, period.id))
        reviewer.refresh_parents()
    progress(len(filing) + 1, len(filing) + 1)
    return len(filing)


def demo_values(code: str, period: Period) -> dict[str, float]:
    """A commune's made-up figures for a month: stocks steady per commune, flows varying."""
    base = random.Random(f"base-{code}")
    month = random.Random(f"{code}-{period.id}")
    households = base.randint(1500, 6000)
    filed = month.randint(2, 12)
    return {
        "D10": round(month.uniform(20, 150), 1),
        "D11": round(month.uniform(50, 600), 1),
        "D12": base.randint(200, 1500) + month.randint(-20, 20),
        "D13": base.randint(500, 3000) + month.randint(-30, 30),
        "D14": base.randint(1000, 8000) + month.randint(-200, 200),
        "D15": round(month.uniform(0, 30), 1),
        "D16": month.choice([0, 0, 0, 1]),
        "D19": round(month.uniform(50, 400), 1),
        "D20": round(month.uniform(0, 500), 1),
        "D21": round(month.uniform(10, 100), 1),
        "D22": round(month.uniform(800, 2500), 1),
        "D23": base.randint(8, 19),
        "D26": month.randint(5, 30),
        "D27": month.randint(1, 10),
        "D29": base.randint(80, 300),
        "D30": month.randint(5, 25),
        "D32": month.randint(0, 8),
        "D34": month.randint(0, 3),
        "D36": month.randint(10, 60),
        "D37": households,
        "D38": round(households * base.uniform(0.05, 0.25)),
        "D41": month.randint(0, 3),
        "D42": month.randint(0, 2),
        "D43": month.randint(0, 4),
        "D44": filed,
        "D45": month.randint(0, filed),
    }


def _moment(day: date, hour: int = 9) -> datetime:
    return datetime.combine(day, time(hour), LOCAL_TIME)


def _province_code(hub: Hub, commune: str) -> str | None:
    with hub.db.sessions() as session:
        unit = session.scalar(
            select(AdminUnit).where(AdminUnit.code == commune, AdminUnit.valid_to.is_(None))
        )
        parent = session.get(AdminUnit, unit.parent_id) if unit and unit.parent_id else None
        return parent.code if parent else None


def _publish(hub: Hub, period: Period, communes: list[str], today: date, days: WorkingDays) -> None:
    """Publish a month's on-time rate of Kon Tum's communes."""
    with hub.db.sessions() as session:
        row, template = load_template(session, FORM)
        located = locate(session, FORM, communes[0], period.id)
        parent = session.get(AdminUnit, located.unit.parent_id)
        if parent is None:
            return
        found = compliance(session, row, template, parent, period, today, days)
    ours = [entry for entry in found.units if entry.unit.code in set(communes)]
    publish(hub, Compliance(template, period, found.within, ours))
