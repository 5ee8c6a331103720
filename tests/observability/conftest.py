"""A hub with one connector to a real HTTP source (the ECB's SDMX-JSON sample), for health and
metrics tests."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from hub.core import Hub
from hub.units.loader import bundled_unit_files, load_units
from tests.plugins.indicators.conftest import SDMX_SAMPLES
from tests.support.http_server import ScriptedServer

SAMPLE = (SDMX_SAMPLES / "exr-flat.json").read_bytes()


def ecb_config(url: str, **connector: Any) -> dict[str, Any]:
    return {
        "runtime": {"retry_attempts": 2, "retry_initial_wait": 0, "retry_max_wait": 0},
        "metrics": {
            "exchange_rate": {
                "name": "Exchange rate",
                "sector": "economy",
                "aggregation": "LAST_AVERAGE_UNITS",
                "disaggregations": ["currency"],
            }
        },
        "connectors": {
            "ecb": {
                "plugin": "indicators",
                "kind": "sdmx-json",
                "location": url,
                "metric": "exchange_rate",
                "unit": "62",
                "drop_dims": ["FREQ", "CURRENCY_DENOM", "EXR_TYPE", "EXR_SUFFIX"],
                "every": "1h",
                **connector,
            }
        },
    }


@pytest.fixture
def source() -> Iterator[ScriptedServer]:
    with ScriptedServer() as server:
        yield server


@pytest.fixture
def hub(make_hub: Callable[..., Hub], source: ScriptedServer) -> Hub:
    hub = make_hub(ecb_config(source.url("/ecb")))
    districts = [path for path in bundled_unit_files() if "districts" in path.name]
    load_units(hub.db, districts)
    return hub
