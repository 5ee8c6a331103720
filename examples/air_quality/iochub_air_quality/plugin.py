"""The plugin's parts: its connector kind and the metric it writes."""

from hub.plugins import Aggregation, ConnectorKind, MetricDefinition
from hub.plugins.parts import PluginParts

PLUGIN = PluginParts(
    __name__,
    connector_kinds=[
        ConnectorKind(
            "readings",
            "Daily air quality from a monitoring network's REST API",
            "iochub_air_quality.connector:AirQualityConnector",
        )
    ],
    metrics=[
        MetricDefinition(
            "air_concentration",
            "Air pollutant concentration (daily mean)",
            "environment",
            Aggregation.AVERAGE,
            unit="µg/m³",
            disaggregations=("pollutant",),
            name_vi="Nồng độ chất ô nhiễm không khí (trung bình ngày)",
        )
    ],
)
