"""A hub with the plugin and Quảng Ngãi's communes, and a monitoring network's API on a real
socket (the kit's scripted HTTP server), serving the readings below two to a page."""

from collections.abc import Callable
from typing import Any

import pytest
from iochub_air_quality import plugin

from hub.core import Hub
from hub.testing import HubFactory, ScriptedServer

PAGE_SIZE = 2
READINGS = [  # oldest update first, as the API sorts them
    {
        "id": "r1",
        "station": "QN-01",
        "commune": "21025",
        "date": "2026-11-20",
        "values": {"pm25": 31.5, "pm10": 48.0},
        "updated_at": "2026-11-21T01:00:00+07:00",
    },
    {
        "id": "r2",
        "station": "QN-02",
        "commune": "21028",
        "date": "2026-11-20",
        "values": {"pm25": 22.0},
        "updated_at": "2026-11-21T01:05:00+07:00",
    },
    {
        "id": "r3",
        "station": "KT-01",
        "commune": "23293",
        "date": "2026-11-20",
        "values": {"pm25": 12.25, "no2": 9.5},
        "updated_at": "2026-11-21T01:05:00+07:00",
    },
]
"""r2 and r3 were updated at the same second, on either side of a page break."""


def pages(readings: list[dict[str, Any]]) -> list[dict[str, Any]]:
    chunks = [readings[i : i + PAGE_SIZE] for i in range(0, len(readings), PAGE_SIZE)]
    return [{"results": chunk} for chunk in chunks]


def serve(server: ScriptedServer, readings: list[dict[str, Any]]) -> None:
    """The API's pages of ``readings`` (it ignores ``updated_since``, as some do)."""
    server.script_pages("/api/readings", pages(readings), after={"results": []})


@pytest.fixture
def air_hub(iochub_hub: HubFactory, scripted_server: ScriptedServer) -> Callable[..., Hub]:
    """A hub with one ``readings`` connector, ``air``, on the scripted API."""

    def build(**table: Any) -> Hub:
        air = {"plugin": "air_quality", "kind": "readings", "page_size": PAGE_SIZE, **table}
        air.setdefault("url", scripted_server.url("/api/"))
        return iochub_hub({"air": air}, plugins=[("air_quality", plugin.PLUGIN)])

    return build
