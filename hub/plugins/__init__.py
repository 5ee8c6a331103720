"""The plugin contract: hook markers, definitions, connector kinds, and the manager that finds
plugins."""

import pluggy

from hub.plugins.definitions import (
    Aggregation,
    AlertRule,
    EventKindDefinition,
    EventMetric,
    IndicatorDefinition,
    MetricDefinition,
)
from hub.plugins.kinds import ConnectorKind

hookimpl = pluggy.HookimplMarker("iochub")
"""Decorate a plugin's hook implementations with this."""

__all__ = [
    "Aggregation",
    "AlertRule",
    "ConnectorKind",
    "EventKindDefinition",
    "EventMetric",
    "IndicatorDefinition",
    "MetricDefinition",
    "hookimpl",
]
