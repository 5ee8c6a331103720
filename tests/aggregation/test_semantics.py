"""DESIGN.md's aggregation rules, each checked against a plain computation of the same data."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hub.aggregation import AggregationError
from hub.connectors.records import Observation as Record
from hub.core import Hub
from hub.periods import parse_period
from tests.aggregation import reference
from tests.aggregation.conftest import (
    COMMUNES,
    DISTRICTS,
    METRICS,
    PROVINCE,
    ask,
    by_unit_period,
    forget_data,
    load,
)

LEVELS = {"PROVINCE": {PROVINCE: set(COMMUNES)}, "DISTRICT": DISTRICTS, "COMMUNE": {}}
AGGREGATED = ["inpatients", "class_size", "beds", "stock", "price", "low_water", "peak_water"]
AGGREGATED += ["tested"]
SETTINGS = settings(
    max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


def months(year: int, numbers: list[int], values: list[float]) -> list[tuple[str, float]]:
    return [(f"{year}-{m:02d}", v) for m, v in zip(numbers, values, strict=True)]


def records(metric: str, unit: str, series: list[tuple[str, float]]) -> list[Record]:
    return [Record(metric, unit, period, value) for period, value in series]


def value_of(hub: Hub, metric: str, period_type: str, period: str, unit: str) -> float | None:
    (found,) = ask(hub, metric, period_type, period, period, units=[unit])
    return found.value


def test_a_mean_over_time_weighs_each_month_by_its_days(hub: Hub) -> None:
    load(hub, records("class_size", "90001", months(2024, [1, 2, 3], [10, 20, 30])))
    q1 = value_of(hub, "class_size", "QUARTER", "2024-Q1", "90001")
    assert q1 == pytest.approx((10 * 31 + 20 * 29 + 30 * 31) / 91)


def test_a_missing_month_is_left_out_of_the_mean_not_counted_as_zero(hub: Hub) -> None:
    load(hub, records("inpatients", "90001", months(2024, [1, 2], [10, 20])))
    q1 = value_of(hub, "inpatients", "QUARTER", "2024-Q1", "90001")
    assert q1 == pytest.approx((10 * 31 + 20 * 29) / 60)


def test_a_sum_over_units_leaves_out_a_unit_that_did_not_report(hub: Hub) -> None:
    load(hub, [Record("tested", "90001", "2024-03", 5), Record("tested", "90002", "2024-03", 7)])
    (district,) = ask(hub, "tested", "MONTH", "2024-03", "2024-03", units=["901"])
    assert (district.value, district.units_reporting, district.units_expected) == (12, 2, 3)
    (other,) = ask(hub, "tested", "MONTH", "2024-03", "2024-03", units=["902"])
    assert (other.value, other.units_reporting, other.units_expected) == (None, 0, 2)


def test_time_first_then_units_for_a_mean_of_units(hub: Hub) -> None:
    # Commune 1 reports all year, commune 2 only in January: each is averaged over its own
    # months first, then the two results are averaged (not the 13 months together).
    load(hub, records("class_size", "90001", months(2024, list(range(1, 13)), [30.0] * 12)))
    load(hub, records("class_size", "90002", months(2024, [1], [10.0])), source="other")
    (district,) = ask(hub, "class_size", "YEAR", "2024", "2024", units=["901"])
    assert district.value == pytest.approx((30 + 10) / 2)
    assert (district.units_reporting, district.units_expected) == (2, 3)


def test_a_stock_takes_each_units_last_value_then_sums(hub: Hub) -> None:
    load(hub, records("beds", "90001", months(2024, [1, 2, 3], [100, 110, 120])))
    load(hub, records("beds", "90002", months(2024, [1, 2], [50, 40])), source="second")
    (district,) = ask(hub, "beds", "QUARTER", "2024-Q1", "2024-Q1", units=["901"])
    assert district.value == 120 + 40
    (price,) = ask(hub, "beds", "QUARTER", "2024-Q2", "2024-Q2", units=["901"])
    assert price.value is None  # no carry-forward horizon: nothing reported in Q2


def test_a_stock_reported_rarely_is_carried_forward_up_to_its_horizon(hub: Hub) -> None:
    load(hub, [Record("stock", "90001", "2023-10", 500), Record("stock", "90002", "2022-10", 7)])
    found = by_unit_period(ask(hub, "stock", "QUARTER", "2024-Q1", "2024-Q4", units=["90001"]))
    # A value stands until it is 12 months old at the end of a period: to Q3 2024 only.
    assert found == {
        ("90001", "2024-Q1"): 500,
        ("90001", "2024-Q2"): 500,
        ("90001", "2024-Q3"): 500,
        ("90001", "2024-Q4"): None,
    }
    load(hub, [Record("stock", "90001", "2024-05", 520)])
    assert value_of(hub, "stock", "QUARTER", "2024-Q2", "90001") == 520
    assert value_of(hub, "stock", "YEAR", "2024", "90002") is None  # too old


def test_last_average_units_takes_the_mean_of_the_last_values(hub: Hub) -> None:
    load(hub, records("price", "90001", months(2024, [1, 3], [10, 12])))
    load(hub, records("price", "90002", months(2024, [2], [20])), source="second")
    assert value_of(hub, "price", "QUARTER", "2024-Q1", "901") == pytest.approx((12 + 20) / 2)


def test_min_and_max_over_time_and_units(hub: Hub) -> None:
    load(hub, records("low_water", "90001", months(2024, [1, 2], [5, 3])))
    load(hub, records("low_water", "90004", months(2024, [1, 2], [4, 9])), source="second")
    load(hub, records("peak_water", "90001", months(2024, [1, 2], [5, 3])), source="third")
    assert value_of(hub, "low_water", "QUARTER", "2024-Q1", PROVINCE) == 3
    assert value_of(hub, "peak_water", "QUARTER", "2024-Q1", PROVINCE) == 5
    load(hub, [Record("low_water", "90001", "2024-02", 8)])  # the lowest value goes up
    assert value_of(hub, "low_water", "QUARTER", "2024-Q1", PROVINCE) == 4


def test_a_metric_that_is_not_aggregated_is_refused_where_nothing_was_published(
    hub: Hub,
) -> None:
    with pytest.raises(AggregationError, match=r"status_code.*NONE.*no unit yet") as refused:
        ask(hub, "status_code", "MONTH", "2024-01", "2024-01", units=["90001"])
    assert refused.value.argument == "periodType"


def test_a_figure_for_the_longer_period_stands_rather_than_adding_its_parts(hub: Hub) -> None:
    load(hub, [Record("tested", "90001", "2024", 1000)])
    load(hub, records("tested", "90001", months(2024, [1, 2], [10, 20])), source="monthly")
    assert value_of(hub, "tested", "YEAR", "2024", "90001") == 1000
    assert value_of(hub, "tested", "QUARTER", "2024-Q1", "90001") == 30


def test_two_sources_of_one_value_count_once_the_last_written_wins(hub: Hub) -> None:
    load(hub, [Record("tested", "90001", "2024-01", 10)], source="district-report")
    load(hub, [Record("tested", "90001", "2024-01", 12)], source="health-system")
    assert value_of(hub, "tested", "MONTH", "2024-01", "90001") == 12
    assert value_of(hub, "tested", "YEAR", "2024", PROVINCE) == 12
    load(hub, [Record("tested", "90001", "2024-01", 11)], source="district-report")
    assert value_of(hub, "tested", "YEAR", "2024", PROVINCE) == 11


def test_a_retracted_value_leaves_the_roll_ups(hub: Hub) -> None:
    load(hub, records("tested", "90001", months(2024, [1, 2], [10, 20])))
    load(hub, [Record("tested", "90001", "2024-02", None)])
    assert value_of(hub, "tested", "YEAR", "2024", PROVINCE) == 10
    load(hub, [Record("tested", "90001", "2024-01", None)])
    (year,) = ask(hub, "tested", "YEAR", "2024", "2024", units=[PROVINCE])
    assert (year.value, year.units_reporting) == (None, 0)


def test_disaggregations_kept_apart_or_together(hub: Hub) -> None:
    cells = [("F", "0-4", 1), ("F", "5-14", 2), ("M", "0-4", 3), ("M", "5-14", 4)]
    data = [
        Record("cases", unit, "2024-03", value * factor, {"sex": sex, "age": age})
        for unit, factor in (("90001", 1), ("90004", 10))
        for sex, age, value in cells
    ]
    load(hub, data)

    def grouped(by: list[str]) -> dict[str, float | None]:
        found = ask(hub, "cases", "QUARTER", "2024-Q1", "2024-Q1", units=[PROVINCE], by=by)
        return {"|".join(f"{k}={v}" for k, v in (f.dims or {}).items()): f.value for f in found}

    assert value_of(hub, "cases", "QUARTER", "2024-Q1", PROVINCE) == 110
    assert grouped(["sex"]) == {"sex=F": 33, "sex=M": 77}
    assert grouped(["age"]) == {"age=0-4": 44, "age=5-14": 66}
    assert grouped(["sex", "age"]) == {
        "age=0-4|sex=F": 11,
        "age=5-14|sex=F": 22,
        "age=0-4|sex=M": 33,
        "age=5-14|sex=M": 44,
    }
    (one,) = ask(hub, "cases", "QUARTER", "2024-Q1", "2024-Q1", units=[PROVINCE], by=["sex"])[:1]
    assert (one.units_reporting, one.units_expected) == (2, 5)


@st.composite
def monthly_values(draw: st.DrawFn) -> tuple[str, dict[tuple[str, int], int]]:
    metric = draw(st.sampled_from(AGGREGATED))
    cells = st.tuples(st.sampled_from(COMMUNES), st.integers(1, 12))
    return metric, draw(st.dictionaries(cells, st.integers(-20, 100), max_size=30))


@SETTINGS
@given(data=monthly_values(), period_type=st.sampled_from(["MONTH", "QUARTER", "YEAR"]))
def test_every_type_on_every_level_matches_a_plain_computation(
    hub: Hub, data: tuple[str, dict[tuple[str, int], int]], period_type: str
) -> None:
    metric, values = data
    forget_data(hub)
    load(hub, [Record(metric, unit, f"2024-{m:02d}", v) for (unit, m), v in values.items()])
    plain = [
        reference.Value(unit, *_days(f"2024-{m:02d}"), value) for (unit, m), value in values.items()
    ]
    first, last = {"MONTH": ("2024-01", "2024-12"), "QUARTER": ("2024-Q1", "2024-Q4")}.get(
        period_type, ("2024", "2024")
    )
    aggregation = METRICS[metric]["aggregation"]
    carry = METRICS[metric].get("carry_forward_months", 0)
    for level, members in LEVELS.items():
        for answer in ask(hub, metric, period_type, first, last, level=level, within=PROVINCE):
            units = members.get(answer.unit.code, {answer.unit.code})
            start, end = _days(answer.period)
            want = reference.expected(aggregation, plain, set(units), start, end, carry)
            assert answer.value == pytest.approx(want.value), (level, answer)
            assert answer.units_reporting == want.reporting
            assert answer.units_expected == len(units)


def _days(period: str) -> tuple[date, date]:
    parsed = parse_period(period)
    return parsed.start, parsed.end
