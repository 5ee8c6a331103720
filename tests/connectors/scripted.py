"""A connector kind whose source is a Python function the test provides.

The runtime's tests use it to make a source behave exactly as a case needs (fail on the third
record, then recover, …). Tests of real protocols live with the plugins that speak them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from types import SimpleNamespace
from typing import Any

from hub.connectors.base import Connector, ConnectorConfig
from hub.connectors.records import Item
from hub.plugins import Aggregation, MetricDefinition, hookimpl

Script = Callable[[dict[str, Any], bool], Iterator[Item]]
SCRIPTS: dict[str, Script] = {}
READS: list[dict[str, Any]] = []  # the state each read started from


class ScriptedConfig(ConnectorConfig):
    script: str


class ScriptedConnector(Connector):
    kind = "scripted"
    config_model = ScriptedConfig

    def read(self, state: dict[str, Any], full: bool) -> Iterator[Item]:
        READS.append(dict(state))
        yield from SCRIPTS[self.config.script](state, full)  # type: ignore[attr-defined]


class StreamingConnector(ScriptedConnector):
    """A streaming kind: its script also gets the stop event to watch."""

    kind = "scripted-stream"
    streaming = True

    def read(self, state: dict[str, Any], full: bool) -> Iterator[Item]:
        READS.append(dict(state))
        yield from SCRIPTS[self.config.script](state, self.context.stop)  # type: ignore[attr-defined]


@hookimpl
def register_connector_kinds() -> list[type]:
    return [ScriptedConnector, StreamingConnector]


@hookimpl
def register_metrics() -> list[MetricDefinition]:
    return [
        MetricDefinition("cases", "Cases", "health", Aggregation.SUM, disaggregations=("sex",)),
        MetricDefinition("beds", "Beds", "health", Aggregation.LAST),
    ]


plugin = SimpleNamespace(
    register_connector_kinds=register_connector_kinds, register_metrics=register_metrics
)
