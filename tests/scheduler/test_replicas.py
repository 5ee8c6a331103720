"""Two ``iochub serve`` processes on one PostgreSQL database, as a deployment runs them.

A feedback portal (Open311, on a real socket) answers slowly enough for a sync to be killed
half-way; the replicas are real processes, killed with SIGKILL; a subscriber listens over a
real WebSocket.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, select, text
from sqlalchemy.engine import make_url
from websockets.sync.client import ClientConnection

from hub.connectors.runtime import CONNECTION_LOST, LOCK_LOST
from hub.core import Hub
from hub.model import Event as EventRow
from hub.model import RunStatus, SyncRun
from hub.scheduler.leadership import LEADER_LOCK
from hub.units import load_units
from tests.cli.test_cli import IOCHUB
from tests.conftest import POSTGRES_ADMIN_URL
from tests.live.test_event_subscription import subscribe
from tests.plugins.feedback.conftest import COMMUNE_NAMES, SERVICES, VN, request, stored_events
from tests.plugins.feedback.portal_server import Open311Portal
from tests.plugins.traffic import broker as mqtt_broker
from tests.plugins.traffic.broker import MqttNames
from tests.plugins.traffic.test_mqtt import violation
from tests.scheduler.replicas import ROOT, Replica, wait_for
from tests.scheduler.support import lock_holders, terminate_all
from tests.support.graphql_ws import WARM_UP_ATTEMPTS
from tests.support.http_server import Reply
from tests.support.http_server import Request as HttpRequest
from tests.support.names import unique_name
from tests.support.ports import reserved_port
from tests.units.reference import QUANG_NGAI, write_subset

DAYS = 12
"""The portal holds requests of each of the last DAYS days; the connector reads a day a window."""
WINDOW_SECONDS = 0.3
"""How long the portal takes to answer for one window: a sync takes DAYS of these."""
WINDOWS_BEFORE_THE_HOLD = 4
"""The portal answers this many windows, then holds the next until :meth:`SlowPortal.release`."""


class SlowPortal(Open311Portal):
    """A portal that answers slowly, and holds a sync half-way until the test has killed (or
    cut off) the replica running it: however slow the machine, the sync is never over first."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.released = threading.Event()

    def release(self) -> None:
        """Answer the held window, and every one after it."""
        self.released.set()

    def _next_reply(self, request: HttpRequest) -> Reply:
        reply = super()._next_reply(request)
        if "/requests." not in request.path:
            return reply
        if len(self.request_calls()) > WINDOWS_BEFORE_THE_HOLD:
            self.released.wait()
        return replace(reply, delay=WINDOW_SECONDS)


@pytest.fixture
def portal() -> Iterator[SlowPortal]:
    today = datetime.now(VN).replace(hour=0, minute=0, second=0, microsecond=0)
    requests = [
        request(f"{days}-{hour}", (today - timedelta(days=days, hours=-hour)).isoformat())
        for days in range(1, DAYS + 1)
        for hour in (8, 10, 15)
    ]
    with SlowPortal(SERVICES, requests) as server:
        yield server
        server.release()  # whatever happened: no request is left waiting


def settings(portal: Open311Portal, every: str) -> str:
    """A replica's settings: its portal connector, the scheduler trying for the lead each second."""
    since = (datetime.now(VN) - timedelta(days=DAYS + 1)).date().isoformat()
    units = ", ".join(
        f"{json.dumps(name)} = {json.dumps(code)}" for name, code in COMMUNE_NAMES.items()
    )
    return f"""
[auth]
required = false

[scheduler]
leader_retry_seconds = 1

[connectors.portal]
plugin = "feedback"
kind = "open311"
location = "{portal.base_url}"
since = "{since}"
window_days = 1
revisit_days = 0
page_size = 50
unit_field = "commune_code"
units = {{ {units} }}
every = "{every}"
"""


@pytest.fixture
def hub(make_hub: Callable[..., Hub], backend: str, tmp_path: Path) -> Hub:
    if backend != "postgresql":
        pytest.skip("several replicas share a PostgreSQL database; SQLite is one process")
    hub = make_hub()
    load_units(hub.db, write_subset(tmp_path / "units", {QUANG_NGAI}))
    return hub


@pytest.fixture
def replicas(hub: Hub, tmp_path: Path) -> Iterator[Callable[[str, str], Replica]]:
    """Start replicas by name; each is killed when the test ends, whatever happened."""
    started: list[Replica] = []
    url = hub.db.engine.url.render_as_string(hide_password=False)

    def start(name: str, replica_settings: str) -> Replica:
        replica = Replica(name, url, tmp_path, replica_settings)
        started.append(replica)
        return replica.start()

    yield start
    for replica in started:
        replica.kill()


def leader(hub: Hub) -> str | None:
    """The replica holding the scheduler's lead (never more than one)."""
    holders = lock_holders(hub.db.engine.url, LEADER_LOCK)
    assert len(holders) <= 1, holders
    return holders[0][0] if holders else None


def runs(hub: Hub) -> list[SyncRun]:
    with hub.db.session() as session:
        found = session.scalars(select(SyncRun).order_by(SyncRun.id)).all()
        session.expunge_all()
    return list(found)


def cases_stored(hub: Hub) -> int:
    return len(stored_events(hub, "portal"))


def stopped_by_the_database(hub: Hub) -> SyncRun | None:
    first = runs(hub)[0]
    reason = first.error or ""
    return first if reason == LOCK_LOST or reason.startswith(CONNECTION_LOST) else None


def run_in_background(replica: Replica, query: str) -> threading.Thread:
    """Send a mutation that answers only when its run ends (or its process dies)."""

    def send() -> None:
        with contextlib.suppress(OSError):  # the process was killed: no answer
            replica.graphql(query)

    thread = threading.Thread(target=send, daemon=True)
    thread.start()
    return thread


def warm_up(hub: Hub, client: ClientConnection) -> None:
    """Store warm-up events until the subscriber receives one: then it is listening."""
    for attempt in range(WARM_UP_ATTEMPTS):
        with hub.db.session() as session:
            session.add(
                EventRow(
                    sector="feedback",
                    kind="warm",
                    severity=1,
                    occurred_at=datetime.now(VN),
                    attributes={},
                    source="warm",
                    source_id=f"warm-{attempt}",
                )
            )
        try:
            json.loads(client.recv(0.5))
            return
        except TimeoutError:
            pass
    raise AssertionError("the subscription never started")


def receive_cases(client: ClientConnection, wanted: set[str]) -> set[str]:
    """The feedback cases the subscriber receives, until it has every one of ``wanted``."""
    got: set[str] = set()
    while not wanted <= got:
        message: dict[str, Any] = json.loads(client.recv(60))
        assert message["type"] == "next", message
        source_id = message["payload"]["data"]["events"]["sourceId"]
        if not source_id.startswith("warm-"):
            got.add(source_id)
    return got


def test_when_the_leader_is_killed_mid_sync_the_other_replica_resumes_the_run(
    hub: Hub, portal: SlowPortal, replicas: Callable[[str, str], Replica]
) -> None:
    first = replicas("replica-a", settings(portal, every="1h"))
    wait_for(lambda: leader(hub) == "replica-a", "replica-a to lead")
    second = replicas("replica-b", settings(portal, every="1h"))
    assert leader(hub) == "replica-a"
    expected = set(portal.stored)

    with subscribe(second.url.replace("http", "ws") + "/graphql", {}) as subscriber:
        warm_up(hub, subscriber)
        run_in_background(first, 'mutation { runConnector(id: "portal") { id status } }')
        wait_for(lambda: cases_stored(hub) >= 9, "the first windows to be committed")
        first.kill()
        asked_before_the_kill = len(portal.request_calls())
        stored_by_the_first = set(stored_events(hub, "portal"))
        assert 0 < len(stored_by_the_first) < len(expected), "the kill came too late"
        portal.release()

        wait_for(lambda: leader(hub) == "replica-b", "replica-b to take the lead")
        finished = wait_for(
            lambda: [r for r in runs(hub) if r.finished_at and r.trigger == "resume"],
            "the interrupted run to be resumed",
            seconds=120,
        )
        # Every case reached the subscriber on the surviving replica, whoever stored it.
        assert receive_cases(subscriber, expected) == expected

    interrupted, resumed = runs(hub)
    assert (interrupted.trigger, interrupted.status) == ("api", "FAILED")
    assert interrupted.error == (
        "interrupted: the process running it stopped before it finished; "
        f"run {resumed.id} went on from its last checkpoint"
    )
    assert [run.id for run in finished] == [resumed.id]
    assert (resumed.status, resumed.error) == ("SUCCEEDED", None)
    assert set(stored_events(hub, "portal")) == expected
    # The second run went on where the first's last commit left off: the windows the first
    # committed were not asked for again (only the one it was reading when it died).
    windows = [call["start_date"] for call in portal.request_calls()]
    before, after = windows[:asked_before_the_kill], windows[asked_before_the_kill:]
    assert after == sorted(set(after)) and before[0] not in after
    assert set(before) & set(after) <= {before[-1]}
    assert leader(hub) == "replica-b"
    assert "this process leads the scheduler" in second.output()
    # Stopped as systemd stops it, the leader gives the lead up on its way out.
    assert second.stop() == -signal.SIGTERM  # uvicorn ends as the signal would have
    assert "this process stopped leading the scheduler" in second.output()
    assert leader(hub) is None


def test_a_leader_cut_off_from_the_database_fails_its_run_cleanly_and_leads_again(
    hub: Hub, portal: SlowPortal, replicas: Callable[[str, str], Replica]
) -> None:
    only = replicas("replica-a", settings(portal, every="2s"))
    [(_, leader_backend)] = wait_for(
        lambda: lock_holders(hub.db.engine.url, LEADER_LOCK), "replica-a to lead"
    )
    wait_for(lambda: cases_stored(hub) >= 9, "the first windows to be committed")
    assert terminate_all(hub.db.engine.url) >= 3  # the lead's, the run's lock's, the run's
    portal.release()

    # The run fails at its next commit, saying why (a resumption may have marked it
    # interrupted first: the run's own reason comes last).
    cut_short = wait_for(lambda: stopped_by_the_database(hub), "the run to fail", seconds=60)
    assert cut_short.status == "FAILED"
    assert 9 <= cut_short.records_read < len(portal.stored)
    # The same process leads again, on a new connection, without a restart...
    [(name, backend)] = wait_for(
        lambda: lock_holders(hub.db.engine.url, LEADER_LOCK), "the lead to be taken again"
    )
    assert (name, only.process.poll()) == ("replica-a", None) and backend != leader_backend
    # ... and schedules again: the next run goes on from the last checkpoint to the end.
    wait_for(
        lambda: [r for r in runs(hub) if r.id > cut_short.id and r.status == "SUCCEEDED"],
        "a run after the database came back to succeed",
        seconds=120,
    )
    assert set(stored_events(hub, "portal")) == set(portal.stored)
    assert only.answers()


def syslog_settings(port: int) -> str:
    """A replica's settings: a CEF syslog listener on ``port`` (TCP), nothing scheduled."""
    return f"""
[auth]
required = false

[scheduler]
leader_retry_seconds = 1

[connectors.siem]
plugin = "security"
kind = "cef-syslog"
port = {port}
transports = ["tcp"]
checkpoint_seconds = 0.2
"""


def listeners(port: int, *replicas: Replica) -> list[str]:
    """The replicas with a socket listening on TCP ``port`` (read from /proc)."""
    listening = set()
    with open("/proc/net/tcp", encoding="ascii") as table:
        for line in table.readlines()[1:]:
            fields = line.split()
            if fields[1].endswith(f":{port:04X}") and fields[3] == "0A":  # LISTEN
                listening.add(f"socket:[{fields[9]}]")
    found = []
    for replica in replicas:
        assert replica.process is not None
        folder = Path(f"/proc/{replica.process.pid}/fd")
        with contextlib.suppress(FileNotFoundError):  # the process is gone
            if any(os.readlink(fd) in listening for fd in folder.iterdir()):
                found.append(replica.name)
    return found


def send_alerts(port: int, names: list[str]) -> None:
    """One CEF alert per name, over a TCP connection to the listener."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sender:
        for name in names:
            cef = f"CEF:0|Fortinet|FortiGate|7.2|{name}|Alert {name}|5|dst=10.62.40.41 msg={name}"
            sender.sendall(f"<134>1 - fgt-dc - - - - {cef}\n".encode())


def alerts_stored(hub: Hub) -> list[str]:
    with hub.db.session() as session:
        query = select(EventRow.attributes).where(EventRow.kind == "security.alert")
        return sorted(attributes["cef"]["msg"] for attributes in session.scalars(query))


@pytest.fixture
def syslog_port() -> Iterator[int]:
    """The listener's port, kept for the test: no other process takes it while it moves."""
    with reserved_port() as port:
        yield port


def test_the_stream_listener_runs_on_the_leader_only_and_moves_with_the_lead(
    hub: Hub, replicas: Callable[[str, str], Replica], syslog_port: int
) -> None:
    port = syslog_port
    first = replicas("replica-a", syslog_settings(port))
    wait_for(lambda: leader(hub) == "replica-a", "replica-a to lead")
    second = replicas("replica-b", syslog_settings(port))
    assert wait_for(lambda: listeners(port, first, second), "a listener") == ["replica-a"]
    send_alerts(port, ["a1", "a2", "a3"])
    wait_for(lambda: alerts_stored(hub) == ["a1", "a2", "a3"], "the first alerts to be stored")
    assert listeners(port, first, second) == ["replica-a"]

    first.kill()
    assert wait_for(lambda: listeners(port, first, second), "the listener to move") == ["replica-b"]
    assert leader(hub) == "replica-b"
    send_alerts(port, ["b1", "b2"])
    wait_for(lambda: len(alerts_stored(hub)) == 5, "the alerts sent to replica-b to be stored")
    assert alerts_stored(hub) == ["a1", "a2", "a3", "b1", "b2"]


@pytest.fixture
def empty_database(backend: str) -> Iterator[str]:
    """A PostgreSQL database with nothing in it yet, as a new deployment starts from."""
    if backend != "postgresql":
        pytest.skip("several replicas share a PostgreSQL database; SQLite is one process")
    name = unique_name("iochub_empty")
    admin = create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    yield make_url(POSTGRES_ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def test_replicas_started_together_on_a_new_database_take_turns_to_migrate_it(
    empty_database: str, tmp_path: Path
) -> None:
    configs = []
    for name in ("a", "b"):
        config = tmp_path / f"{name}.toml"
        config.write_text(f'[database]\nurl = "{empty_database}"\n', encoding="utf-8")
        configs.append(config)
    upgrades = [
        subprocess.Popen(
            [*IOCHUB, "db", "upgrade", "--config", str(config)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            cwd=ROOT,
        )
        for config in configs
    ]
    try:
        outcomes = [(upgrade.wait(120), upgrade.stderr.read()) for upgrade in upgrades]
    finally:
        for upgrade in upgrades:
            upgrade.kill()
    assert outcomes == [(0, ""), (0, "")]


MQTT_MESSAGES = 600
MQTT_PACE_SECONDS = 0.01
"""The cameras send a message every this often: the stream runs for several seconds."""


def mqtt_settings(names: MqttNames) -> str:
    """A replica's settings: a camera stream on the shared broker (both replicas use the same
    client id, so the broker keeps one session, whichever replica holds it), nothing else."""
    return f"""
[auth]
required = false

[scheduler]
leader_retry_seconds = 1

[connectors.cameras]
plugin = "traffic"
kind = "mqtt"
topics = ["{names.prefix}/+/events"]
client_id = "{names.client_id}"
sequence_field = "seq"
checkpoint_seconds = 0.2
reconnect_min_delay = 1
reconnect_max_delay = 2
"""


@pytest.fixture
def mqtt_names() -> Iterator[MqttNames]:
    fresh = MqttNames.fresh()
    yield fresh
    mqtt_broker.forget_session(fresh.client_id)


def camera_events(hub: Hub) -> list[str]:
    """The source ids of the stored camera events, one per row (a message stored twice would
    be there twice)."""
    with hub.db.session() as session:
        query = select(EventRow.source_id).where(EventRow.source == "cameras")
        return list(session.scalars(query))


def publish_paced(topic: str, numbers: range) -> threading.Thread:
    """Publish numbered QoS 1 messages, one every MQTT_PACE_SECONDS, in a thread."""

    def send() -> None:
        paho = mqtt_broker.client()
        try:
            for number in numbers:
                message = {**violation(number, "speeding"), "seq": number}
                paho.publish(topic, json.dumps(message).encode(), qos=1)
                time.sleep(MQTT_PACE_SECONDS)
        finally:
            mqtt_broker.close(paho)  # waits for the broker to have every message

    thread = threading.Thread(target=send, daemon=True)
    thread.start()
    return thread


@pytest.mark.parametrize("how", ["kill", "stop"])
def test_the_mqtt_stream_moves_to_the_other_replica_losing_and_doubling_nothing(
    hub: Hub, replicas: Callable[[str, str], Replica], mqtt_names: MqttNames, how: str
) -> None:
    mqtt_broker.prime_session(mqtt_names.client_id, [f"{mqtt_names.prefix}/+/events"])
    first = replicas("replica-a", mqtt_settings(mqtt_names))
    wait_for(lambda: leader(hub) == "replica-a", "replica-a to lead")
    second = replicas("replica-b", mqtt_settings(mqtt_names))
    sending = publish_paced(f"{mqtt_names.prefix}/CAM-1/events", range(1, MQTT_MESSAGES + 1))
    wait_for(lambda: len(camera_events(hub)) >= 100, "replica-a to store the first messages")

    if how == "kill":
        first.kill()  # mid-batch: what it received but did not commit is not acknowledged
    else:
        # SIGTERM, as systemd stops it: the stream commits what it read, acknowledges it and
        # stops (uvicorn then ends as the signal would have).
        assert first.stop() == -signal.SIGTERM
    assert wait_for(lambda: leader(hub), "the lead to move", seconds=30) == "replica-b"
    sending.join(60)
    everything = [f"E-{number}" for number in range(1, MQTT_MESSAGES + 1)]
    wait_for(
        lambda: len(camera_events(hub)) >= MQTT_MESSAGES,
        "replica-b to store the rest",
        seconds=60,
    )
    assert sorted(camera_events(hub)) == sorted(everything)
    streamed = [run for run in runs(hub) if run.connector_id == "cameras"]
    assert len(streamed) >= 2 and not any(run.records_lost for run in streamed)
    if how == "stop":  # replica-a's run ended as a stream stopped by the hub ends
        assert (streamed[0].status, streamed[0].error) == (RunStatus.SUCCEEDED, None)
    else:  # replica-b found it still RUNNING, and closed it when it took the stream
        assert (streamed[0].error or "").startswith("interrupted"), streamed[0].error
    assert second.answers()
