"""The hub's standard connector checks, for each health kind against a real source."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from iochub_plugins.health import plugin

from hub.core import Hub
from hub.testing.acceptance import ConnectorAcceptance
from tests.plugins.health.conftest import fhir_table, serve
from tests.plugins.health.fhir_server import FhirTestServer
from tests.plugins.health.generated import CONFIG, generate
from tests.plugins.health.test_dhis2 import DHIS2_TABLE, data_value_set
from tests.support.http_server import Reply, ScriptedServer


class TestFhirServer(ConnectorAcceptance):
    @pytest.fixture
    def connector_under_test(
        self, health_hub: Callable[..., Hub], fhir_server: FhirTestServer
    ) -> tuple[Hub, str]:
        serve(fhir_server, generate())
        return health_hub({"fhir": fhir_table(fhir_server)}), "fhir"


class TestFhirFiles(ConnectorAcceptance):
    @pytest.fixture
    def connector_under_test(
        self, health_hub: Callable[..., Hub], tmp_path: Path
    ) -> tuple[Hub, str]:
        clinic = generate()
        lines = [json.dumps(resource) for resource in clinic.resources]
        (tmp_path / "export.ndjson").write_text("\n".join(lines), encoding="utf-8")
        table = {"plugin": "health", "kind": "fhir", "location": str(tmp_path), **CONFIG}
        return health_hub({"files": table}), "files"


class TestDhis2Server(ConnectorAcceptance):
    @pytest.fixture
    def connector_under_test(self, health_hub: Callable[..., Hub]) -> Iterator[tuple[Hub, str]]:
        with ScriptedServer() as server:
            body = json.dumps(data_value_set()).encode()
            server.script("/api/dataValueSets.json", Reply(200, body))
            table = {**DHIS2_TABLE, "location": server.url("/api/dataValueSets.json")}
            yield health_hub({"dhis2": table}), "dhis2"


class TestDhis2DemoFile(ConnectorAcceptance):
    @pytest.fixture
    def connector_under_test(self, health_hub: Callable[..., Hub]) -> tuple[Hub, str]:
        table = plugin.demo_dhis2_connector()
        connector_id = table.pop("id")
        return health_hub({connector_id: table}), connector_id
