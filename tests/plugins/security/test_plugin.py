"""The plugin as the hub sees it: its definitions, config checks and the Kon Tum demo."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable
from typing import Any

import pytest
from iochub_plugins.security import plugin
from pydantic import ValidationError

from hub.config import ConfigError, settings_from_dict
from hub.connectors.runtime import run_sync
from hub.core import Hub
from hub.model import RunStatus
from hub.plugins.manager import Plugins
from hub.testing.acceptance import ConnectorAcceptance
from tests.plugins.security.conftest import events, observed, quarantined, totals

DEMO = {table["id"]: table for table in plugin.PLUGIN.register_demo_connectors()}


def demo_tables() -> dict[str, dict[str, Any]]:
    return {i: {k: v for k, v in t.items() if k != "id"} for i, t in DEMO.items()}


def test_the_plugin_loads_with_its_definitions(plugins: Plugins) -> None:
    assert not [f for f in plugins.failures if f.name == "security"]
    kinds = {kind for plugin_name, kind in plugins.connector_kinds() if plugin_name == "security"}
    assert kinds == {"wazuh-file", "wazuh-http", "cef-file", "cef-syslog"}
    hub = Hub.create(settings_from_dict({"connectors": demo_tables()}, {}), plugins)
    assert hub.definitions.problems == []
    assert "security-critical-incident" in hub.definitions.alert_rules


@pytest.mark.parametrize(
    ("table", "problem"),
    [
        ({"kind": "cef-syslog", "port": 70000}, "port"),
        (
            {"kind": "wazuh-file", "path": "/x", "hosts": {"h": {"agency": "A", "unit": "6"}}},
            "not a GSO code",
        ),
        ({"kind": "wazuh-http", "url": "ftp://x"}, "not an http(s) URL"),
        ({"kind": "cef-file", "path": "/x", "timezone": "Mars/Olympus"}, "unknown time zone"),
        ({"kind": "wazuh-file", "path": "/x", "treshold": 3}, "treshold"),
    ],
)
def test_bad_config_is_refused_at_start(
    plugins: Plugins, table: dict[str, Any], problem: str
) -> None:
    with pytest.raises(ConfigError) as caught:
        Hub.create(
            settings_from_dict({"connectors": {"x": {"plugin": "security", **table}}}, {}), plugins
        )
    assert problem in str(caught.value)


def test_secrets_are_not_shown() -> None:
    from iochub_plugins.security.config import WazuhHttpConfig

    config = WazuhHttpConfig(url="https://indexer:9200", username="admin", password="s3cret")
    assert "s3cret" not in repr(config) and "s3cret" not in str(config.model_dump())
    with pytest.raises(ValidationError):
        WazuhHttpConfig(url="https://indexer:9200", page_size=0)


@pytest.fixture
def demo_hub(security_hub: Callable[..., Hub]) -> Hub:
    return security_hub(demo_tables())


class TestDemoWazuh(ConnectorAcceptance):
    @pytest.fixture
    def connector_under_test(self, demo_hub: Hub) -> tuple[Hub, str]:
        return demo_hub, "security-kontum-wazuh"


class TestDemoCef(ConnectorAcceptance):
    @pytest.fixture
    def connector_under_test(self, demo_hub: Hub) -> tuple[Hub, str]:
        return demo_hub, "security-kontum-cef"


def test_the_demo_loads_clean_and_adds_up(demo_hub: Hub) -> None:
    wazuh_lines = plugin.DEMO_WAZUH.read_text(encoding="utf-8").splitlines()
    cef_lines = plugin.DEMO_CEF.read_text(encoding="utf-8").splitlines()

    for connector_id in DEMO:
        run = run_sync(demo_hub, connector_id)
        assert (run.status, run.records_quarantined) == (RunStatus.SUCCEEDED, 0), run.error
    assert quarantined(demo_hub) == []

    alerts = events(demo_hub, "security.alert")
    assert len(alerts) == len(wazuh_lines) + len(cef_lines)
    incidents = events(demo_hub, "security.incident")
    assert sum(incident.attributes["count"] for incident in incidents) == len(alerts)
    assert all(event.unit_code for event in alerts + incidents)

    levels = Counter(json.loads(line)["rule"]["level"] for line in wazuh_lines)
    critical_wazuh = sum(n for level, n in levels.items() if level >= 15)
    critical_cef = sum(1 for line in cef_lines if line.split("|")[6] in ("9", "10"))
    counted = totals(observed(demo_hub, "security_alerts"), severity="critical")
    assert sum(counted.values()) == critical_wazuh + critical_cef > 0

    ransomware = [i for i in incidents if i.attributes["rule"] == "wazuh:100200"]
    assert [(i.unit_code, i.attributes["agency"], i.severity, i.status) for i in ransomware] == [
        ("23527", "UBND xã Sa Thầy", 4, "resolved"),
    ]
    still_open = [i for i in incidents if i.status == "open"]
    assert any(
        i.attributes["rule"] == "wazuh:5712" and i.attributes["host"] == "10.62.10.11"
        for i in still_open
    )
    open_figures = totals(observed(demo_hub, "security_incidents_open"))
    assert sum(v for (_, day), v in open_figures.items() if day == "2026-11-15") == len(still_open)
