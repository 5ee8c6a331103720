"""Fixtures of the traffic plugin's tests: hubs with Kon Tum's units, connectors, HTTP servers."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from iochub_plugins.traffic.plugin import PLUGIN

from hub.connectors.base import Connector, ConnectorContext
from hub.core import Hub
from hub.units.loader import load_units
from tests.plugins.traffic import broker
from tests.plugins.traffic.broker import CONNECTOR, MqttNames
from tests.support.http_server import ScriptedServer
from tests.units.reference import QUANG_NGAI, write_subset

MakeHub = Callable[..., Hub]


@pytest.fixture(scope="session")
def unit_files(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    """The unit lists cut down to Quảng Ngãi, and Kon Tum, which merged into it in 2025."""
    return write_subset(tmp_path_factory.mktemp("units"), {QUANG_NGAI})


@pytest.fixture
def traffic_hub(make_hub: MakeHub, unit_files: list[Path]) -> MakeHub:
    """``make_hub`` on a database that holds Kon Tum's old and new units."""

    def build(connectors: dict[str, dict[str, Any]], **config: Any) -> Hub:
        hub = make_hub({"connectors": connectors, **config})
        load_units(hub.db, unit_files)
        return hub

    return build


@pytest.fixture
def http_server() -> Iterator[ScriptedServer]:
    with ScriptedServer() as server:
        yield server


@pytest.fixture
def make_connector() -> Callable[..., Connector]:
    """A connector of one of the plugin's kinds, from its config table as a dict."""
    kinds = {kind.name: kind.load() for kind in PLUGIN.connector_kinds}

    def build(kind: str, **table: Any) -> Connector:
        connector_class = kinds[kind]
        config = connector_class.config_model.model_validate(table)
        return connector_class(config, ConnectorContext("test", http_timeout=5.0))

    return build


CAMERAS = [
    {
        "id": "CAM-1",
        "name": "Ngã tư Phan Đình Phùng",
        "commune": "23293",
        "lat": 14.3531,
        "lon": 108.0069,
    }
]


@pytest.fixture
def names() -> Iterator[MqttNames]:
    """The test's own MQTT topics and client id; its session at the broker is forgotten."""
    fresh = MqttNames.fresh()
    yield fresh
    broker.forget_session(fresh.client_id)


@pytest.fixture
def camera_hub(traffic_hub: MakeHub, names: MqttNames, tmp_path: Path) -> MakeHub:
    """A hub with one ``mqtt`` connector on the test's topics and client id."""
    registry = tmp_path / "cameras.json"
    registry.write_text(json.dumps(CAMERAS), encoding="utf-8")

    def build(**table: Any) -> Hub:
        return traffic_hub(
            {
                CONNECTOR: {
                    "plugin": "traffic",
                    "kind": "mqtt",
                    "topics": [f"{names.prefix}/+/events"],
                    "client_id": names.client_id,
                    "camera_registry": str(registry),
                    "reconnect_min_delay": 1,
                    "reconnect_max_delay": 2,
                    "idle_timeout": 2.0,
                    **table,
                }
            }
        )

    return build
