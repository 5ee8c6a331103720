"""The plugin in a hub: its definitions, and the Kon Tum demo sources synced end to end, with
every count checked against figures computed here from the files themselves."""

from __future__ import annotations

import csv
import importlib.util
import json
import xml.etree.ElementTree as ET
from collections import Counter, defaultdict
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
from iochub_plugins.traffic import plugin
from sqlalchemy import select

from hub.connectors.runtime import run_sync
from hub.core import Hub
from hub.model import AdminUnit, Event, EventKind, Facility, Metric, Observation, RunStatus
from hub.plugins.manager import Plugins

REFORM = date(2025, 7, 1)
Counts = dict[tuple[str, str], float]
DATEX_NS = {
    "sit": "http://datex2.eu/schema/3/situation",
    "loc": "http://datex2.eu/schema/3/locationReferencing",
    "xsi": "http://www.w3.org/2001/XMLSchema-instance",
}


def demo_tables() -> dict[str, dict[str, Any]]:
    return {
        t["id"]: {k: v for k, v in t.items() if k != "id"}
        for t in plugin.PLUGIN.register_demo_connectors()
    }


@pytest.fixture
def demo_hub(traffic_hub: Callable[..., Hub]) -> Hub:
    return traffic_hub(demo_tables())


def csv_rows() -> list[dict[str, str]]:
    with plugin.DEMO_ACCIDENTS_CSV.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def day_of(row: dict[str, str]) -> date:
    return datetime.strptime(row["Ngày xảy ra"], "%d/%m/%Y").date()


def daily(hub: Hub, metric: str) -> Counts:
    """(unit code, day) → the hub's daily value of ``metric``, summed over disaggregations."""
    with hub.db.session() as session:
        rows = session.execute(
            select(AdminUnit.code, Observation.period, Observation.value)
            .join(AdminUnit, AdminUnit.id == Observation.unit_id)
            .join(Metric, Metric.id == Observation.metric_id)
            .where(Metric.code == metric)
        ).all()
    totals: Counts = defaultdict(float)
    for code, period, value in rows:
        totals[(code, period)] += value
    return dict(totals)


def before_reform(counts: Counts) -> Counts:
    return {key: value for key, value in counts.items() if key[1] < REFORM.isoformat()}


def total_since_reform(counts: Counts) -> float:
    return sum(value for (_, period), value in counts.items() if period >= REFORM.isoformat())


def events(hub: Hub, source: str) -> list[tuple[str, str | None, dict[str, Any]]]:
    """(source id, unit code, attributes) of every event of the source."""
    with hub.db.session() as session:
        return [
            tuple(row)
            for row in session.execute(
                select(Event.source_id, AdminUnit.code, Event.attributes)
                .outerjoin(AdminUnit, AdminUnit.id == Event.unit_id)
                .where(Event.source == source)
            )
        ]


def test_the_plugin_registers_its_kinds_definitions_and_demo(make_hub: Callable[..., Hub]) -> None:
    plugins = Plugins.load()
    hub = make_hub()

    kinds = {kind for (name, kind) in plugins.connector_kinds() if name == "traffic"}
    assert kinds == {"accidents-csv", "accidents-rest", "datex2", "events-jsonl", "mqtt"}
    assert plugins.connector_kinds()[("traffic", "mqtt")].streaming
    with hub.db.session() as session:
        metrics = set(session.scalars(select(Metric.code).where(Metric.sector == "traffic")))
        event_kinds = set(session.scalars(select(EventKind.code)))
    assert metrics == {
        "traffic_accidents",
        "traffic_deaths",
        "traffic_injuries",
        "traffic_violations",
    }
    assert {"traffic.accident", "traffic.violation", "traffic.sensor"} <= event_kinds
    assert {rule.code for _, rule in plugins.alert_rules()} >= {"traffic_fatal_accident"}
    demo = [table for name, table in plugins.demo_connectors() if name == "traffic"]
    assert {table["kind"] for table in demo} == {"accidents-csv", "datex2", "events-jsonl"}


def test_the_demo_export_counts_per_commune_and_day_as_the_file_says(demo_hub: Hub) -> None:
    rows = csv_rows()

    run = run_sync(demo_hub, "traffic-kontum-accidents")

    assert (run.status, run.records_read, run.records_quarantined) == (
        RunStatus.SUCCEEDED,
        len(rows),
        0,
    )
    for metric, column in [
        ("traffic_accidents", None),
        ("traffic_deaths", "Số người chết"),
        ("traffic_injuries", "Số người bị thương"),
    ]:
        expected: Counts = defaultdict(float)
        for row in rows:
            value = float(row[column] or 0) if column else 1.0
            expected[(row["Mã xã"], day_of(row).isoformat())] += value
        counts = daily(demo_hub, metric)
        # Before the reform every record names its (old) commune: exactly the file's figures.
        assert before_reform(counts) == {
            k: v for k, v in before_reform(dict(expected)).items() if v
        }, metric
        # Since, some records carry a point only: the totals still match.
        assert total_since_reform(counts) == total_since_reform(dict(expected)), metric


def test_records_without_a_commune_are_placed_by_their_point_and_marked(demo_hub: Hub) -> None:
    rows = {row["Số hồ sơ"]: row for row in csv_rows()}

    run_sync(demo_hub, "traffic-kontum-accidents")

    stored = events(demo_hub, "traffic-kontum-accidents")
    assert len(stored) == len(rows)
    for source_id, code, attributes in stored:
        row = rows[source_id]
        if row["Mã xã"]:
            assert (code, "unit_approximate" in attributes) == (row["Mã xã"], False)
        else:
            assert code is not None and attributes["unit_approximate"] is True
    assert sum(not row["Mã xã"] for row in rows.values()) > 0


def test_the_demo_datex2_publication_gives_its_accidents_only(demo_hub: Hub) -> None:
    root = ET.parse(plugin.DEMO_DATEX2).getroot()
    accidents = [
        r
        for r in root.iterfind(".//sit:situationRecord", DATEX_NS)
        if r.get(f"{{{DATEX_NS['xsi']}}}type") == "sit:Accident"
    ]

    def people(record: ET.Element, statuses: set[str]) -> int:
        return sum(
            int(group.findtext("sit:numberOfPeople", "1", DATEX_NS))
            for group in record.iterfind("sit:groupOfPeopleInvolved", DATEX_NS)
            if group.findtext("sit:injuryStatus", "", DATEX_NS) in statuses
        )

    records = root.findall(".//sit:situationRecord", DATEX_NS)
    others = Counter(r.get(f"{{{DATEX_NS['xsi']}}}type").removeprefix("sit:") for r in records)
    del others["Accident"]

    run = run_sync(demo_hub, "traffic-kontum-datex2")

    assert (run.status, run.records_read) == (RunStatus.SUCCEEDED, len(records))
    assert (run.records_written, run.records_skipped) == (len(accidents), others.total())
    reason = "DATEX II situation record that is not an accident"
    assert run.skipped == {f"{reason}: {kind}": count for kind, count in others.items()}
    stored = events(demo_hub, "traffic-kontum-datex2")
    assert sorted(source_id for source_id, _, _ in stored) == sorted(r.get("id") for r in accidents)
    assert all(
        code is not None and attributes["unit_approximate"] for _, code, attributes in stored
    )
    deaths = sum(daily(demo_hub, "traffic_deaths").values())
    injuries = sum(daily(demo_hub, "traffic_injuries").values())
    assert deaths == sum(people(r, {"dead"}) for r in accidents)
    assert injuries == sum(people(r, {"seriouslyInjured", "slightlyInjured"}) for r in accidents)


def test_the_demo_camera_week_counts_violations_by_type_per_commune_and_day(
    demo_hub: Hub,
) -> None:
    cameras = {c["id"]: c for c in json.loads(plugin.DEMO_CAMERAS.read_text(encoding="utf-8"))}
    lines = [
        json.loads(line)
        for line in plugin.DEMO_CAMERA_EVENTS.read_text(encoding="utf-8").splitlines()
    ]
    unique = {message["event_id"]: message for message in lines}
    violation_types = {"red_light", "speeding", "no_helmet", "wrong_lane"}
    expected: Counter[tuple[str, str, str]] = Counter()
    for message in unique.values():
        kind = message["type"].replace("-", "_")
        if kind in violation_types:
            commune = cameras[message["camera_id"]]["commune"]
            expected[(commune, message["time"][:10], kind)] += 1

    run = run_sync(demo_hub, "traffic-kontum-cameras")

    assert (run.status, run.records_read) == (RunStatus.SUCCEEDED, len(cameras) + len(lines))
    assert len(lines) > len(unique)  # the resent message ...
    assert len(events(demo_hub, "traffic-kontum-cameras")) == len(unique)  # ... stored once
    with demo_hub.db.session() as session:
        rows = session.execute(
            select(AdminUnit.code, Observation.period, Observation.dims, Observation.value)
            .join(AdminUnit, AdminUnit.id == Observation.unit_id)
            .join(Metric, Metric.id == Observation.metric_id)
            .where(Metric.code == "traffic_violations")
        ).all()
        facilities = session.scalars(
            select(Facility.kind).where(Facility.source == "traffic-kontum-cameras")
        ).all()
    assert {
        (code, period, dims["violation_type"]): value for code, period, dims, value in rows
    } == expected
    assert facilities == ["camera"] * len(cameras)
    assert not any(
        "plate" in attributes for _, _, attributes in events(demo_hub, "traffic-kontum-cameras")
    )


def test_the_committed_demo_files_are_what_the_script_writes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    spec = importlib.util.spec_from_file_location("make_demo", plugin.DEMO / "make_demo.py")
    assert spec and spec.loader
    make_demo = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(make_demo)
    committed = {}
    for name in ("ACCIDENTS_CSV", "DATEX2_XML", "CAMERAS_JSON", "CAMERA_EVENTS"):
        path = getattr(make_demo, name)
        committed[path.name] = path.read_bytes()
        monkeypatch.setattr(make_demo, name, tmp_path / path.name)

    make_demo.main()

    assert {name: (tmp_path / name).read_bytes() for name in committed} == committed
