"""Metrics counted from events stay equal to a count over the events, as events change."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from types import SimpleNamespace
from typing import Any

import pytest
from sqlalchemy import select

from hub.connectors.records import Event
from hub.connectors.runtime import run_sync
from hub.core import Hub
from hub.model import AdminLevel, AdminUnit, Metric, Observation
from hub.model import Event as EventRow
from hub.plugins import Aggregation, EventKindDefinition, EventMetric, MetricDefinition
from hub.plugins.manager import Plugins
from tests.connectors import scripted

KIND = EventKindDefinition(
    "test.case",
    "Test case",
    "feedback",
    metrics=(
        EventMetric("received", dims={"category": "category"}),
        EventMetric("resolved", date="resolved_at", where={"status": ("resolved",)}),
        EventMetric(
            "days_to_resolve", date="resolved_at", value="days", where={"status": ("resolved",)}
        ),
    ),
)
cases_plugin = SimpleNamespace(
    register_event_kinds=lambda: [KIND],
    register_metrics=lambda: [
        MetricDefinition(
            "received", "Received", "feedback", Aggregation.SUM, disaggregations=("category",)
        ),
        MetricDefinition("resolved", "Resolved", "feedback", Aggregation.SUM),
        MetricDefinition("days_to_resolve", "Days to resolve", "feedback", Aggregation.SUM),
    ],
)
DAY = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)


@pytest.fixture
def hub(make_hub: Callable[..., Hub]) -> Iterator[Hub]:
    from hub.plugins import hookimpl

    for name in ("register_event_kinds", "register_metrics"):
        setattr(cases_plugin, name, hookimpl(getattr(cases_plugin, name)))
    plugins = Plugins.load(extra=[("scripted", scripted.plugin), ("cases", cases_plugin)])
    hub = make_hub(
        {"connectors": {"src": {"plugin": "scripted", "kind": "scripted", "script": "events"}}},
        with_plugins=plugins,
    )
    with hub.db.session() as session:
        for code in ("23281", "23284"):
            session.add(
                AdminUnit(identity=f"{code}@", code=code, name=code, level=AdminLevel.COMMUNE)
            )
    yield hub
    scripted.SCRIPTS.clear()


def case(
    source_id: str,
    unit: str,
    day: int,
    category: str,
    resolved_day: int | None = None,
    status: str = "received",
) -> Event:
    attributes: dict[str, Any] = {"category": category}
    if resolved_day is not None:
        attributes["resolved_at"] = (DAY + timedelta(days=resolved_day)).isoformat()
        attributes["days"] = resolved_day - day
    return Event(
        "test.case",
        source_id,
        DAY + timedelta(days=day),
        unit=unit,
        status=status,
        attributes=attributes,
    )


def counted_from_events(hub: Hub) -> dict[tuple[str, str, str, str], float]:
    """The expected values: a plain count over the stored events (the second method)."""
    expected: dict[tuple[str, str, str, str], float] = defaultdict(float)
    with hub.db.session() as session:
        rows = session.execute(select(EventRow, AdminUnit.code).join(AdminUnit)).all()
    for event, unit in rows:
        day = event.occurred_at.astimezone(UTC).date().isoformat()
        expected[("received", unit, day, f"category={event.attributes['category']}")] += 1
        if event.status == "resolved":
            resolved = datetime.fromisoformat(event.attributes["resolved_at"]).date().isoformat()
            expected[("resolved", unit, resolved, "")] += 1
            expected[("days_to_resolve", unit, resolved, "")] += event.attributes["days"]
    return dict(expected)


def stored_counts(hub: Hub) -> dict[tuple[str, str, str, str], float]:
    with hub.db.session() as session:
        rows = session.execute(
            select(
                Metric.code,
                AdminUnit.code,
                Observation.period,
                Observation.dims_key,
                Observation.value,
            )
            .join(Metric)
            .join(AdminUnit)
        ).all()
    return {(m, u, p, k): v for m, u, p, k, v in rows}


def sync(hub: Hub, events: list[Event]) -> None:
    scripted.SCRIPTS["events"] = lambda state, full: iter(events)
    assert run_sync(hub, "src").status == "SUCCEEDED"


def test_counts_follow_new_changed_and_moved_events(hub: Hub) -> None:
    sync(
        hub,
        [
            case("A", "23281", 0, "road"),
            case("B", "23281", 0, "light"),
            case("C", "23284", 1, "road", resolved_day=3, status="resolved"),
        ],
    )
    assert stored_counts(hub) == counted_from_events(hub)
    assert (
        stored_counts(hub)[("received", "23281", date(2026, 3, 1).isoformat(), "category=road")]
        == 1
    )

    later = [
        case("A", "23281", 0, "road", resolved_day=4, status="resolved"),
        case("B", "23284", 0, "light"),
    ]  # B was filed under the wrong commune
    sync(hub, later)
    assert stored_counts(hub) == counted_from_events(hub)
    assert ("received", "23281", "2026-03-01", "category=light") not in stored_counts(hub)

    sync(hub, later)  # the same versions again change nothing
    assert stored_counts(hub) == counted_from_events(hub)


def test_an_event_kind_counting_an_undefined_metric_is_a_start_up_problem(
    make_hub: Callable[..., Hub],
) -> None:
    from hub.config import ConfigError
    from hub.plugins import hookimpl

    broken = SimpleNamespace(
        register_event_kinds=hookimpl(
            lambda: [EventKindDefinition("x.y", "X", "s", metrics=(EventMetric("nope"),))]
        )
    )
    with pytest.raises(
        ConfigError, match="counts metric 'nope', which no plugin or config defines"
    ):
        make_hub({}, with_plugins=Plugins.load(extra=[("broken", broken)]))
