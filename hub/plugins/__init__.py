"""The plugin contract: hook markers, definitions, and the manager that finds plugins."""

import pluggy

from hub.plugins.definitions import (
    Aggregation,
    AlertRule,
    EventKindDefinition,
    EventMetric,
    IndicatorDefinition,
    MetricDefinition,
)

hookimpl = pluggy.HookimplMarker("iochub")
"""Decorate a plugin's hook implementations with this."""

__all__ = [
    "Aggregation",
    "AlertRule",
    "EventKindDefinition",
    "EventMetric",
    "IndicatorDefinition",
    "MetricDefinition",
    "hookimpl",
]
