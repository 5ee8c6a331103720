"""Folding alerts into incidents, the day's figures, and why re-reads never double a count."""

from __future__ import annotations

import json
import random
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

import pytest
from iochub_plugins.security.alerts import Alert
from iochub_plugins.security.config import SecurityConfig
from iochub_plugins.security.pipeline import AlertPipeline
from iochub_plugins.security.wazuh import wazuh_alert

from hub.connectors.records import Checkpoint, Event, Observation
from tests.plugins.security.samples import (
    DEFAULT_OWNER,
    HOST_KEYS,
    HOSTS,
    ICT,
    OWNERS,
    expected_incidents,
    generate_alerts,
)
from tests.plugins.security.samples import wazuh_alert as raw_alert

START = datetime(2026, 11, 2, 0, 0, tzinfo=ICT)
CONFIG = SecurityConfig.model_validate({"hosts": HOSTS, "default_owner": DEFAULT_OWNER})


def alerts_of(raw: Iterable[dict[str, Any]]) -> list[Alert]:
    return [wazuh_alert(item, fallback_id="") for item in raw]


class Outcome:
    """The last version of every record the pipeline yielded, as the hub would keep them."""

    def __init__(self) -> None:
        self.events: dict[str, Event] = {}
        self.figures: dict[tuple[str, str, str, str], float] = {}

    def keep(self, items: Iterable[Any]) -> None:
        for item in items:
            if isinstance(item, Event):
                self.events[item.source_id] = item
            elif isinstance(item, Observation):
                dims = ",".join(f"{k}={v}" for k, v in sorted(item.dims.items()))
                self.figures[(item.metric, item.unit, item.period, dims)] = item.value

    def kind(self, kind: str) -> list[Event]:
        return [event for event in self.events.values() if event.kind == kind]


def run_at_once(alerts: list[Alert], config: SecurityConfig = CONFIG) -> Outcome:
    pipeline, outcome = AlertPipeline(config, {}), Outcome()
    for alert in alerts:
        outcome.keep(pipeline.take(alert))
    outcome.keep(pipeline.checkpoint({}))
    return outcome


def test_repeated_alerts_fold_into_one_incident_with_a_count() -> None:
    brute_force = [
        raw_alert(f"a{n}", START + timedelta(minutes=5 * n), "5710", "web01") for n in range(6)
    ]
    later = raw_alert("b", START + timedelta(hours=3), "5710", "web01")
    outcome = run_at_once(alerts_of([*brute_force, later]))

    first, second = sorted(outcome.kind("security.incident"), key=lambda e: e.occurred_at)
    assert (first.status, first.attributes["count"], first.severity) == ("resolved", 6, 1)
    assert first.attributes["resolve_hours"] == pytest.approx(25 / 60, abs=1e-4)
    assert first.attributes["resolved_at"] == first.attributes["last_seen"]
    assert (first.unit, first.attributes["agency"]) == ("23293", "Sở Tài chính")
    assert (second.status, second.attributes["count"]) == ("open", 1)
    assert "resolved_at" not in second.attributes
    alerts = outcome.kind("security.alert")
    assert len(alerts) == 7
    assert {alert.attributes["incident"] for alert in alerts} == {
        first.source_id,
        second.source_id,
    }


def test_incidents_match_an_independent_fold() -> None:
    raw = generate_alerts(7, START, hours=72)
    outcome = run_at_once(alerts_of(raw))

    expected = sorted(
        (HOST_KEYS[i.agent], f"wazuh:{i.rule}", i.count, i.resolved, i.first.isoformat())
        for i in expected_incidents(raw)
    )
    found = sorted(
        (
            e.attributes["host"],
            e.attributes["rule"],
            e.attributes["count"],
            e.status == "resolved",
            datetime.fromisoformat(e.attributes["first_seen"]).isoformat(),
        )
        for e in outcome.kind("security.incident")
    )
    assert found == expected
    assert sum(count for _, _, count, _, _ in found) == len(raw)


def run_in_pieces(alerts: list[Alert], seed: int) -> Outcome:
    """Read in runs of random length; each run starts from the state saved at the last
    checkpoint (through JSON, as the hub stores it), and some runs fail after their last
    checkpoint, losing what they yielded since — then the next run reads it again."""
    rng = random.Random(seed)
    outcome, state, position = Outcome(), {}, 0
    while position < len(alerts):
        pipeline = AlertPipeline(CONFIG, state)
        end = min(len(alerts), position + rng.randint(1, 25))
        committed: list[Any] = []
        for alert in alerts[position:end]:
            committed += pipeline.take(alert)
        committed += pipeline.checkpoint({"position": end})
        crash = rng.random() < 0.3
        if crash:  # what follows the checkpoint is rolled back
            for alert in alerts[end : end + rng.randint(1, 5)]:
                list(pipeline.take(alert))
        outcome.keep(committed)
        state = json.loads(json.dumps(committed[-1].state))
        position = state["position"]
    return outcome


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_reading_in_runs_with_failures_gives_what_one_reading_gives(seed: int) -> None:
    alerts = alerts_of(generate_alerts(seed, START, hours=96))

    at_once, in_pieces = run_at_once(alerts), run_in_pieces(alerts, seed)

    assert in_pieces.events == at_once.events
    assert in_pieces.figures == at_once.figures


def test_the_days_figures_open_incidents_and_hosts() -> None:
    raw = [
        raw_alert("1", START + timedelta(hours=9), "5710", "web01"),
        raw_alert("2", START + timedelta(hours=9, minutes=1), "100200", "pc-dakcam"),
        raw_alert("3", START + timedelta(hours=23, minutes=30), "5712", "web01"),
        raw_alert("4", START + timedelta(days=1, hours=9), "5710", "gis01"),
    ]
    figures = run_at_once(alerts_of(raw)).figures

    day1, day2 = "2026-11-02", "2026-11-03"
    # At the end of 2 November only the 23:30 alert's incident is still open.
    assert figures[("security_incidents_open", "23293", day1, "severity=medium")] == 1
    assert figures[("security_incidents_open", "23284", day1, "severity=critical")] == 0
    assert figures[("security_hosts_monitored", "23293", day1, "")] == 1
    assert figures[("security_hosts_monitored", "23284", day1, "")] == 1
    # On 3 November (so far) the gis01 incident is open; web01's fell quiet at 00:30.
    assert figures[("security_incidents_open", "23293", day2, "severity=low")] == 1
    assert figures[("security_incidents_open", "23293", day2, "severity=medium")] == 0
    assert figures[("security_hosts_monitored", "23293", day2, "")] == 1
    assert figures[("security_hosts_monitored", "23284", day2, "")] == 0


def test_the_book_of_open_incidents_is_bounded() -> None:
    config = SecurityConfig.model_validate({**CONFIG.model_dump(), "max_open_incidents": 3})
    rules = ["5710", "5712", "31106", "100200"]
    raw = [
        raw_alert(str(n), START + timedelta(minutes=n), rule, "web01")
        for n, rule in enumerate(rules)
    ]
    pipeline = AlertPipeline(config, {})
    outcome = Outcome()
    for alert in alerts_of(raw):
        outcome.keep(pipeline.take(alert))

    statuses = {e.attributes["rule"]: e.status for e in outcome.kind("security.incident")}
    assert statuses == {
        "wazuh:5710": "resolved",
        "wazuh:5712": "open",
        "wazuh:31106": "open",
        "wazuh:100200": "open",
    }
    assert len(pipeline.state()["incidents"]) == 3


def test_store_alerts_off_writes_incidents_only() -> None:
    config = SecurityConfig.model_validate({**CONFIG.model_dump(), "store_alerts": False})
    outcome = run_at_once(alerts_of(generate_alerts(5, START, hours=12)), config)

    assert outcome.kind("security.alert") == []
    assert all(e.attributes["alerts_stored"] is False for e in outcome.kind("security.incident"))


def test_the_state_is_a_small_cursor() -> None:
    pipeline = AlertPipeline(CONFIG, {})
    items: list[Any] = []
    for alert in alerts_of(generate_alerts(11, START, hours=24 * 30)):
        items += pipeline.take(alert)
    items += pipeline.checkpoint({})

    assert isinstance(items[-1], Checkpoint)
    assert len(json.dumps(items[-1].state)) < 2048
    assert {event.unit for event in items if isinstance(event, Event)} == {
        unit for _, unit in OWNERS.values()
    }
