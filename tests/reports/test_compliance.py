"""Compliance per form, period and unit, and the on-time rate published as a metric."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from hub.model import AdminUnit, Metric, Observation
from hub.periods import parse_period
from hub.reports.compliance import Compliance, compliance, publish
from hub.reports.store import load_template, unit_on
from hub.reports.timeliness import Timeliness
from tests.reports.conftest import Corner, Desk, file_report, local

MARCH = "2025-03"  # communes due Tuesday 18 March 2025, districts 20 March, province 24 March


def kontum_compliance(corner: Corner, at: datetime) -> Compliance:
    with corner.hub.db.sessions() as session:
        row, template = load_template(session, "TEST-01")
        period = parse_period(MARCH, "ND09")
        province = unit_on(session, "62", period.end)
        return compliance(session, row, template, province, period, at.date())


def test_on_time_late_missing_and_not_yet_due(corner: Corner) -> None:
    file_report(corner.hub, "23281", MARCH, {"D6": 1}, local(2025, 3, 18, 23))
    file_report(corner.hub, "23284", MARCH, {"D6": 1}, local(2025, 3, 19, 0))
    Desk(corner.hub).do("save", "23287", MARCH, local(2025, 3, 14), {"D6": 1})  # a draft only
    file_report(corner.hub, "608", MARCH, {}, local(2025, 3, 19))
    found = kontum_compliance(corner, local(2025, 3, 19))
    by_unit = {entry.unit.code: entry.timeliness for entry in found.units}
    assert by_unit == {
        "62": Timeliness.NOT_DUE,
        "608": Timeliness.ON_TIME,
        "610": Timeliness.NOT_DUE,
        "23281": Timeliness.ON_TIME,
        "23284": Timeliness.LATE,
        "23287": Timeliness.MISSING,
        "23341": Timeliness.MISSING,
        "23353": Timeliness.MISSING,
    }
    assert found.due == 6 and found.count(Timeliness.ON_TIME) == 2
    assert found.on_time_rate == 100 * 2 / 6


def test_the_on_time_rate_is_published_as_observations(corner: Corner) -> None:
    file_report(corner.hub, "23281", MARCH, {"D6": 1}, local(2025, 3, 17))
    file_report(corner.hub, "23284", MARCH, {"D6": 1}, local(2025, 3, 20))
    run = publish(corner.hub, kontum_compliance(corner, local(2025, 3, 19)))
    assert run.status == "SUCCEEDED", run.error
    with corner.hub.db.sessions() as session:
        rows = session.execute(
            select(
                Metric.code,
                AdminUnit.code,
                Observation.value,
                Observation.dims,
                Observation.calendar,
                Observation.period,
            )
            .join(Metric, Metric.id == Observation.metric_id)
            .join(AdminUnit, AdminUnit.id == Observation.unit_id)
        ).all()
    published = {(metric, unit): value for metric, unit, value, *_ in rows}
    submitted = {"23281": 1.0, "23284": 1.0, "23287": 0.0, "23341": 0.0, "23353": 0.0}
    on_time = {"23281": 1.0, "23284": 0.0, "23287": 0.0, "23341": 0.0, "23353": 0.0}
    assert published == {  # the districts and the province are not due yet on 19 March
        **{("report_forms_due", unit): 1.0 for unit in on_time},
        **{("report_forms_on_time", unit): value for unit, value in on_time.items()},
        **{("report_forms_submitted", unit): value for unit, value in submitted.items()},
    }
    assert {(dims["form"], calendar, period) for *_, dims, calendar, period in rows} == {
        ("TEST-01", "ND09", MARCH)
    }
    again = publish(corner.hub, kontum_compliance(corner, local(2025, 3, 19)))
    assert again.status == "SUCCEEDED"
    with corner.hub.db.sessions() as session:
        assert len(session.scalars(select(Observation)).all()) == len(rows)  # idempotent


def test_the_on_time_rate_is_an_indicator_that_aggregate_answers(corner: Corner) -> None:
    from hub.aggregation import AggregateRequest, aggregate

    file_report(corner.hub, "23281", MARCH, {"D6": 1}, local(2025, 3, 17))
    file_report(corner.hub, "23284", MARCH, {"D6": 1}, local(2025, 3, 20))
    publish(corner.hub, kontum_compliance(corner, local(2025, 3, 19)))
    request = AggregateRequest(
        metric="report_forms_on_time_rate",
        period_type="MONTH",
        start=MARCH,
        end=MARCH,
        calendar="ND09",
        units=("608", "610"),
        as_of=parse_period(MARCH, "ND09").end,
    )
    rates = {value.unit.code: value.value for value in aggregate(corner.hub.db, request)}
    assert rates == {"608": 100 * 1 / 3, "610": 0.0}  # a ratio of sums over the communes
