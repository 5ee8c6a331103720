"""The hub's standard connector checks, for each kind of the indicators plugin: the demo
workbook (``excel``), the demo CPI message served over HTTP (``sdmx-json``) and an SDMX-CSV
export served over HTTP (``sdmx-csv``)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from iochub_plugins.indicators import plugin

from hub.core import Hub
from hub.testing.acceptance import ConnectorAcceptance
from tests.plugins.indicators.test_sdmx_csv import KONTUM_V2
from tests.plugins.indicators.test_sync import add_kon_tum
from tests.support.http_server import Reply, ScriptedServer


def kon_tum_hub(make_hub: Callable[..., Hub], table: dict[str, object]) -> tuple[Hub, str]:
    connector_id = str(table.pop("id"))
    hub = make_hub({"connectors": {connector_id: table}})
    add_kon_tum(hub)
    return hub, connector_id


class TestExcelWorkbook(ConnectorAcceptance):
    @pytest.fixture
    def connector_under_test(self, make_hub: Callable[..., Hub]) -> tuple[Hub, str]:
        return kon_tum_hub(make_hub, plugin.demo_workbook_connector())


class TestSdmxJsonOverHttp(ConnectorAcceptance):
    @pytest.fixture
    def connector_under_test(
        self, make_hub: Callable[..., Hub], http_server: ScriptedServer
    ) -> tuple[Hub, str]:
        message = plugin.DEMO_CPI.read_bytes()
        http_server.script("/gso/cpi", Reply(200, message, {"ETag": '"cpi-1"'}))
        table = {**plugin.demo_cpi_connector(), "location": http_server.url("/gso/cpi")}
        return kon_tum_hub(make_hub, table)


class TestSdmxCsvOverHttp(ConnectorAcceptance):
    @pytest.fixture
    def connector_under_test(
        self, make_hub: Callable[..., Hub], http_server: ScriptedServer
    ) -> tuple[Hub, str]:
        http_server.script("/gso/ktxh.csv", Reply(200, KONTUM_V2.encode()))
        table = {
            "id": "gso-ktxh",
            "plugin": "indicators",
            "kind": "sdmx-csv",
            "location": http_server.url("/gso/ktxh.csv"),
            "metric_dimension": "INDICATOR",
            "metrics": {"B1GQ": "grdp", "POP": "population"},
            "unit_dimension": "REF_AREA",
            "units": {"VN-KT": "62"},
        }
        return kon_tum_hub(make_hub, table)
