"""The plugin as the hub finds it: hooks, definitions, the demo connector and its data, which a
sync turns into the counts computed here from the demo files themselves."""

from __future__ import annotations

import importlib.util
import json
import math
import re
from collections import Counter
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from iochub_plugins.feedback import plugin

from hub.connectors.runtime import run_sync
from hub.core import Hub
from hub.model import RunStatus
from hub.plugins.manager import Plugins
from tests.plugins.feedback.conftest import (
    VN,
    Clock,
    counts,
    event_units,
    local_day,
    observations,
    quarantined,
)

DEMO_ID = "feedback-kontum"
EXPORT_DAY = datetime(2026, 11, 20, 10, 0, tzinfo=VN)


def test_the_plugin_is_found_through_its_entry_point() -> None:
    loaded = Plugins.load()

    assert [f for f in loaded.failures if f.name == "feedback"] == []
    assert ("feedback", "open311") in loaded.connector_kinds()


def test_indicators_and_event_metrics_use_the_plugins_metrics() -> None:
    metrics = {m.code: m for m in plugin.PLUGIN.register_metrics()}
    for indicator in plugin.PLUGIN.register_indicators():
        expression = f"{indicator.numerator} {indicator.denominator or ''}"
        assert set(re.findall(r"[a-z_]+", expression)) <= set(metrics), indicator.code
    [kind] = plugin.PLUGIN.register_event_kinds()
    for counted in kind.metrics:
        assert set(counted.dims) <= set(metrics[counted.metric].disaggregations)
    for rule in plugin.PLUGIN.register_alert_rules():
        assert rule.problems() == [] and rule.metric in metrics


def test_the_demo_connector_is_a_valid_table() -> None:
    table = plugin.demo_connector()

    assert (table["plugin"], table["kind"], Path(table["location"])) == (
        "feedback",
        "open311",
        plugin.DEMO,
    )
    assert len(table["units"]) == 40


def make_demo_module() -> ModuleType:
    spec = importlib.util.spec_from_file_location("make_demo", plugin.DEMO / "make_demo.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_committed_demo_files_are_what_the_script_writes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    make_demo = make_demo_module()
    monkeypatch.setattr(make_demo, "HERE", tmp_path)

    make_demo.main()

    for name in ("services.json", "requests.json", "communes.json"):
        assert (tmp_path / name).read_bytes() == (plugin.DEMO / name).read_bytes(), name


def demo_file(name: str) -> list[dict[str, Any]]:
    return json.loads((plugin.DEMO / name).read_text(encoding="utf-8"))


def test_the_demo_cases_are_plausible() -> None:
    cases = demo_file("requests.json")
    statuses = Counter(case["status"] for case in cases)

    assert 500 < len(cases) < 700
    assert statuses["resolved"] + statuses["closed"] > 0.8 * len(cases)
    assert 0 < statuses["open"] + statuses["acknowledged"] + statuses["in_progress"] < 50
    assert all(case["requested_datetime"] <= case["updated_datetime"] for case in cases)


def commune_of(case: dict[str, Any], communes: list[dict[str, Any]]) -> str:
    """The commune, as a reader of the export would find it: code, name in the address, or
    the centre nearest to the point."""
    if "commune_code" in case:
        return case["commune_code"]
    named = [c["code"] for c in communes if c["name"] in case["address"]]
    if named:
        return named[0]
    return min(
        communes, key=lambda c: math.dist((c["lat"], c["lon"]), (case["lat"], case["long"]))
    )["code"]


def expected(cases: list[dict[str, Any]]) -> tuple[Counter[tuple[str, ...]], Counter[str]]:
    """Cases received and resolved per commune and day; overdue per commune on EXPORT_DAY."""
    communes = demo_file("communes.json")
    flows: Counter[tuple[str, ...]] = Counter()
    overdue: Counter[str] = Counter()
    for case in cases:
        unit = commune_of(case, communes)
        flows["feedback_cases_received", unit, local_day(case["requested_datetime"])] += 1
        if case["status"] in ("resolved", "closed"):
            flows["feedback_cases_resolved", unit, local_day(case["updated_datetime"])] += 1
        elif case["status"] not in ("rejected", "duplicate") and _placed_by_fields(case, communes):
            overdue[unit] += datetime.fromisoformat(case["expected_datetime"]) < EXPORT_DAY
    return flows, overdue


def _placed_by_fields(case: dict[str, Any], communes: list[dict[str, Any]]) -> bool:
    return "commune_code" in case or any(c["name"] in case["address"] for c in communes)


def totals(values: Counter[tuple[str, str, str]], metric: str) -> Counter[tuple[str, ...]]:
    """A metric's stored values summed over the disaggregations."""
    summed: Counter[tuple[str, ...]] = Counter()
    for (unit, day, _), value in values.items():
        summed[metric, unit, day] += value
    return summed


def test_the_demo_syncs_into_the_counts_of_its_files(
    feedback_hub: Callable[..., Hub], clock: Clock
) -> None:
    clock.now = EXPORT_DAY
    demo = plugin.demo_connector()
    hub = feedback_hub({DEMO_ID: {k: v for k, v in demo.items() if k != "id"}})

    run = run_sync(hub, DEMO_ID)

    cases = demo_file("requests.json")
    assert (run.status, run.records_quarantined, quarantined(hub)) == (RunStatus.SUCCEEDED, 0, [])
    assert len(event_units(hub, DEMO_ID)) == len(cases)
    assert None not in event_units(hub, DEMO_ID).values()
    stored = observations(hub, DEMO_ID)
    flows, overdue = expected(cases)
    found = totals(counts(stored, "feedback_cases_received"), "feedback_cases_received") + totals(
        counts(stored, "feedback_cases_resolved"), "feedback_cases_resolved"
    )
    assert found == flows
    snapshot: Counter[str] = Counter()
    for (unit, day, _), value in counts(stored, "feedback_cases_overdue").items():
        assert day == "2026-11-20"
        snapshot[unit] += value
    assert +snapshot == +overdue and sum(overdue.values()) > 0
