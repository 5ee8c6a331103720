"""The plugin as the hub finds it, and its Kon Tum demo: files written by a deterministic script,
loaded without any server, with counts checked against the files read plainly."""

from __future__ import annotations

import importlib.util
import json
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from iochub_plugins.health import plugin
from iochub_plugins.health.metrics import EVENT_KINDS, INDICATORS, METRICS

from hub.connectors.runtime import run_sync
from hub.core import Hub
from hub.model import RunStatus
from hub.plugins import Aggregation
from hub.plugins.manager import Plugins
from tests.plugins.health.conftest import observed, quarantined

DEMO_SCRIPT = plugin.DEMO / "make_demo.py"
NOTIFIABLE = {"A91": "dengue", "A97.0": "dengue", "B08.4": "hand_foot_mouth", "B05.9": "measles"}


def load_script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("make_health_demo", DEMO_SCRIPT)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def demo_resources() -> list[dict[str, Any]]:
    lines = plugin.DEMO_FHIR.read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines]


def test_the_hub_finds_the_plugin_and_what_it_brings() -> None:
    plugins = Plugins.load()

    assert not [f for f in plugins.failures if f.name == "health"]
    assert {code for _, m in plugins.metrics() if (code := m.code).startswith("health_")} == {
        m.code for m in METRICS
    }
    assert {kind.name for kind in plugin.PLUGIN.connector_kinds} == {"fhir", "dhis2"}


def test_counts_sum_and_stocks_keep_their_last_value() -> None:
    aggregation = {m.code: m.aggregation for m in METRICS}

    assert aggregation["health_encounters"] == Aggregation.SUM
    assert aggregation["health_disease_cases"] == Aggregation.SUM
    assert aggregation["health_beds"] == Aggregation.LAST
    assert aggregation["health_immunization_target"] == Aggregation.LAST
    coverage = next(i for i in INDICATORS if i.code == "health_immunization_coverage")
    assert (coverage.numerator, coverage.denominator, coverage.factor) == (
        "health_vaccine_doses",
        "health_immunization_target",
        100,
    )
    counted = {m.metric for kind in EVENT_KINDS for m in kind.metrics}
    assert counted == {"health_encounters", "health_vaccine_doses", "health_disease_cases"}


def test_the_demo_script_writes_the_committed_files_byte_for_byte(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    script = load_script()
    for name in ("FHIR_FILE", "DHIS2_FILE", "ORG_UNITS_FILE"):
        monkeypatch.setattr(script, name, tmp_path / getattr(script, name).name)

    script.main()

    for written in tmp_path.iterdir():
        assert written.read_bytes() == (plugin.DEMO / written.name).read_bytes(), written.name


@pytest.fixture
def demo_hub(health_hub: Callable[..., Hub]) -> Hub:
    tables = {t.pop("id"): t for t in plugin.PLUGIN.register_demo_connectors()}
    return health_hub(tables)


def test_the_fhir_demo_loads_from_its_file_with_its_three_faulty_records(demo_hub: Hub) -> None:
    (misplaced,) = [
        r["id"]
        for r in demo_resources()
        if r["resourceType"] == "Immunization"
        and r["location"]["reference"] == "Organization/tyt-99999"
    ]

    run = run_sync(demo_hub, "health-kontum-fhir")

    assert (run.status, run.error, run.records_quarantined) == (RunStatus.PARTIAL, None, 3)
    assert quarantined(demo_hub) == [
        "Encounter/kb-00501: no date (period.start)",
        "Encounter/kb-00502: no date (period.start)",
        f"Immunization/{misplaced}: unknown facility Organization/tyt-99999 (not in the "
        "directory nor in facility_units)",
    ]
    unchanged = run_sync(demo_hub, "health-kontum-fhir")
    assert (unchanged.status, unchanged.records_read) == (RunStatus.SUCCEEDED, 0)


def test_the_demos_disease_cases_are_counted_where_the_patients_live(demo_hub: Hub) -> None:
    resources = demo_resources()
    homes = {
        f"Patient/{r['id']}": r["address"][0]["extension"][0]["extension"][-1]["valueCode"]
        for r in resources
        if r["resourceType"] == "Patient"
    }
    expected: Counter[Any] = Counter()
    for r in resources:
        code = r.get("code", {}).get("coding", [{}])[0].get("code")
        status = r.get("verificationStatus", {}).get("coding", [{}])[0].get("code")
        if r["resourceType"] != "Condition" or code not in NOTIFIABLE or status == "refuted":
            continue
        classification = "confirmed" if status == "confirmed" else "suspected"
        dims = (("classification", classification), ("disease", NOTIFIABLE[code]))
        expected[(homes[r["subject"]["reference"]], r["onsetDateTime"], dims)] += 1

    run_sync(demo_hub, "health-kontum-fhir")

    assert observed(demo_hub, "health_disease_cases") == expected
    dengue = sum(n for (_, day, dims), n in expected.items() if ("disease", "dengue") in dims)
    in_season = sum(
        n
        for (_, day, dims), n in expected.items()
        if ("disease", "dengue") in dims and "2024-06" <= day[:7] <= "2024-10"
    )
    assert in_season > 0.7 * dengue  # the rainy season's peak


def test_the_demos_encounters_and_doses_add_up_by_class_and_vaccine(demo_hub: Hub) -> None:
    resources = demo_resources()
    happened = [
        r
        for r in resources
        if r["resourceType"] == "Encounter" and r["status"] == "finished" and "period" in r
    ]
    known = {f"Organization/{r['id']}" for r in resources if r["resourceType"] == "Organization"}
    doses = [
        r
        for r in resources
        if r["resourceType"] == "Immunization"
        and r["status"] == "completed"
        and r["location"]["reference"] in known
    ]

    run_sync(demo_hub, "health-kontum-fhir")

    by_class: Counter[str] = Counter()
    for (_, _, dims), n in observed(demo_hub, "health_encounters").items():
        by_class[dict(dims)["encounter_class"]] += n
    assert by_class == Counter(r["class"]["code"] for r in happened)
    penta_3 = sum(
        n
        for (_, _, dims), n in observed(demo_hub, "health_vaccine_doses").items()
        if dict(dims)["vaccine"] == "penta" and dict(dims)["dose"] == "3"
    )
    assert penta_3 == sum(
        1
        for r in doses
        if r["vaccineCode"]["coding"][0]["code"] == "102"
        and r["protocolApplied"][0]["doseNumberPositiveInt"] == 3
    )
