"""The plugin's hooks: its connector kind and the metric it writes."""

from hub.plugins import Aggregation, MetricDefinition, hookimpl

from .connector import AirQualityConnector


@hookimpl
def register_connector_kinds() -> list[type]:
    return [AirQualityConnector]


@hookimpl
def register_metrics() -> list[MetricDefinition]:
    return [
        MetricDefinition(
            "air_concentration",
            "Air pollutant concentration (daily mean)",
            "environment",
            Aggregation.AVERAGE,
            unit="µg/m³",
            disaggregations=("pollutant",),
            name_vi="Nồng độ chất ô nhiễm không khí (trung bình ngày)",
        )
    ]
