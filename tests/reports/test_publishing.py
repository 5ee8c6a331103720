"""The daily compliance job: publishes the periods due, the same on a re-run, late reports too.

March 2025 in the Decree 09 calendar (15 February – Friday 14 March): communes are due on
Tuesday 18 March, districts on Thursday 20 March, the province on Monday 24 March.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from apscheduler.triggers.cron import CronTrigger
from sqlalchemy import select

from hub.aggregation import AggregateRequest, aggregate
from hub.core import Hub
from hub.model import AdminUnit, Metric, Observation
from hub.periods import parse_period
from hub.reports.publishing import JOB_ID, periods_due, publish_due_compliance
from hub.reports.schedule import WorkingDays
from hub.reports.template import template_from_dict
from hub.scheduler.scheduler import HubScheduler
from tests.reports.conftest import FORM, Corner, file_report, local, seed_corner

MARCH = "2025-03"


def published(hub: Hub) -> dict[tuple[str, str, str], float]:
    with hub.db.sessions() as session:
        rows = session.execute(
            select(Metric.code, AdminUnit.code, Observation.period, Observation.value)
            .join(Metric, Metric.id == Observation.metric_id)
            .join(AdminUnit, AdminUnit.id == Observation.unit_id)
        ).all()
    return {(metric, unit, period): value for metric, unit, period, value in rows}


def rate(hub: Hub, indicator: str, unit: str = "62") -> float | None:
    request = AggregateRequest(
        metric=indicator,
        period_type="MONTH",
        start=MARCH,
        end=MARCH,
        calendar="ND09",
        units=(unit,),
        as_of=parse_period(MARCH, "ND09").end,
    )
    (value,) = aggregate(hub.db, request)
    return value.value


def test_the_job_publishes_the_periods_due_and_the_same_again(corner: Corner) -> None:
    hub = corner.hub
    file_report(hub, "23281", MARCH, {"D6": 1}, local(2025, 3, 17))
    file_report(hub, "23284", MARCH, {"D6": 1}, local(2025, 3, 18, 22))
    first = publish_due_compliance(hub, local(2025, 3, 19))
    assert first.run is not None and first.run.status == "SUCCEEDED"
    # Only March was in use; of it only the communes are due on 19 March (5 units × 3 metrics).
    assert [(c.template.code, c.period.id, c.within.code) for c in first.compliances] == [
        ("TEST-01", MARCH, "62")
    ]
    once = published(hub)
    assert len(once) == 15
    assert {unit for _, unit, _ in once} == {"23281", "23284", "23287", "23341", "23353"}
    assert rate(hub, "report_forms_on_time_rate") == 100 * 2 / 5
    again = publish_due_compliance(hub, local(2025, 3, 19))
    assert again.run is not None and again.run.id != first.run.id
    assert published(hub) == once  # idempotent: the same observations, no more


def test_a_late_report_changes_what_the_next_run_publishes(corner: Corner) -> None:
    hub = corner.hub
    file_report(hub, "23281", MARCH, {"D6": 1}, local(2025, 3, 17))
    file_report(hub, "23284", MARCH, {"D6": 1}, local(2025, 3, 18))
    publish_due_compliance(hub, local(2025, 3, 19))
    assert published(hub)[("report_forms_submitted", "23287", MARCH)] == 0.0
    assert rate(hub, "report_forms_submitted_rate") == 100 * 2 / 5
    # Quyết Thắng files on 20 March, two days late (the workflow alone does not publish).
    file_report(hub, "23287", MARCH, {"D6": 1}, local(2025, 3, 20))
    publish_due_compliance(hub, local(2025, 3, 20))
    now = published(hub)
    assert now[("report_forms_submitted", "23287", MARCH)] == 1.0
    assert now[("report_forms_on_time", "23287", MARCH)] == 0.0  # late is not on time
    assert rate(hub, "report_forms_submitted_rate") == 100 * 3 / 5
    assert rate(hub, "report_forms_on_time_rate") == 100 * 2 / 5
    # On 21 March the districts are due too: Kon Tum city filed on time, Đắk Glei did not.
    file_report(hub, "608", MARCH, {}, local(2025, 3, 20))
    publish_due_compliance(hub, local(2025, 3, 21))
    assert rate(hub, "report_forms_on_time_rate") == 100 * 3 / 7
    assert rate(hub, "report_forms_submitted_rate") == 100 * 4 / 7


def test_a_period_nobody_filed_for_is_not_published(corner: Corner) -> None:
    outcome = publish_due_compliance(corner.hub, local(2025, 3, 19))
    assert outcome.compliances == [] and outcome.run is None
    assert published(corner.hub) == {}


def test_the_configured_territories_are_published(make_hub: Callable[..., Hub]) -> None:
    # The same corner, with the job limited to Kon Tum city (608).
    seeded = seed_corner(make_hub({"reports": {"compliance_within": ["608", "999"]}}))
    file_report(seeded.hub, "23281", MARCH, {"D6": 1}, local(2025, 3, 17))
    outcome = publish_due_compliance(seeded.hub, local(2025, 3, 19))
    assert [c.within.code for c in outcome.compliances] == ["608"]  # 999 is unknown: skipped
    assert {unit for _, unit, _ in published(seeded.hub)} == {"23281", "23284", "23287"}


def test_the_periods_due_reach_back_over_the_lookback() -> None:
    template = template_from_dict(FORM)
    days = WorkingDays()
    ids = [p.id for p in periods_due(template, date(2025, 3, 19), days, 100)]
    assert ids == ["2024-12", "2025-01", "2025-02", "2025-03"]  # cut-offs 14 Dec … 14 Mar
    ids = [p.id for p in periods_due(template, date(2025, 3, 18), days, 20)]
    assert ids == ["2025-02"]  # March is due on the 18th; the latest due period is kept
    yearly = template_from_dict({**FORM, "period_type": "YEAR"})
    # The ND09 year 2025 runs 15 Dec 2024 – 14 Dec 2025: not due yet; 2024 is the latest due.
    assert [p.id for p in periods_due(yearly, date(2025, 11, 29), days, 100)] == ["2024"]


def test_the_scheduler_runs_the_job_daily_and_it_can_be_switched_off(
    make_hub: Callable[..., Hub],
) -> None:
    hub = make_hub({"reports": {"compliance_schedule": "15 1 * * *"}})
    scheduler = HubScheduler(hub)
    scheduler.start()
    try:
        job = scheduler.scheduler.get_job(JOB_ID)
        assert isinstance(job.trigger, CronTrigger)
        expected = CronTrigger.from_crontab("15 1 * * *", timezone="Asia/Ho_Chi_Minh")
        assert str(job.trigger) == str(expected)
        scheduler.publish_compliance()  # nothing filed: publishes nothing, raises nothing
    finally:
        scheduler.shutdown()
    off = HubScheduler(make_hub({"reports": {"compliance_schedule": ""}}))
    off.start()
    try:
        assert off.scheduler.get_job(JOB_ID) is None
    finally:
        off.shutdown()
