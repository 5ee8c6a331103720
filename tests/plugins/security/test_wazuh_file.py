"""The wazuh-file kind through the hub's runtime, on SQLite and PostgreSQL: appends between
runs, rotations, a fault in the middle of a run, and every number checked against the
independent reference of samples.py."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from iochub_plugins.security import pipeline as pipeline_module

from hub.connectors.errors import TransientSourceError
from hub.connectors.runtime import run_sync
from hub.core import Hub
from hub.model import RunStatus
from hub.testing.acceptance import ConnectorAcceptance, snapshot
from tests.plugins.security.conftest import events, observed, quarantined, totals
from tests.plugins.security.samples import (
    HOST_KEYS,
    ICT,
    LABEL,
    OWNERS,
    expected_alert_counts,
    expected_incidents,
    expected_resolution,
    generate_alerts,
    json_lines,
    last_day,
    security_table,
)

START = datetime(2026, 11, 2, tzinfo=ICT)


class TestWazuhFileAcceptance(ConnectorAcceptance):
    @pytest.fixture
    def connector_under_test(
        self, security_hub: Callable[..., Hub], tmp_path: Path
    ) -> tuple[Hub, str]:
        path = tmp_path / "alerts.json"
        path.write_text(json_lines(generate_alerts(3, START, hours=30)), encoding="utf-8")
        return security_hub({"wazuh": security_table("wazuh-file", path=str(path))}), "wazuh"


def test_a_full_re_read_writes_the_same_rows_and_values(
    security_hub: Callable[..., Hub], tmp_path: Path
) -> None:
    alerts = generate_alerts(9, START, hours=48)
    path = tmp_path / "alerts.json"
    path.write_text(json_lines(alerts), encoding="utf-8")
    hub = security_hub({"wazuh": security_table("wazuh-file", path=str(path))})

    run_sync(hub, "wazuh")
    before = snapshot(hub, "wazuh")
    run_sync(hub, "wazuh", full=True)

    assert snapshot(hub, "wazuh") == before
    check_against_reference(hub, alerts)


def incident_rows(hub: Hub) -> list[tuple[Any, ...]]:
    return sorted(
        (
            e.attributes["host"],
            e.attributes["rule"],
            e.attributes["count"],
            e.status,
            e.unit_code,
            e.severity,
        )
        for e in events(hub, "security.incident")
    )


def expected_rows(alerts: list[dict[str, Any]]) -> list[tuple[Any, ...]]:
    severity = {"low": 1, "medium": 2, "high": 3, "critical": 4}
    return sorted(
        (
            HOST_KEYS[i.agent],
            f"wazuh:{i.rule}",
            i.count,
            "resolved" if i.resolved else "open",
            OWNERS[i.agent][1],
            severity[LABEL[i.level]],
        )
        for i in expected_incidents(alerts)
    )


def check_against_reference(hub: Hub, alerts: list[dict[str, Any]]) -> None:
    """Events and every metric of the plugin equal what the reference computes."""
    assert incident_rows(hub) == expected_rows(alerts)
    assert len(events(hub, "security.alert")) == len(alerts)

    counts = observed(hub, "security_alerts")
    found = {(unit, day, dims): value for (unit, day, dims), value in counts.items()}
    expected = {
        (unit, day, f"agency={agency}|severity={label}"): float(n)
        for (unit, day, label, agency), n in expected_alert_counts(alerts).items()
    }
    assert found == expected

    resolved, hours = expected_resolution(expected_incidents(alerts))
    assert totals(observed(hub, "security_incidents_resolved")) == resolved
    found_hours = totals(observed(hub, "security_resolve_hours"))
    assert found_hours.keys() <= hours.keys()
    for key, value in hours.items():
        assert found_hours.get(key, 0.0) == pytest.approx(value, abs=1e-3)

    day = last_day(alerts).isoformat()
    still_open = [i for i in expected_incidents(alerts) if not i.resolved]
    open_now = totals(observed(hub, "security_incidents_open"))
    for unit in {"23293", "23284"}:
        want = sum(1 for i in still_open if OWNERS[i.agent][1] == unit)
        assert open_now[(unit, day)] == want


def test_appends_and_a_rotation_between_runs_match_the_reference(
    security_hub: Callable[..., Hub], tmp_path: Path
) -> None:
    alerts = generate_alerts(21, START, hours=24 * 4)
    parts = [alerts[:40], alerts[40:95], alerts[95:150], alerts[150:]]
    path = tmp_path / "alerts.json"
    hub = security_hub({"wazuh": security_table("wazuh-file", path=str(path), checkpoint_every=7)})

    path.write_text(json_lines(parts[0]), encoding="utf-8")
    assert run_sync(hub, "wazuh").status == RunStatus.SUCCEEDED
    with path.open("a", encoding="utf-8") as handle:  # appended, half a line at the end
        handle.write(json_lines(parts[1]) + json.dumps(parts[2][0])[:30])
    assert run_sync(hub, "wazuh").records_read > 0
    with path.open("a", encoding="utf-8") as handle:
        handle.write(json.dumps(parts[2][0])[30:] + "\n" + json_lines(parts[2][1:]))
    path.rename(tmp_path / "alerts.json.1")  # rotated before the connector saw the rest
    path.write_text(json_lines(parts[3]), encoding="utf-8")
    assert run_sync(hub, "wazuh").status == RunStatus.SUCCEEDED
    assert run_sync(hub, "wazuh").records_read == 0

    check_against_reference(hub, alerts)


def test_a_fault_mid_run_is_retried_without_counting_twice(
    security_hub: Callable[..., Hub], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    alerts = generate_alerts(8, START, hours=48)
    path = tmp_path / "alerts.json"
    path.write_text(json_lines(alerts), encoding="utf-8")
    hub = security_hub({"wazuh": security_table("wazuh-file", path=str(path), checkpoint_every=10)})
    take = pipeline_module.AlertPipeline.take
    taken = {"alerts": 0}

    def failing_once(self: Any, alert: Any, place: str | None = None) -> Any:
        taken["alerts"] += 1
        if taken["alerts"] == 55:  # after five checkpoints, before the sixth
            raise TransientSourceError("the share went away for a moment")
        return take(self, alert, place)

    monkeypatch.setattr(pipeline_module.AlertPipeline, "take", failing_once)
    run = run_sync(hub, "wazuh")

    assert (run.status, run.attempts) == (RunStatus.SUCCEEDED, 2)
    check_against_reference(hub, alerts)


def test_bad_lines_are_quarantined_with_the_reason_and_the_raw_line(
    security_hub: Callable[..., Hub], tmp_path: Path
) -> None:
    alerts = generate_alerts(4, START, hours=6)
    path = tmp_path / "alerts.json"
    broken = '{"timestamp": "2026-11-02T01:00:00+0000", "rule": {"id": "5710"}}'
    path.write_text(
        json_lines(alerts[:3]) + "{oops\n" + broken + "\n" + json_lines(alerts[3:]),
        encoding="utf-8",
    )
    hub = security_hub({"wazuh": security_table("wazuh-file", path=str(path))})

    run = run_sync(hub, "wazuh")

    assert (run.status, run.records_quarantined) == (RunStatus.PARTIAL, 2)
    assert [(q.reason, q.payload) for q in quarantined(hub)] == [
        ("not JSON: Expecting property name enclosed in double quotes at column 2", "{oops"),
        ("the alert has no rule.level", broken),
    ]
    assert quarantined(hub)[0].place.endswith(f"at byte {len(json_lines(alerts[:3]).encode())}")
    assert len(events(hub, "security.alert")) == len(alerts)


def test_alerts_below_the_minimum_level_are_skipped(
    security_hub: Callable[..., Hub], tmp_path: Path
) -> None:
    alerts = generate_alerts(6, START, hours=24)
    path = tmp_path / "alerts.json"
    path.write_text(json_lines(alerts), encoding="utf-8")
    hub = security_hub({"wazuh": security_table("wazuh-file", path=str(path), min_level=12)})

    run_sync(hub, "wazuh")

    kept = [alert for alert in alerts if alert["rule"]["level"] >= 12]
    assert len(events(hub, "security.alert")) == len(kept)
    assert incident_rows(hub) == expected_rows(kept)
