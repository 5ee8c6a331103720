"""The plugin as the hub finds it: its hooks, definitions, config validation and demo files."""

from __future__ import annotations

import importlib.util
import re
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from iochub_plugins.education import plugin

from hub.config.settings import ConnectorSettings
from hub.connectors.configured import configure_connectors
from hub.plugins.manager import Plugins
from tests.plugins.education import legacy_db

DEMO_FILES = ("SCHOOLS", "PUPILS", "CLASSES", "TEACHERS", "RESULTS", "POPULATION")


@pytest.fixture(scope="module")
def loaded() -> Plugins:
    return Plugins.load()


def test_the_plugin_is_found_through_its_entry_point(loaded: Plugins) -> None:
    assert "education" in loaded.info
    assert [f for f in loaded.failures if f.name == "education"] == []
    kinds = {kind for name, kind in loaded.connector_kinds() if name == "education"}
    assert kinds == {"sql", "file"}


def test_indicators_are_built_from_the_plugins_metrics() -> None:
    metrics = {m.code: m for m in plugin.PLUGIN.register_metrics()}
    for indicator in plugin.PLUGIN.register_indicators():
        expression = f"{indicator.numerator} {indicator.denominator or ''}"
        assert set(re.findall(r"[A-Za-z_][A-Za-z0-9_]*", expression)) <= set(metrics)
    assert len(metrics) == len(plugin.PLUGIN.register_metrics())
    assert all(m.sector == "education" for m in metrics.values())


def problems(table: dict[str, Any], loaded: Plugins) -> list[str]:
    settings = {"x": ConnectorSettings.model_validate(table)}
    return configure_connectors(settings, loaded.connector_kinds(), "Asia/Ho_Chi_Minh")[1]


def test_the_demo_connector_validates(loaded: Plugins) -> None:
    table = {k: v for k, v in plugin.demo_export_connector().items() if k != "id"}
    assert problems(table, loaded) == []


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        (
            {"levels": {"Mầm non": "preschool"}},
            "x.levels: 'Mầm non' maps to 'preschool', not a level (primary, lower_secondary, ",
        ),
        ({"sexes": {"2": "nữ"}}, "x.sexes: '2' maps to 'nữ', not a sex (male, female)"),
        ({"communes": {"KT01": "2329"}}, "x.communes.KT01: '2329' is not a commune code"),
        ({"classes": None}, "x: pupils.class needs a classes table with an id column"),
        (
            {"results": {"table": "kq", "school": "s", "year": "y", "result": "r", "passed": "p"}},
            "x.results: give result (one row per candidate) or passed (counts)",
        ),
        (
            {"pupils": {"table": "hs", "sex": "gt"}},
            "x.pupils: give school and grade, or class (with a classes table)",
        ),
        (
            {
                "schools": {
                    "table": "t",
                    "id": "a",
                    "name": "b",
                    "commune": "c",
                    "level": "d",
                    "x": 1,
                }
            },
            "x.schools.x: unknown setting",
        ),
    ],
)
def test_a_config_that_does_not_fit_says_what_and_where(
    loaded: Plugins, change: dict[str, Any], problem: str
) -> None:
    table = {**legacy_db.config("mysql+pymysql://reader@db/qlth"), **change}
    table = {k: v for k, v in table.items() if v is not None}
    found = problems(table, loaded)
    assert any(p.startswith(f"connectors.{problem}") for p in found), found


def make_demo_module(monkeypatch: pytest.MonkeyPatch) -> ModuleType:
    spec = importlib.util.spec_from_file_location("make_demo", plugin.DEMO / "make_demo.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, "make_demo", module)  # its dataclasses look it up
    spec.loader.exec_module(module)
    return module


def test_the_committed_demo_files_are_what_the_script_writes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    make_demo = make_demo_module(monkeypatch)
    committed = {name: getattr(make_demo, name) for name in DEMO_FILES}
    for name, path in committed.items():
        monkeypatch.setattr(make_demo, name, tmp_path / path.name)

    make_demo.main()

    for path in committed.values():
        assert (tmp_path / path.name).read_bytes() == path.read_bytes(), path.name
