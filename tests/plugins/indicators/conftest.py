"""Fixtures of the indicators plugin's tests: the SDMX samples, a test HTTP server, connectors."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from iochub_plugins.indicators.plugin import PLUGIN

from hub.connectors.base import Connector, ConnectorContext
from tests.support.http_server import ScriptedServer

SDMX_SAMPLES = Path(__file__).resolve().parents[2] / "data" / "sdmx-json"


@pytest.fixture
def http_server() -> Iterator[ScriptedServer]:
    with ScriptedServer() as server:
        yield server


@pytest.fixture
def make_connector() -> Callable[..., Connector]:
    """A connector of one of the plugin's kinds, from its config table as a dict."""
    kinds = {kind.name: kind.load() for kind in PLUGIN.connector_kinds}

    def build(kind: str, timeout: float = 5.0, **table: Any) -> Connector:
        connector_class = kinds[kind]
        config = connector_class.config_model.model_validate(table)
        return connector_class(config, ConnectorContext("test", http_timeout=timeout))

    return build
