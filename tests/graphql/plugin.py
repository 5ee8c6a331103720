"""A tiny plugin for the API's tests: one connector kind, its metrics, indicator and event kind."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from types import SimpleNamespace
from typing import Any

from hub.connectors.base import Connector, ConnectorConfig
from hub.connectors.records import BadRecord, Checkpoint, Event, Item
from hub.plugins import (
    Aggregation,
    EventKindDefinition,
    IndicatorDefinition,
    MetricDefinition,
    hookimpl,
)


class StaticConfig(ConnectorConfig):
    unit: str = "23293"


class StaticConnector(Connector):
    """Two incidents and one unreadable line, whatever the state."""

    kind = "static"
    config_model = StaticConfig

    def read(self, state: dict[str, Any], full: bool) -> Iterator[Item]:
        unit = self.config.unit  # type: ignore[attr-defined]
        for number in (1, 2):
            yield Event(
                kind="test.incident",
                source_id=f"static-{number}",
                unit=unit,
                occurred_at=datetime(2025, 8, number, 3, 0, tzinfo=UTC),
                severity=number,
            )
        yield BadRecord(reason="no date", payload={"line": 3}, place="line 3")
        yield Checkpoint({"done": True})


@hookimpl
def register_connector_kinds() -> list[type]:
    return [StaticConnector]


@hookimpl
def register_metrics() -> list[MetricDefinition]:
    return [
        MetricDefinition("beds", "Hospital beds", "health", Aggregation.LAST, unit="beds"),
        MetricDefinition("cases", "Dengue cases", "health", disaggregations=("sex", "age")),
        MetricDefinition("pupils", "Pupils enrolled", "education", Aggregation.LAST),
        MetricDefinition("inpatient_days", "Inpatient days", "hospital", unit="days"),
    ]


@hookimpl
def register_indicators() -> list[IndicatorDefinition]:
    return [
        IndicatorDefinition(
            "occupancy", "Bed occupancy", "inpatient_days", "beds * days", 100, sector="health"
        )
    ]


@hookimpl
def register_event_kinds() -> list[EventKindDefinition]:
    return [EventKindDefinition("test.incident", "Incident", "security")]


plugin = SimpleNamespace(
    register_connector_kinds=register_connector_kinds,
    register_metrics=register_metrics,
    register_indicators=register_indicators,
    register_event_kinds=register_event_kinds,
)
