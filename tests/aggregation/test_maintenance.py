"""Roll-ups kept on ingest equal roll-ups built from scratch, whatever the order of changes."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from hub.aggregation import rebuild
from hub.connectors.errors import PermanentSourceError
from hub.connectors.records import Checkpoint, Event, Item
from hub.connectors.records import Observation as Record
from hub.connectors.runtime import load_records, run_sync
from hub.core import Hub
from hub.model import AdminLevel, AdminUnit, Rollup, RunStatus
from hub.plugins import EventKindDefinition, EventMetric, MetricDefinition, hookimpl
from hub.plugins.manager import Plugins
from tests.aggregation.conftest import (
    COMMUNES,
    CONFIG,
    PROVINCE,
    add_unit,
    ask,
    forget_data,
    load,
    province_hub,
)
from tests.connectors import scripted

Rows = dict[tuple[Any, ...], tuple[float, ...]]


@pytest.fixture
def hub(make_hub: Callable[..., Hub]) -> Hub:
    """The test province, its runs writing every two records: a transaction writes in
    several batches, some of them values written earlier in the same transaction."""
    runtime = {"batch_size": 2, "retry_initial_wait": 0.01, "retry_max_wait": 0.05}
    return province_hub(make_hub, {**CONFIG, "runtime": runtime})


KEY = ("metric_id", "unit_id", "calendar", "period_type", "period", "dims_key", "era")
VALUES = ("total", "cells", "units", "days", "low", "high")


def stored(hub: Hub) -> Rows:
    """Every roll-up row holding values, by key."""
    with hub.db.session() as session:
        rows = session.scalars(select(Rollup).where(Rollup.cells > 0))
        return {
            tuple(getattr(r, name) for name in KEY): tuple(getattr(r, name) for name in VALUES)
            for r in rows
        }


def assert_same(kept: Rows, built: Rows) -> None:
    assert kept.keys() == built.keys()
    for key, values in built.items():
        for a, b in zip(kept[key], values, strict=True):
            assert (a is None and b is None) or math.isclose(a, b, abs_tol=1e-6), key


def rebuilt(hub: Hub) -> Rows:
    with hub.db.session() as session:
        rebuild(session)
    return stored(hub)


change = st.tuples(
    st.sampled_from(["cases", "stock", "low_water", "class_size"]),
    st.sampled_from([*COMMUNES, "901"]),
    st.sampled_from(["2023-11", "2024-01", "2024-02", "2024-06", "2024"]),
    st.sampled_from(["F", "M"]),
    st.one_of(st.none(), st.integers(-10, 100)),
    st.sampled_from(["a", "b"]),
)


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.lists(st.lists(change, min_size=1, max_size=8), min_size=1, max_size=5))
def test_roll_ups_kept_on_ingest_equal_those_built_from_scratch(
    hub: Hub, batches: list[list[tuple[Any, ...]]]
) -> None:
    forget_data(hub)
    for batch in batches:
        for source in ("a", "b"):
            records = [
                Record(metric, unit, period, value, _dims(metric, sex))
                for metric, unit, period, sex, value, origin in batch
                if origin == source
            ]
            if records:
                load(hub, records, source=source, every=3)
    assert_same(stored(hub), rebuilt(hub))


def test_values_written_several_times_in_one_transaction_count_once(hub: Hub) -> None:
    female = {"sex": "F"}
    january = [("90001", 5), ("90002", 2)]
    load(hub, [Record("tested", unit, "2024-01", value, female) for unit, value in january], "a")
    load(hub, [Record("tested", "90003", "2024-01", 4, female)], source="b")
    again = [  # one transaction, written two records at a time
        ("90001", "2024-01", 7),
        ("90004", "2024-02", 1),
        ("90001", "2024-01", 8),
        ("90002", "2024-01", None),  # withdrawn
        ("90001", "2024-01", 9),
        ("90003", "2024-01", 6),  # given by "b" too, earlier: this one counts
    ]
    records = [Record("tested", unit, period, value, female) for unit, period, value in again]
    load(hub, records, source="a", every=len(records) + 1)
    (month,) = ask(hub, "tested", "MONTH", "2024-01", "2024-01", units=[PROVINCE])
    assert (month.value, month.units_reporting) == (9 + 6, 2)
    (quarter,) = ask(hub, "tested", "QUARTER", "2024-Q1", "2024-Q1", units=[PROVINCE])
    assert (quarter.value, quarter.units_reporting) == (9 + 6 + 1, 3)
    assert_same(stored(hub), rebuilt(hub))


def _dims(metric: str, sex: str) -> dict[str, str]:
    return {"sex": sex, "age": "0-4"} if metric == "cases" else {}


def test_a_failed_run_leaves_no_trace_in_the_roll_ups(hub: Hub) -> None:
    def failing() -> Iterator[Item]:
        yield Record("tested", "90001", "2024-01", 1)
        yield Checkpoint({"n": 1})
        yield Record("tested", "90002", "2024-01", 2)
        raise PermanentSourceError("the source went away")

    run = load_records(hub, "failing", failing())
    assert run.status == RunStatus.FAILED
    (province,) = ask(hub, "tested", "MONTH", "2024-01", "2024-01", units=[PROVINCE])
    assert (province.value, province.units_reporting) == (1, 1)
    assert_same(stored(hub), rebuilt(hub))


def test_a_changed_definition_rebuilds_the_roll_ups(hub: Hub, make_hub: Callable[..., Hub]) -> None:
    load(hub, [Record("beds", "90001", "2024-01", 10), Record("beds", "90001", "2024-02", 30)])
    assert ask(hub, "beds", "QUARTER", "2024-Q1", "2024-Q1", units=["90001"])[0].value == 30
    changed = {**CONFIG, "metrics": {**CONFIG["metrics"]}}
    changed["metrics"]["beds"] = {**changed["metrics"]["beds"], "aggregation": "SUM"}
    again = make_hub(changed, with_plugins=Plugins.load(entry_points=False))
    assert ask(again, "beds", "QUARTER", "2024-Q1", "2024-Q1", units=["90001"])[0].value == 40


def test_units_added_later_are_counted_once_the_roll_ups_catch_up(hub: Hub) -> None:
    load(hub, [Record("tested", "90001", "2024-01", 5)])
    with hub.db.session() as session:
        parent = session.scalars(select(AdminUnit).where(AdminUnit.code == "902")).one()
        add_unit(session, "90006", AdminLevel.COMMUNE, parent)
    load(hub, [Record("tested", "90006", "2024-01", 7)])
    (province,) = ask(hub, "tested", "MONTH", "2024-01", "2024-01", units=[PROVINCE])
    assert (province.value, province.units_reporting, province.units_expected) == (12, 2, 6)


KIND = EventKindDefinition(
    "test.case",
    "Test case",
    "feedback",
    metrics=(EventMetric("cases_received", dims={"channel": "channel"}),),
)
cases_plugin = SimpleNamespace(
    register_event_kinds=hookimpl(lambda: [KIND]),
    register_metrics=hookimpl(
        lambda: [
            MetricDefinition("cases_received", "Received", "feedback", disaggregations=("channel",))
        ]
    ),
)


def test_metrics_counted_from_events_aggregate_like_any_other(
    make_hub: Callable[..., Hub],
) -> None:
    plugins = Plugins.load(
        entry_points=False, extra=[("scripted", scripted.plugin), ("cases", cases_plugin)]
    )
    config = {"connectors": {"portal": {"plugin": "scripted", "kind": "scripted", "script": "e"}}}
    hub = make_hub(config, with_plugins=plugins)
    with hub.db.session() as session:
        province = add_unit(session, PROVINCE, AdminLevel.PROVINCE, None)
        for code in ("90001", "90002"):
            add_unit(session, code, AdminLevel.COMMUNE, province)
    start = datetime(2024, 3, 1, 3, 0, tzinfo=UTC)
    events = [
        Event(
            "test.case",
            f"case-{n}",
            start + timedelta(days=n * 9),
            unit=("90001", "90002")[n % 2],
            attributes={"channel": ("web", "phone")[n % 3 == 0]},
        )
        for n in range(8)  # 1 March to 4 May
    ]
    scripted.SCRIPTS["e"] = lambda state, full: iter(events)
    try:
        assert run_sync(hub, "portal").status == RunStatus.SUCCEEDED
    finally:
        scripted.SCRIPTS.clear()
    months = ask(hub, "cases_received", "MONTH", "2024-03", "2024-05", units=[PROVINCE])
    counted = {
        m: sum(1 for e in events if e.occurred_at.strftime("%Y-%m") == m)
        for m in ("2024-03", "2024-04", "2024-05")
    }
    assert {m.period: m.value or 0 for m in months} == counted
    by_channel = ask(
        hub, "cases_received", "YEAR", "2024", "2024", units=[PROVINCE], by=["channel"]
    )
    assert {v.dims["channel"]: v.value for v in by_channel} == {"phone": 3, "web": 5}
