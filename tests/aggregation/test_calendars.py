"""Both calendars: daily data rolls up into either, longer data only where periods nest."""

from __future__ import annotations

import random
from datetime import date, timedelta

import pytest

from hub.aggregation import AggregationError
from hub.connectors.records import Observation as Record
from hub.core import Hub
from hub.periods import Calendar, parse_period
from tests.aggregation import reference
from tests.aggregation.conftest import PROVINCE, ask, by_unit_period, load

FIRST_DAY, LAST_DAY = date(2023, 12, 1), date(2024, 3, 31)


def daily(unit: str, seed: int) -> list[tuple[date, int]]:
    rnd = random.Random(seed)
    days = (LAST_DAY - FIRST_DAY).days + 1
    every = [FIRST_DAY + timedelta(days=n) for n in range(days)]
    return [(day, rnd.randint(0, 9)) for day in every if rnd.random() < 0.8]


@pytest.mark.parametrize("metric", ["tested", "inpatients"])
@pytest.mark.parametrize("calendar", ["GREGORIAN", "ND09"])
def test_daily_data_rolls_up_into_either_calendar(hub: Hub, metric: str, calendar: str) -> None:
    series = {"90001": daily("90001", 1), "90004": daily("90004", 2)}
    load(hub, [Record(metric, u, d.isoformat(), v) for u, days in series.items() for d, v in days])
    plain = [reference.Value(u, d, d, v) for u, days in series.items() for d, v in days]
    aggregation = {"tested": "SUM", "inpatients": "AVERAGE_SUM_UNITS"}[metric]
    asked = [("MONTH", "2024-01", "2024-03"), ("QUARTER", "2024-Q1", "2024-Q1")]
    for period_type, first, last in asked:
        found = ask(
            hub, metric, period_type, first, last, units=[PROVINCE], calendar=Calendar(calendar)
        )
        assert len(found) == (3 if period_type == "MONTH" else 1)
        for value in found:
            period = parse_period(value.period, calendar)
            want = reference.expected(aggregation, plain, set(series), period.start, period.end)
            assert value.value == pytest.approx(want.value), (calendar, value.period)


def test_a_reporting_month_runs_from_the_15th_to_the_14th(hub: Hub) -> None:
    load(
        hub,
        [Record("tested", "90001", "2024-01-14", 1), Record("tested", "90001", "2024-01-15", 10)],
    )
    nd09 = ask(
        hub, "tested", "MONTH", "2024-01", "2024-02", units=["90001"], calendar=Calendar.ND09
    )
    assert by_unit_period(nd09) == {("90001", "2024-01"): 1, ("90001", "2024-02"): 10}
    (year,) = ask(hub, "tested", "YEAR", "2024", "2024", units=["90001"], calendar=Calendar.ND09)
    assert year.value == 11


def test_reporting_months_nest_in_reporting_quarters_and_years(hub: Hub) -> None:
    load(
        hub,
        [
            Record("tested", "90001", "2024-01", 1, calendar="ND09"),
            Record("tested", "90001", "2024-03", 2, calendar="ND09"),
            Record("tested", "90001", "2024-04", 4, calendar="ND09"),
        ],
    )
    quarters = ask(
        hub, "tested", "QUARTER", "2024-Q1", "2024-Q2", units=["90001"], calendar=Calendar.ND09
    )
    assert [q.value for q in quarters] == [3, 4]
    (year,) = ask(hub, "tested", "YEAR", "2024", "2024", units=["90001"], calendar=Calendar.ND09)
    assert year.value == 7


def test_gregorian_months_do_not_roll_up_into_reporting_periods(hub: Hub) -> None:
    load(hub, [Record("tested", "90001", "2024-01", 1)])
    with pytest.raises(AggregationError, match="GREGORIAN calendar") as refused:
        ask(hub, "tested", "QUARTER", "2024-Q1", "2024-Q1", units=["90001"], calendar=Calendar.ND09)
    assert refused.value.argument == "periodType"
    assert "15th to the 14th" in str(refused.value)


def test_reporting_months_do_not_roll_up_into_gregorian_periods(hub: Hub) -> None:
    load(hub, [Record("tested", "90001", "2024-01", 1, calendar="ND09")])
    with pytest.raises(AggregationError, match="ND09 calendar"):
        ask(hub, "tested", "YEAR", "2024", "2024", units=["90001"])


def test_a_yearly_value_is_not_split_into_months(hub: Hub) -> None:
    load(hub, [Record("tested", "90001", "2024", 120)])
    with pytest.raises(AggregationError, match="collected by YEAR") as refused:
        ask(hub, "tested", "MONTH", "2024-01", "2024-12", units=["90001"])
    assert refused.value.argument == "periodType"
    assert "ask for periodType YEAR" in str(refused.value)


def test_a_week_belongs_to_the_year_that_holds_its_thursday(hub: Hub) -> None:
    assert parse_period("2026-W01").start == date(2025, 12, 29)
    assert parse_period("2026-W53").end == date(2027, 1, 3)
    weeks = {"2025-W52": 1, "2026-W01": 10, "2026-W53": 100, "2027-W01": 1000}
    load(hub, [Record("tested", "90001", week, value) for week, value in weeks.items()])
    years = by_unit_period(ask(hub, "tested", "YEAR", "2025", "2027", units=["90001"]))
    assert years == {("90001", "2025"): 1, ("90001", "2026"): 110, ("90001", "2027"): 1000}
    with pytest.raises(AggregationError, match="collected by WEEK"):
        ask(hub, "tested", "MONTH", "2026-01", "2026-01", units=["90001"])


def test_days_roll_up_into_iso_weeks(hub: Hub) -> None:
    days = [date(2025, 12, 28) + timedelta(days=n) for n in range(9)]  # Sunday to Monday
    load(hub, [Record("tested", "90001", day.isoformat(), 1) for day in days])
    weeks = ask(hub, "tested", "WEEK", "2025-W52", "2026-W02", units=["90001"])
    assert [(w.period, w.value) for w in weeks] == [
        ("2025-W52", 1),
        ("2026-W01", 7),
        ("2026-W02", 1),
    ]
