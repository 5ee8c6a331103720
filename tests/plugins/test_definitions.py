"""The short forms of :class:`hub.plugins.definitions.Sector` give the long-hand definitions."""

from __future__ import annotations

from iochub_plugins.health import metrics as health
from iochub_plugins.indicators import metrics as indicators

from hub.plugins import Aggregation, IndicatorDefinition, MetricDefinition
from hub.plugins.definitions import Sector

TRAFFIC = Sector("traffic")


def test_a_count_is_summed_and_a_stock_is_its_latest_value_carried_a_year() -> None:
    beds = next(m for m in health.METRICS if m.code == "health_beds")

    assert beds == MetricDefinition(
        code="health_beds",
        name="Hospital beds",
        name_vi="Số giường bệnh",
        sector="health",
        unit="beds",
        aggregation=Aggregation.LAST,
        disaggregations=("facility",),
        carry_forward_months=12,
        description="Giường bệnh thực kê: beds in use at the facility.",
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

    assert occupancy == IndicatorDefinition(
        code="health_bed_occupancy",
        name="Bed occupancy rate",
        name_vi="Công suất sử dụng giường bệnh",
        numerator="health_inpatient_days",
        denominator="health_beds * days",
        factor=100,
        sector="health",
        unit="%",
        description="Công suất sử dụng giường bệnh: inpatient days over bed-days available.",
    )
    balance = TRAFFIC.ratio("balance", "exports - imports", None, "million USD", "Balance")
    assert (balance.denominator, balance.factor, balance.unit) == (None, 1.0, "million USD")
