"""A plugin declared by its parts, instead of a hook function for each.

Most plugins only hand the hub lists: their connector kinds, metrics, indicators, event kinds,
alert rules, migrations and demo connectors. :class:`PluginParts` implements every hook from
those lists, so a plugin module reads::

    PLUGIN = PluginParts(
        __name__,
        connector_kinds=[
            ConnectorKind("readings", "Daily air quality", "my_package.connector:AirConnector"),
        ],
        metrics=METRICS,
        demo_connectors=lambda: [demo_connector()],
    )

with the entry point naming the object: ``air = "my_package.plugin:PLUGIN"``. The connector
kinds are declarations (:class:`ConnectorKind`), so that loading the plugin imports none of
their classes. A plugin that needs more (hooks computed at load time) can still write
``@hookimpl`` functions.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from hub.plugins import (
    AlertRule,
    EventKindDefinition,
    IndicatorDefinition,
    MetricDefinition,
    hookimpl,
)
from hub.plugins.kinds import ConnectorKind

if TYPE_CHECKING:
    from hub.connectors.base import Connector

__all__ = ["ConnectorKind", "PluginParts"]


@dataclass(frozen=True)
class PluginParts:
    """Every hook of a plugin, answered from the lists it is given."""

    module: str
    """The plugin module's ``__name__`` (what ``iochub plugins`` shows)."""
    connector_kinds: Sequence[ConnectorKind | type[Connector]] = ()
    """The kinds, declared (a class handed over directly is still taken, and imported with
    the plugin)."""
    metrics: Sequence[MetricDefinition] = ()
    indicators: Sequence[IndicatorDefinition] = ()
    event_kinds: Sequence[EventKindDefinition] = ()
    alert_rules: Sequence[AlertRule] = ()
    migrations: Sequence[str] = ()
    """Folders of the plugin's alembic migrations."""
    demo_connectors: Callable[[], list[dict[str, Any]]] = field(default=lambda: [])
    """The connector tables ``iochub demo`` configures (built when asked: paths, dates)."""

    @hookimpl
    def register_connector_kinds(self) -> list[ConnectorKind | type[Connector]]:
        return list(self.connector_kinds)

    @hookimpl
    def register_metrics(self) -> list[MetricDefinition]:
        return list(self.metrics)

    @hookimpl
    def register_indicators(self) -> list[IndicatorDefinition]:
        return list(self.indicators)

    @hookimpl
    def register_event_kinds(self) -> list[EventKindDefinition]:
        return list(self.event_kinds)

    @hookimpl
    def register_alert_rules(self) -> list[AlertRule]:
        return list(self.alert_rules)

    @hookimpl
    def register_migrations(self) -> list[str]:
        return list(self.migrations)

    @hookimpl
    def register_demo_connectors(self) -> list[dict[str, Any]]:
        return self.demo_connectors()
