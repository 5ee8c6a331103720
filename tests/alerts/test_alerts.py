"""Alert rules: raised once per cause as data arrive, listed, acknowledged, configured."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from types import SimpleNamespace
from typing import Any

import pytest
from litestar.testing import TestClient
from sqlalchemy import func, select

from hub.config import ConfigError
from hub.connectors.records import Event
from hub.connectors.runtime import run_sync
from hub.core import Hub
from hub.graphql.app import create_app
from hub.model import AdminLevel, AdminUnit, Alert
from hub.plugins import AlertRule, EventKindDefinition, hookimpl
from hub.plugins.manager import Plugins
from tests.connectors import scripted

sector_plugin = SimpleNamespace(
    register_event_kinds=hookimpl(
        lambda: [EventKindDefinition("test.intrusion", "Intrusion", "security")]
    ),
    register_alert_rules=hookimpl(
        lambda: [
            AlertRule(
                "serious-intrusion",
                "Serious intrusion",
                severity=4,
                event_kind="test.intrusion",
                min_severity=3,
            ),
            AlertRule("any-intrusion", "Any intrusion", severity=1, event_kind="test.intrusion"),
        ]
    ),
)
CONNECTOR = {"src": {"plugin": "scripted", "kind": "scripted", "script": "intrusions"}}


def plugins() -> Plugins:
    return Plugins.load(extra=[("scripted", scripted.plugin), ("sector", sector_plugin)])


@pytest.fixture
def build(make_hub: Callable[..., Hub]) -> Callable[..., Hub]:
    def hub_with(alerts: dict[str, Any] | None = None) -> Hub:
        hub = make_hub({"connectors": CONNECTOR, "alerts": alerts or {}}, with_plugins=plugins())
        with hub.db.session() as session:
            session.add(
                AdminUnit(
                    identity="23293@", code="23293", name="Thắng Lợi", level=AdminLevel.COMMUNE
                )
            )
        return hub

    return hub_with


def intrusions(*severities: int) -> None:
    scripted.SCRIPTS["intrusions"] = lambda state, full: iter(
        Event(
            "test.intrusion",
            f"alert-{i}",
            datetime(2026, 3, 1, tzinfo=UTC),
            unit="23293",
            title=f"intrusion {i}",
            severity=severity,
        )
        for i, severity in enumerate(severities)
    )


def alerts(hub: Hub) -> list[tuple[str, str]]:
    with hub.db.session() as session:
        return [
            (a.rule, a.cause.split(":")[0])
            for a in session.scalars(select(Alert).order_by(Alert.rule, Alert.id))
        ]


def test_an_event_rule_raises_one_alert_per_matching_event_and_never_twice(
    build: Callable[..., Hub],
) -> None:
    hub = build({"any-intrusion": {"enabled": False}})
    intrusions(1, 3, 4)
    run_sync(hub, "src")
    run_sync(hub, "src", full=True)
    assert alerts(hub) == [("serious-intrusion", "event")] * 2
    intrusions(4, 3, 4)  # the first event became serious
    run_sync(hub, "src", full=True)
    assert alerts(hub) == [("serious-intrusion", "event")] * 3


def test_a_deployment_adds_its_own_rule_and_a_bad_one_is_refused(
    build: Callable[..., Hub],
    make_hub: Callable[..., Hub],
) -> None:
    hub = build(
        {"critical-only": {"event_kind": "test.intrusion", "min_severity": 4, "severity": 4}}
    )
    intrusions(2, 4)
    run_sync(hub, "src")
    with hub.db.session() as session:
        counts = dict(session.execute(select(Alert.rule, func.count()).group_by(Alert.rule)).all())
    assert counts == {"any-intrusion": 2, "serious-intrusion": 1, "critical-only": 1}
    with pytest.raises(ConfigError) as error:
        make_hub(
            {
                "alerts": {
                    "x": {"metric": "nope", "above": 1},
                    "y": {"event_kind": "test.intrusion", "metric": "nope"},
                }
            },
            with_plugins=plugins(),
        )
    assert "alert rule 'x': no metric 'nope'" in error.value.problems
    assert "alert rule 'y': give either event_kind or metric" in error.value.problems


def graphql(client: TestClient, query: str, **variables: Any) -> dict[str, Any]:
    response = client.post("/graphql", json={"query": query, "variables": variables})
    body = response.json()
    assert "errors" not in body, body
    return body["data"]


def test_alerts_are_listed_acknowledged_once_and_filtered(build: Callable[..., Hub]) -> None:
    hub = build()
    intrusions(4)
    run_sync(hub, "src")
    with TestClient(create_app(hub)) as client:
        listing = """query ($ack: Boolean) { alerts(acknowledged: $ack, minSeverity: 4,
                      within: "23293") { edges { node { id rule message acknowledged
                      unit { code } } } } }"""
        open_alerts = graphql(client, listing, ack=False)["alerts"]["edges"]
        assert [edge["node"]["rule"] for edge in open_alerts] == ["serious-intrusion"]
        assert open_alerts[0]["node"]["message"] == "Serious intrusion: intrusion 0"
        assert open_alerts[0]["node"]["unit"] == {"code": "23293"}
        ack = """mutation ($id: ID!) { acknowledgeAlert(id: $id, note: "Blocked at firewall") {
                   acknowledged acknowledgedAt note } }"""
        done = graphql(client, ack, id=open_alerts[0]["node"]["id"])["acknowledgeAlert"]
        assert done["acknowledged"] and done["note"] == "Blocked at firewall"
        again = graphql(client, ack, id=open_alerts[0]["node"]["id"])["acknowledgeAlert"]
        assert again["acknowledgedAt"] == done["acknowledgedAt"]
        assert graphql(client, listing, ack=False)["alerts"]["edges"] == []
        missing = client.post(
            "/graphql", json={"query": 'mutation { acknowledgeAlert(id: "999") { id } }'}
        ).json()
        assert missing["errors"][0]["extensions"]["code"] == "NOT_FOUND"
