"""Connector kinds as plugins declare them: known by name without their class, which is
imported when a connector of the kind is built or its settings validated."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from hub.config.settings import ConnectorSettings
from hub.connectors.base import Connector, ConnectorConfig, ConnectorContext
from hub.connectors.configured import configure_connectors
from hub.plugins import ConnectorKind
from hub.plugins.manager import Plugins
from hub.plugins.parts import PluginParts
from tests.connectors import scripted

ZONE = "Asia/Ho_Chi_Minh"
LAZY_MODULE = """
from hub.connectors.base import Connector, ConnectorConfig
from hub.connectors.records import Checkpoint


class CountConfig(ConnectorConfig):
    up_to: int


class CountConnector(Connector[CountConfig]):
    def read(self, state, full):
        yield Checkpoint({"counted": self.config.up_to})
"""


@pytest.fixture
def lazy_module(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """The name of a module holding a connector class, importable and not imported yet."""
    name = f"lazy_kind_{tmp_path.name.replace('-', '_')}"
    (tmp_path / f"{name}.py").write_text(LAZY_MODULE, encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    yield name
    sys.modules.pop(name, None)


def plugins_offering(*kinds: Any) -> Plugins:
    return Plugins.load(entry_points=False, extra=[("probe", PluginParts("probe", kinds))])


def counting(module: str) -> ConnectorKind:
    """The kind of the connector class in ``module``."""
    return ConnectorKind("count", "Counts to a number", f"{module}:CountConnector")


def tables(**connectors: dict[str, Any]) -> dict[str, ConnectorSettings]:
    return {
        connector_id: ConnectorSettings.model_validate({"plugin": "probe", **table})
        for connector_id, table in connectors.items()
    }


def test_a_declared_kind_is_imported_only_when_a_connector_of_it_is_built(
    lazy_module: str,
) -> None:
    kinds = plugins_offering(counting(lazy_module)).connector_kinds()
    listed, problems = configure_connectors(
        tables(c={"kind": "count", "up_to": 3, "every": "1h"}),
        kinds,
        ZONE,
        validate_configs=False,
    )
    assert problems == [] and lazy_module not in sys.modules
    assert listed["c"].declared.description == "Counts to a number"
    assert not listed["c"].streaming

    connector = listed["c"].create(ConnectorContext("c"))
    assert lazy_module in sys.modules
    assert type(connector.config).__name__ == "CountConfig"  # the class's type argument
    assert [item.state for item in connector.read({}, full=True)] == [{"counted": 3}]


def test_validating_settings_imports_the_kind_and_tells_every_problem(lazy_module: str) -> None:
    kinds = plugins_offering(
        counting(lazy_module),
        ConnectorKind("ghost", "Never written", "no_such_module_of_kinds:Nothing"),
    ).connector_kinds()
    _, problems = configure_connectors(
        tables(
            c={"kind": "count", "up_to": "many", "colour": "red", "every": "soon"},
            g={"kind": "ghost"},
        ),
        kinds,
        ZONE,
    )
    assert lazy_module in sys.modules
    assert problems[:2] == [
        "connectors.c.up_to: Input should be a valid integer, unable to parse string as an integer",
        "connectors.c.colour: unknown setting",
    ]
    assert problems[2].startswith("connectors.c.schedule: 'soon' is not an interval")
    assert problems[3].startswith(
        "connectors.g: the kind 'ghost' cannot be loaded: ModuleNotFoundError"
    )


def test_an_unknown_kind_is_told_with_the_declared_ones_without_importing_any(
    lazy_module: str,
) -> None:
    kinds = plugins_offering(counting(lazy_module)).connector_kinds()
    _, problems = configure_connectors(tables(x={"kind": "sum"}), kinds, ZONE)
    assert problems == ["connectors.x: plugin 'probe' has no connector kind 'sum' (it has: count)"]
    assert lazy_module not in sys.modules


def test_a_class_handed_over_directly_is_still_a_kind() -> None:
    plugins = Plugins.load(entry_points=False, extra=[("scripted", scripted.plugin)])
    kinds = plugins.connector_kinds()
    batch, stream = kinds[("scripted", "scripted")], kinds[("scripted", "scripted-stream")]
    assert batch.load() is scripted.ScriptedConnector and not batch.streaming
    assert stream.load() is scripted.StreamingConnector and stream.streaming
    assert batch.load().config_model is scripted.ScriptedConfig  # given as an attribute


def test_what_is_not_a_kind_is_a_failure_of_its_plugin_and_the_others_load() -> None:
    plugins = plugins_offering(
        object(), ConnectorKind("a", "A", "x.y:A"), ConnectorKind("a", "B", "x.y:B")
    )
    assert set(plugins.connector_kinds()) == {("probe", "a")}
    reasons = [failure.reason for failure in plugins.failures]
    assert any("is neither a ConnectorKind nor a Connector class" in r for r in reasons)
    assert any("two kinds are named 'a'" in r for r in reasons)


def test_a_declaration_must_name_a_module_and_a_class() -> None:
    with pytest.raises(ValueError, match=r"is not 'package\.module:Class'"):
        ConnectorKind("x", "X", "package.module.Class")
    with pytest.raises(TypeError, match="is not a Connector class"):
        ConnectorKind("x", "X", "hub.connectors.base:ConnectorContext").load()


def test_every_built_in_kind_loads_a_connector_with_its_own_config_model() -> None:
    kinds = Plugins.load().connector_kinds()
    built_in = {key: kind for key, kind in kinds.items() if isinstance(kind.implementation, str)}
    assert len(built_in) >= 17
    for (plugin, name), kind in built_in.items():
        connector_class = kind.load()
        assert issubclass(connector_class, Connector), (plugin, name)
        assert connector_class.config_model is not ConnectorConfig, (plugin, name)
        assert kind.description, (plugin, name)
    assert {key for key, kind in built_in.items() if kind.streaming} == {
        ("traffic", "mqtt"),
        ("security", "cef-syslog"),
    }
