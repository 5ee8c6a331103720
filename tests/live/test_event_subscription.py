"""The `events` subscription over a real WebSocket, fed by another process writing events."""

from __future__ import annotations

import contextlib
import json
import subprocess
import sys
import textwrap
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import select
from websockets.sync.client import ClientConnection, connect

from hub.core import Hub
from hub.model import AdminLevel, AdminUnit, Alert
from hub.model import Event as EventRow
from hub.plugins.manager import Plugins
from tests.connectors import scripted
from tests.live import kinds_plugin
from tests.support.api_server import served_api
from tests.support.graphql_ws import WARM_UP_ATTEMPTS

ROOT = Path(__file__).resolve().parents[2]
SUBSCRIPTION = """subscription ($sector: String, $minSeverity: Int, $within: ID) {
  events(sector: $sector, minSeverity: $minSeverity, within: $within) {
    sourceId kind severity unit { code }
  }
}"""


@pytest.fixture
def hub(make_hub: Callable[..., Hub]) -> Hub:
    plugins = Plugins.load(extra=[("scripted", scripted.plugin), ("kinds", kinds_plugin)])
    hub = make_hub(
        {"connectors": {"src": {"plugin": "scripted", "kind": "scripted", "script": "from-argv"}}},
        with_plugins=plugins,
    )
    with hub.db.session() as session:
        province = AdminUnit(identity="62@", code="62", name="Kon Tum", level=AdminLevel.PROVINCE)
        session.add(province)
        session.flush()
        for code in ("23281", "23284"):
            session.add(
                AdminUnit(
                    identity=f"{code}@",
                    code=code,
                    name=code,
                    level=AdminLevel.COMMUNE,
                    parent_id=province.id,
                )
            )
        session.add(
            AdminUnit(identity="99999@", code="99999", name="elsewhere", level=AdminLevel.COMMUNE)
        )
    return hub


@pytest.fixture
def server(hub: Hub) -> Iterator[str]:
    with served_api(hub) as url:
        yield url


WRITER = textwrap.dedent("""
    import json, sys
    from datetime import datetime, UTC
    from hub.config import settings_from_dict
    from hub.connectors.records import Event
    from hub.connectors.runtime import run_sync
    from hub.core import Hub
    from hub.plugins.manager import Plugins
    from tests.connectors import scripted
    from tests.live import kinds_plugin

    url, events = sys.argv[1], json.loads(sys.argv[2])
    scripted.SCRIPTS["from-argv"] = lambda state, full: iter(
        Event("test.alert", e["id"], datetime.now(UTC), unit=e["unit"], severity=e["severity"])
        for e in events
    )
    plugins = Plugins.load(extra=[("scripted", scripted.plugin), ("kinds", kinds_plugin)])
    config = {"database": {"url": url}, "connectors": {"src": {
        "plugin": "scripted", "kind": "scripted", "script": "from-argv"}}}
    hub = Hub.create(settings_from_dict(config, {}), plugins)
    print(run_sync(hub, "src").status)
""")


def write_in_another_process(hub: Hub, events: list[dict]) -> None:
    url = hub.db.engine.url.render_as_string(hide_password=False)
    result = subprocess.run(
        [sys.executable, "-c", WRITER, url, json.dumps(events)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
    )
    assert result.stdout.strip() == "SUCCEEDED", result.stderr


@contextlib.contextmanager
def subscribe(url: str, variables: dict) -> Iterator[ClientConnection]:
    with connect(url, subprotocols=["graphql-transport-ws"], open_timeout=10) as client:
        start(client, variables)
        yield client


def start(client: ClientConnection, variables: dict) -> None:
    client.send(json.dumps({"type": "connection_init"}))
    assert json.loads(client.recv(10))["type"] == "connection_ack"
    client.send(
        json.dumps(
            {
                "id": "1",
                "type": "subscribe",
                "payload": {"query": SUBSCRIPTION, "variables": variables},
            }
        )
    )
    return client


def received(client: ClientConnection, count: int) -> list[dict]:
    """The next ``count`` events, leaving out the warm-up ones."""
    events: list[dict] = []
    while len(events) < count:
        message = json.loads(client.recv(30))
        assert message["type"] == "next", message
        event = message["payload"]["data"]["events"]
        if not event["sourceId"].startswith("warm-"):
            events.append(event)
    return events


def wait_until_listening(hub: Hub, *clients: ClientConnection) -> None:
    """Store warm-up events until every client has received one: then all are listening."""
    waiting = list(clients)
    for attempt in range(WARM_UP_ATTEMPTS):
        with hub.db.session() as session:
            unit = session.scalars(select(AdminUnit.id).where(AdminUnit.code == "23281")).one()
            session.add(
                EventRow(
                    sector="security",
                    kind="test.alert",
                    severity=4,
                    unit_id=unit,
                    occurred_at=datetime.now(UTC),
                    attributes={},
                    source="warm",
                    source_id=f"warm-{attempt}",
                )
            )
        for client in list(waiting):
            try:
                json.loads(client.recv(0.5))
                waiting.remove(client)
            except TimeoutError:
                pass
        if not waiting:
            return
    raise AssertionError("the subscriptions never started")


def test_subscribers_get_new_events_from_another_process_filtered(hub: Hub, server: str) -> None:
    with (
        subscribe(server, {}) as everything,
        subscribe(server, {"minSeverity": 3, "within": "62"}) as severe_in_kon_tum,
    ):
        wait_until_listening(hub, everything, severe_in_kon_tum)
        write_in_another_process(
            hub,
            [
                {"id": "a", "unit": "23281", "severity": 1},
                {"id": "b", "unit": "23284", "severity": 4},
                {"id": "c", "unit": "99999", "severity": 4},
            ],
        )
        assert [e["sourceId"] for e in received(everything, 3)] == ["a", "b", "c"]
        only = received(severe_in_kon_tum, 1)
        assert only == [
            {"sourceId": "b", "kind": "test.alert", "severity": 4, "unit": {"code": "23284"}}
        ]
        write_in_another_process(hub, [{"id": "d", "unit": "23281", "severity": 3}])
        assert [e["sourceId"] for e in received(severe_in_kon_tum, 1)] == ["d"]


ALERTS = """subscription { alerts(minSeverity: 4, within: "62") { rule severity unit { code } } }"""


def wait_for_an_alert(hub: Hub, client: ClientConnection) -> None:
    """Store warm-up alerts until the client receives one: then it is listening."""
    for attempt in range(WARM_UP_ATTEMPTS):
        with hub.db.session() as session:
            unit = session.scalars(select(AdminUnit.id).where(AdminUnit.code == "23281")).one()
            session.add(
                Alert(
                    rule="warm",
                    cause=f"warm:{attempt}",
                    severity=4,
                    message="warm",
                    unit_id=unit,
                    raised_at=datetime.now(UTC),
                )
            )
        try:
            json.loads(client.recv(0.5))
            return
        except TimeoutError:
            continue
    raise AssertionError("the subscription never started")


def test_alert_subscribers_get_alerts_raised_in_another_process(hub: Hub, server: str) -> None:
    with connect(server, subprotocols=["graphql-transport-ws"], open_timeout=10) as client:
        client.send(json.dumps({"type": "connection_init"}))
        assert json.loads(client.recv(10))["type"] == "connection_ack"
        client.send(json.dumps({"id": "1", "type": "subscribe", "payload": {"query": ALERTS}}))
        wait_for_an_alert(hub, client)
        write_in_another_process(
            hub,
            [
                {"id": "x", "unit": "23284", "severity": 4},
                {"id": "y", "unit": "23284", "severity": 2},
            ],
        )
        alert = {"rule": "warm"}
        while alert["rule"] == "warm":  # a late warm-up alert may still arrive first
            alert = json.loads(client.recv(30))["payload"]["data"]["alerts"]
        assert alert == {"rule": "critical", "severity": 4, "unit": {"code": "23284"}}
