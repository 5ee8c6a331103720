"""The core's own contributions, made through the same hooks as any plugin."""

from __future__ import annotations

from pathlib import Path

import iochub_migrations

from hub.plugins import hookimpl
from hub.plugins.definitions import IndicatorDefinition, MetricDefinition
from hub.reports import definitions as reporting


@hookimpl
def register_migrations() -> list[str]:
    return [str(Path(iochub_migrations.__file__).parent / "versions")]


@hookimpl
def register_metrics() -> list[MetricDefinition]:
    """The reporting system's government-performance metrics (forms due, on time)."""
    return list(reporting.METRICS)


@hookimpl
def register_indicators() -> list[IndicatorDefinition]:
    """The on-time rate of report forms."""
    return list(reporting.INDICATORS)
