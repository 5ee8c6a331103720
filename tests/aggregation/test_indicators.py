"""Indicators: each part aggregated by its own rule, then the formula; never a mean of ratios."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hub.aggregation import AggregationError, Expression, ExpressionError
from hub.aggregation.expressions import indicator_problems
from hub.connectors.records import Observation as Record
from hub.core import Hub
from tests.aggregation.conftest import COMMUNES, PROVINCE, ask, forget_data, load


def test_ratios_are_taken_after_aggregation(hub: Hub) -> None:
    # DESIGN.md: communes 9/10 and 1/90 make a district 10/100 = 10%, not (90% + 1.1%) / 2.
    load(
        hub,
        [
            Record("positive", "90001", "2024-03", 9, {"sex": "F"}),
            Record("tested", "90001", "2024-03", 10, {"sex": "F"}),
            Record("positive", "90002", "2024-03", 1, {"sex": "F"}),
            Record("tested", "90002", "2024-03", 90, {"sex": "F"}),
        ],
    )
    (district,) = ask(hub, "positivity", "MONTH", "2024-03", "2024-03", units=["901"])
    assert district.value == pytest.approx(10.0)
    assert (district.units_reporting, district.units_expected) == (2, 3)
    communes = ask(hub, "positivity", "MONTH", "2024-03", "2024-03", level="COMMUNE", within="901")
    assert [c.value for c in communes] == [pytest.approx(90.0), pytest.approx(100 / 90), None]


def test_days_is_the_number_of_days_of_each_period(hub: Hub) -> None:
    load(
        hub,
        [
            Record("inpatient_days", "90001", "2024-02", 290),
            Record("beds", "90001", "2024-02", 20),
            Record("inpatient_days", "90001", "2024-03", 310),
            Record("beds", "90001", "2024-03", 20),
        ],
    )
    months = ask(hub, "occupancy", "MONTH", "2024-02", "2024-03", units=["90001"])
    assert [m.value for m in months] == [pytest.approx(50.0), pytest.approx(50.0)]
    (quarter,) = ask(hub, "occupancy", "QUARTER", "2024-Q1", "2024-Q1", units=["90001"])
    assert quarter.value == pytest.approx(100 * 600 / (20 * 91))  # beds: the last value


def test_an_indicator_kept_apart_by_a_disaggregation(hub: Hub) -> None:
    load(
        hub,
        [
            Record("positive", "90001", "2024-03", 1, {"sex": "F"}),
            Record("tested", "90001", "2024-03", 4, {"sex": "F"}),
            Record("positive", "90001", "2024-03", 3, {"sex": "M"}),
            Record("tested", "90001", "2024-03", 4, {"sex": "M"}),
        ],
    )
    found = ask(hub, "positivity", "MONTH", "2024-03", "2024-03", units=["90001"], by=["sex"])
    assert [(f.dims, f.value) for f in found] == [({"sex": "F"}, 25.0), ({"sex": "M"}, 75.0)]
    with pytest.raises(AggregationError, match="no disaggregation age") as refused:
        ask(hub, "positivity", "MONTH", "2024-03", "2024-03", units=["90001"], by=["age"])
    assert refused.value.argument == "by"


def test_a_missing_part_or_a_zero_denominator_gives_no_value(hub: Hub) -> None:
    load(hub, [Record("positive", "90001", "2024-03", 1), Record("tested", "90002", "2024-03", 0)])
    found = ask(hub, "positivity", "MONTH", "2024-03", "2024-03", units=["90001", "90002"])
    assert [f.value for f in found] == [None, None]
    (difference,) = ask(hub, "net", "MONTH", "2024-03", "2024-03", units=["90002"])
    assert difference.value is None  # tested - positive: positive missing


@settings(
    max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    st.dictionaries(
        st.sampled_from(COMMUNES),
        st.tuples(st.integers(0, 50), st.integers(1, 100)),
        min_size=1,
    )
)
def test_a_ratio_is_the_ratio_of_the_sums(hub: Hub, counts: dict[str, tuple[int, int]]) -> None:
    forget_data(hub)
    load(
        hub,
        [
            record
            for unit, (positive, tested) in counts.items()
            for record in (
                Record("positive", unit, "2024-05", positive),
                Record("tested", unit, "2024-05", tested),
            )
        ],
    )
    (province,) = ask(hub, "positivity", "YEAR", "2024", "2024", units=[PROVINCE])
    positives = sum(positive for positive, _ in counts.values())
    tests = sum(tested for _, tested in counts.values())
    assert province.value == pytest.approx(100 * positives / tests)
    assert province.units_reporting == len(counts)


def test_expressions_are_arithmetic_over_names_and_numbers() -> None:
    expression = Expression.parse("(a + b) * 2 - c / days")
    assert expression.names == {"a", "b", "c", "days"}
    assert expression.evaluate({"a": 1, "b": 2, "c": 10, "days": 5}) == 4.0
    assert expression.evaluate({"a": 1, "b": 2, "days": 5}) is None
    assert Expression.parse("a / b").evaluate({"a": 1, "b": 0}) is None
    assert Expression.parse("-a").evaluate({"a": 3}) == -3.0


@pytest.mark.parametrize(
    "text",
    ["__import__('os')", "a ** 2", "a.b", "a[0]", "f(a)", "a if b else c", "a and b", "'x'", "a +"],
)
def test_anything_else_is_refused(text: str) -> None:
    with pytest.raises(ExpressionError):
        Expression.parse(text)


def test_indicator_problems_name_the_indicator_the_part_and_the_name() -> None:
    problems = indicator_problems(
        {
            "ok": ("a", "b * days"),
            "typo": ("a", "bedz"),
            "bad": ("a ** 2", None),
            "text": ("t", None),
        },
        {"a": "SUM", "b": "LAST", "t": "NONE"},
    )
    assert problems == [
        "indicator 'bad': numerator 'a ** 2' is not arithmetic over metric codes, days, numbers, "
        "+ - * / and parentheses",
        "indicator 'text': numerator 't' uses 't', which is not aggregated (NONE)",
        "indicator 'typo': denominator 'bedz' uses 'bedz', which no plugin or config defines",
    ]


def test_a_config_indicator_over_an_undefined_metric_stops_start_up(
    make_hub: Callable[..., Hub],
) -> None:
    from hub.config import ConfigError

    config = {"indicators": {"occupancy2": {"name": "O", "numerator": "bedz", "factor": 100}}}
    with pytest.raises(ConfigError, match="numerator 'bedz' uses 'bedz', which no plugin or"):
        make_hub(config)


ON_TIME_RATES = {
    # as feedback_on_time_rate: on time / (on time + late), where "on time" is a count that is
    # simply absent when every case was late ("positive" and "tested" stand for the two counts)
    "on_time_rate": {"numerator": "positive", "denominator": "positive + tested", "factor": 100},
    "on_time_rate_or_zero": {
        "numerator": "positive",
        "denominator": "positive + tested",
        "factor": 100,
        "zero_when_missing": True,
    },
}


@pytest.fixture
def rates_hub(make_hub: Callable[..., Hub]) -> Hub:
    from tests.aggregation.conftest import CONFIG, province_hub

    indicators = {
        code: {"name": code, "sector": "test", **spec} for code, spec in ON_TIME_RATES.items()
    }
    return province_hub(make_hub, {**CONFIG, "indicators": {**CONFIG["indicators"], **indicators}})


def test_zero_when_missing_reads_a_missing_count_as_0_where_the_denominator_has_data(
    rates_hub: Hub,
) -> None:
    load(
        rates_hub,
        [
            Record("positive", "90001", "2024-03", 3, {"sex": "F"}),
            Record("tested", "90001", "2024-03", 1, {"sex": "F"}),
            Record("tested", "90002", "2024-03", 4, {"sex": "F"}),  # every case late: no count
        ],
    )

    def rates(code: str) -> list[float | None]:
        communes = ask(rates_hub, code, "MONTH", "2024-03", "2024-03", units=COMMUNES[:3])
        return [c.value for c in communes]

    assert rates("on_time_rate") == [pytest.approx(75.0), None, None]
    # 90002: 0 on time of 4, so 0%; 90003 has no data at all: still null
    assert rates("on_time_rate_or_zero") == [pytest.approx(75.0), 0.0, None]
    (district,) = ask(
        rates_hub, "on_time_rate_or_zero", "MONTH", "2024-03", "2024-03", units=["901"]
    )
    assert district.value == pytest.approx(100 * 3 / (3 + 1 + 4))
