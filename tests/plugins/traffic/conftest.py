"""Fixtures of the traffic plugin's tests: hubs with Kon Tum's units, connectors, HTTP servers."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from iochub_plugins.traffic.plugin import PLUGIN

from hub.connectors.base import Connector, ConnectorContext
from hub.core import Hub
from hub.units.loader import load_units
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
    kinds = {kind.kind: kind for kind in PLUGIN.register_connector_kinds()}

    def build(kind: str, **table: Any) -> Connector:
        connector_class = kinds[kind]
        config = connector_class.config_model.model_validate(table)
        return connector_class(config, ConnectorContext("test", http_timeout=5.0))

    return build
