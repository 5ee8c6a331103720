"""The plugin as the hub finds it: its hooks, definitions, demo connectors and demo files."""

from __future__ import annotations

import importlib.util
import re
from collections import defaultdict
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from iochub_plugins.indicators import plugin

from hub.config.settings import ConnectorSettings
from hub.connectors.base import ConnectorContext
from hub.connectors.configured import configure_connectors
from hub.connectors.records import Observation
from hub.plugins.manager import Plugins

KON_TUM = {"62", "608", *(str(code) for code in range(610, 619))}


@pytest.fixture(scope="module")
def loaded() -> Plugins:
    return Plugins.load()


def test_the_plugin_is_found_through_its_entry_point(loaded: Plugins) -> None:
    assert "indicators" in loaded.info
    assert [f for f in loaded.failures if f.name == "indicators"] == []
    kinds = {kind for plugin_name, kind in loaded.connector_kinds() if plugin_name == "indicators"}
    assert kinds == {"sdmx-json", "sdmx-csv", "excel"}


def test_indicators_are_built_from_the_plugins_metrics() -> None:
    metrics = {m.code for m in plugin.PLUGIN.register_metrics()}
    for indicator in plugin.PLUGIN.register_indicators():
        expression = f"{indicator.numerator} {indicator.denominator or ''}"
        names = set(re.findall(r"[A-Za-z_][A-Za-z0-9_]*", expression)) - {"days"}
        assert names <= metrics, indicator.code
    assert len(metrics) == len(plugin.PLUGIN.register_metrics())  # no code twice


def demo_connectors() -> dict[str, Any]:
    tables = {t["id"]: t for t in plugin.PLUGIN.register_demo_connectors()}
    settings = {
        connector_id: ConnectorSettings.model_validate(
            {k: v for k, v in table.items() if k != "id"}
        )
        for connector_id, table in tables.items()
    }
    configured, problems = configure_connectors(
        settings, Plugins.load().connector_kinds(), "Asia/Ho_Chi_Minh"
    )
    assert problems == []
    return configured


def read_demo(connector_id: str) -> list[Any]:
    configured = demo_connectors()[connector_id]
    connector = configured.create(ConnectorContext(connector_id))
    return list(connector.read({}, full=True))


def test_the_demo_connectors_validate_and_read_without_a_bad_record() -> None:
    metrics = {m.code: m for m in plugin.PLUGIN.register_metrics()}
    for connector_id in ("indicators-kontum-excel", "indicators-kontum-cpi"):
        items = read_demo(connector_id)
        records = [i for i in items if isinstance(i, Observation)]
        assert len(records) == len(items) - 1, connector_id  # and one checkpoint
        for record in records:
            assert record.metric in metrics
            assert record.unit in KON_TUM
            assert set(record.dims) <= set(metrics[record.metric].disaggregations)


def totals(items: list[Any]) -> dict[tuple[str, str], float]:
    """metric, year → the sum of its values (for flows) over units and periods."""
    found: dict[tuple[str, str], float] = defaultdict(float)
    for item in items:
        if isinstance(item, Observation):
            found[item.metric, item.period[:4]] += item.value  # type: ignore[operator]
    return found


def test_the_demo_figures_are_plausible_for_kon_tum() -> None:
    items = read_demo("indicators-kontum-excel")
    year = totals(items)

    assert 38_000 < year["grdp", "2024"] < 42_000  # billion VND
    assert 560_000 < year["population", "2024"] < 600_000
    assert 25_000 < year["retail_sales", "2024"] < 35_000
    assert 2_500 < year["budget_revenue", "2024"] < 5_000
    rate = year["public_investment_disbursed", "2024"] / year["public_investment_plan", "2024"]
    assert 0.7 < rate < 1.0


def test_the_demo_dossiers_add_up() -> None:
    by_unit_month: dict[tuple[str, str], dict[str, float]] = defaultdict(dict)
    for item in read_demo("indicators-kontum-excel"):
        if isinstance(item, Observation) and item.metric.startswith("admin_"):
            by_unit_month[item.unit, item.period][item.metric] = item.value  # type: ignore[assignment]

    assert len(by_unit_month) == 10 * 18
    for counts in by_unit_month.values():
        received = counts["admin_dossiers_received"]
        late = counts["admin_dossiers_resolved_late"]
        assert counts["admin_dossiers_resolved_on_time"] + late <= received
        assert counts["admin_dossiers_received_online"] <= received


def test_the_demo_cpi_has_a_total_and_three_groups_for_18_months() -> None:
    records = [i for i in read_demo("indicators-kontum-cpi") if isinstance(i, Observation)]

    groups = {r.dims.get("commodity_group", "total") for r in records}
    assert groups == {"total", "food_catering", "housing_utilities", "transport"}
    assert {r.unit for r in records} == {"62"}
    assert len(records) == 4 * 18
    assert all(100 < r.value < 130 for r in records)  # type: ignore[operator]


def make_demo_module() -> ModuleType:
    path = plugin.DEMO / "make_demo.py"
    spec = importlib.util.spec_from_file_location("make_demo", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_committed_demo_files_are_what_the_script_writes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    make_demo = make_demo_module()
    monkeypatch.setattr(make_demo, "WORKBOOK", tmp_path / "book.xlsx")
    monkeypatch.setattr(make_demo, "CPI_MESSAGE", tmp_path / "cpi.json")

    make_demo.main()

    assert (tmp_path / "book.xlsx").read_bytes() == plugin.DEMO_WORKBOOK.read_bytes()
    assert (tmp_path / "cpi.json").read_bytes() == plugin.DEMO_CPI.read_bytes()
