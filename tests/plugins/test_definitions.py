"""The short forms of :class:`hub.plugins.definitions.Sector` give the long-hand definitions."""

from __future__ import annotations

from iochub_plugins.health import metrics as health
from iochub_plugins.indicators import metrics as indicators

from hub.plugins import Aggregation, MetricDefinition
from hub.plugins.definitions import Sector

TRAFFIC = Sector("traffic")


def test_a_count_is_summed_and_a_stock_is_its_latest_value_carried_a_year() -> None:
    beds = next(m for m in health.METRICS if m.code == "health_beds")

    assert (beds.sector, beds.unit, beds.name, beds.name_vi) == (
        "health",
        "beds",
        "Hospital beds",
        "Số giường bệnh",
    )
    assert (beds.aggregation, beds.carry_forward_months, beds.disaggregations) == (
        Aggregation.LAST,
        12,
        ("facility",),
    )
    assert TRAFFIC.count("traffic_accidents", "accidents", "Traffic accidents") == (
        MetricDefinition("traffic_accidents", "Traffic accidents", "traffic", unit="accidents")
    )


def test_another_aggregation_is_named() -> None:
    growth = next(m for m in indicators.METRICS if m.code == "grdp_growth")

    assert (growth.aggregation, growth.carry_forward_months, growth.sector) == (
        Aggregation.NONE,
        None,
        "economy",
    )


def test_a_percent_is_a_ratio_times_a_hundred() -> None:
    occupancy = next(i for i in health.INDICATORS if i.code == "health_bed_occupancy")

    assert (occupancy.numerator, occupancy.denominator) == (
        "health_inpatient_days",
        "health_beds * days",
    )
    assert (occupancy.factor, occupancy.unit, occupancy.sector) == (100, "%", "health")
    assert occupancy.description == (
        "Công suất sử dụng giường bệnh: inpatient days over bed-days available."
    )
    balance = TRAFFIC.ratio("balance", "exports - imports", None, "million USD", "Balance")
    assert (balance.denominator, balance.factor, balance.description) == (None, 1.0, None)
