"""The streaming ``mqtt`` kind against the real local Mosquitto broker, on SQLite and PostgreSQL.

At-least-once delivery (persistent session, acknowledgement after commit, redelivery after a
drop) plus idempotent upserts by event id: each event stored exactly once.
"""

from __future__ import annotations

import base64
import json
import logging
import re
import threading
from collections import Counter
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from sqlalchemy import func, select

from hub.connectors.base import ConnectorContext
from hub.connectors.records import Checkpoint, Event, Item, Notice
from hub.connectors.runtime import run_sync
from hub.core import Hub
from hub.model import (
    AdminUnit,
    Facility,
    Metric,
    Observation,
    QuarantinedRecord,
    RunStatus,
    SyncRun,
)
from hub.model import Event as EventRow
from hub.observability import metrics
from hub.quarantine.actions import retry
from hub.testing.acceptance import assert_accounted
from tests.plugins.traffic import broker
from tests.plugins.traffic.broker import CONNECTOR, MqttNames, publisher, streaming, wait_until

DAY = "2026-11-20"


def violation(number: int, kind: str, hour: int = 8) -> dict[str, Any]:
    return {
        "event_id": f"E-{number}",
        "type": kind,
        "camera_id": "CAM-1",
        "time": f"{DAY}T{hour:02d}:{number % 60:02d}:00+07:00",
        "plate": "82A-123.45",
    }


def stored_events(hub: Hub) -> dict[str, EventRow]:
    with hub.db.session() as session:
        rows = session.scalars(select(EventRow).where(EventRow.source == CONNECTOR)).all()
        session.expunge_all()
    return {row.source_id: row for row in rows}


def violations_by_type(hub: Hub) -> dict[tuple[str, str, str], float]:
    """(commune code, day, dims key) → the hub's daily count of violations."""
    with hub.db.session() as session:
        rows = session.execute(
            select(AdminUnit.code, Observation.period, Observation.dims_key, Observation.value)
            .join(AdminUnit, AdminUnit.id == Observation.unit_id)
            .join(Metric, Metric.id == Observation.metric_id)
            .where(Metric.code == "traffic_violations")
        ).all()
    return {(code, period, dims): value for code, period, dims, value in rows}


def test_the_stream_stores_each_event_once_and_quarantines_bad_messages(
    camera_hub: Callable[..., Hub], names: MqttNames
) -> None:
    hub = camera_hub()
    broker.prime_session(names.client_id, [f"{names.prefix}/+/events"])
    messages = [
        violation(1, "red-light"),
        violation(2, "Red Light"),
        violation(3, "speeding"),
        {**violation(4, "no-helmet"), "vehicle_class": "xe\u0000 máy"},
        violation(5, "congestion"),
    ]
    topic = f"{names.prefix}/CAM-1/events"
    received = {"connector": CONNECTOR, "outcome": "received"}
    before = metrics.PROCESS.get_sample_value("iochub_stream_messages_total", received) or 0

    with streaming(hub, CONNECTOR) as run, publisher() as publish:
        for message in messages[:3]:
            publish(topic, message)
        publish(topic, messages[0])  # the camera sent it twice
        publish(topic, b"\x00\x01 not json")
        publish(f"{names.prefix}/CAM-2/events", {"type": "speeding", "time": f"{DAY}T09:00"})
        for message in messages[3:]:
            publish(topic, message)
        result = run.result(timeout=60)

    assert (result.status, result.error) == (RunStatus.PARTIAL, None)
    assert (result.records_read, result.records_quarantined) == (1 + 8, 2)  # a camera, messages
    after = metrics.PROCESS.get_sample_value("iochub_stream_messages_total", received)
    assert after == before + 8
    assert_accounted(result)  # E-1 twice: a duplicate if in one batch, else written again
    events = stored_events(hub)
    assert sorted(events) == ["E-1", "E-2", "E-3", "E-4", "E-5"]
    assert events["E-5"].kind == "traffic.sensor"
    assert {events[f"E-{n}"].kind for n in range(1, 5)} == {"traffic.violation"}
    assert events["E-1"].attributes["violation_type"] == "red_light"
    assert events["E-4"].attributes["vehicle_class"] == "xe máy"  # NUL taken out
    assert "plate" not in events["E-1"].attributes  # dropped by default
    per_type = Counter(re.sub("[- ]", "_", m["type"].lower()) for m in messages[:4])
    assert violations_by_type(hub) == {
        ("23293", DAY, f"violation_type={kind}"): float(count) for kind, count in per_type.items()
    }  # the duplicate counted once
    with hub.db.session() as session:
        quarantined = {q.reason: q.payload for q in session.scalars(select(QuarantinedRecord))}
        cameras = session.scalar(
            select(func.count()).select_from(Facility).where(Facility.kind == "camera")
        )
    assert quarantined["message: no event id (field 'event_id')"]["topic"].endswith("CAM-2/events")
    (not_json,) = [payload for reason, payload in quarantined.items() if "not JSON" in reason]
    assert not_json["text"] == "\x01 not json"  # PostgreSQL cannot store NUL characters
    assert base64.b64decode(not_json["base64"]) == b"\x00\x01 not json"
    assert cameras == 1


@pytest.mark.parametrize("protocol", ["3.1.1", "5"])
def test_messages_published_while_the_hub_was_away_are_delivered_next_time(
    camera_hub: Callable[..., Hub], names: MqttNames, protocol: str
) -> None:
    hub = camera_hub(protocol=protocol, idle_timeout=1.0, camera_registry=None)
    topic = f"{names.prefix}/CAM-1/events"
    first = run_sync(hub, CONNECTOR)  # subscribes: the broker keeps the session from now on
    assert first.status == RunStatus.SUCCEEDED

    with publisher() as publish:
        publish(topic, violation(1, "speeding"))
        publish(topic, violation(2, "speeding"))
    second = run_sync(hub, CONNECTOR)
    third = run_sync(hub, CONNECTOR)

    assert (second.status, second.records_read, second.records_written) == (
        RunStatus.SUCCEEDED,
        2,
        2,
    )
    assert third.records_read == 0  # acknowledged once stored: not delivered again
    assert sorted(stored_events(hub)) == ["E-1", "E-2"]


def test_a_message_received_but_never_committed_is_delivered_again(
    camera_hub: Callable[..., Hub], names: MqttNames
) -> None:
    hub = camera_hub(camera_registry=None, idle_timeout=1.0)
    broker.prime_session(names.client_id, [f"{names.prefix}/+/events"])
    with publisher() as publish:
        publish(f"{names.prefix}/CAM-1/events", violation(7, "red-light"))

    # A run that crashes after reading the message, before its checkpoint is committed:
    stream = hub.connector(CONNECTOR).create(ConnectorContext(CONNECTOR)).read({}, full=False)
    # (A warning of the broker's $SYS count may come between: other tests' bursts drop too.)
    read = [item for item in _until_checkpoint(stream) if not isinstance(item, Notice)]
    stream.close()

    assert isinstance(read[0], Event) and isinstance(read[1], Checkpoint)
    assert stored_events(hub) == {}
    again = run_sync(hub, CONNECTOR)
    assert (again.status, again.records_read) == (RunStatus.SUCCEEDED, 1)
    assert sorted(stored_events(hub)) == ["E-7"]


def _until_checkpoint(stream: Iterator[Item]) -> Iterator[Item]:
    """The items of ``stream`` up to and with its first checkpoint."""
    for item in stream:
        yield item
        if isinstance(item, Checkpoint):
            return


def test_after_the_broker_drops_the_connection_the_stream_reconnects_and_loses_nothing(
    camera_hub: Callable[..., Hub], names: MqttNames, caplog: pytest.LogCaptureFixture
) -> None:
    # The intruder must get E-2 before the hub reconnects and takes the session back: give
    # it a few seconds, not one, for a loaded machine.
    hub = camera_hub(idle_timeout=None, reconnect_min_delay=4, reconnect_max_delay=4)
    broker.prime_session(names.client_id, [f"{names.prefix}/+/events"])
    topic = f"{names.prefix}/CAM-1/events"
    caplog.set_level(logging.INFO, logger="iochub_plugins.traffic")

    with streaming(hub, CONNECTOR) as run, publisher() as publish:
        publish(topic, violation(1, "speeding"))
        wait_until(lambda: "E-1" in stored_events(hub), "the first event")
        # Another client takes over the session: the broker closes the hub's connection.
        # It gets the next message and never acknowledges it, then goes away.
        intruder_got = threading.Event()
        intruder = broker.client(
            names.client_id, clean=False, manual_ack=True, reconnect_on_failure=False
        )
        intruder.on_message = lambda *args: intruder_got.set()
        publish(topic, violation(2, "speeding"))
        assert intruder_got.wait(broker.WAIT_SECONDS), "the intruder holds the session"
        broker.close(intruder)  # E-2 stays unacknowledged in the session
        publish(topic, violation(3, "speeding"))
        wait_until(lambda: len(stored_events(hub)) == 3, "every event after the reconnect")
    result = run.result(timeout=30)

    assert (result.status, result.error) == (RunStatus.SUCCEEDED, None)
    assert sorted(stored_events(hub)) == ["E-1", "E-2", "E-3"]
    assert "connection lost" in caplog.text
    assert "reconnected" in caplog.text
    assert violations_by_type(hub) == {("23293", DAY, "violation_type=speeding"): 3.0}


def test_stopping_the_hub_ends_a_stream_without_an_idle_timeout(
    camera_hub: Callable[..., Hub], names: MqttNames
) -> None:
    hub = camera_hub(idle_timeout=None)
    broker.prime_session(names.client_id, [f"{names.prefix}/+/events"])

    with streaming(hub, CONNECTOR) as run, publisher() as publish:
        publish(f"{names.prefix}/CAM-1/events", violation(1, "speeding"))
        wait_until(lambda: "E-1" in stored_events(hub), "the event")
        assert not run.done()
    result = run.result(timeout=30)  # leaving `streaming` set the stop event

    assert (result.status, result.records_read) == (RunStatus.SUCCEEDED, 2)


def test_an_unreachable_broker_fails_the_run_saying_so(camera_hub: Callable[..., Hub]) -> None:
    hub = camera_hub(port=1, camera_registry=None)

    result = run_sync(hub, CONNECTOR)

    assert result.status == RunStatus.FAILED
    assert "MQTT broker 127.0.0.1:1: cannot connect" in (result.error or "")


def test_a_missing_ca_file_fails_the_run_saying_so(camera_hub: Callable[..., Hub]) -> None:
    hub = camera_hub(tls=True, ca_file="/nowhere/ca.pem", camera_registry=None)

    result = run_sync(hub, CONNECTOR)

    assert result.status == RunStatus.FAILED
    assert "cannot set up TLS" in (result.error or "")


def test_check_subscribes_without_touching_the_stream_s_session(
    camera_hub: Callable[..., Hub], names: MqttNames
) -> None:
    hub = camera_hub(camera_registry=None, idle_timeout=1.0)
    broker.prime_session(names.client_id, [f"{names.prefix}/+/events"])
    with publisher() as publish:
        publish(f"{names.prefix}/CAM-1/events", violation(1, "speeding"))

    message = hub.connector(CONNECTOR).create(ConnectorContext(CONNECTOR)).check()
    run = run_sync(hub, CONNECTOR)

    assert message == (
        f"MQTT broker 127.0.0.1:1883 accepted the connection and the "
        f"subscription to {names.prefix}/+/events"
    )
    assert run.records_read == 1  # the message waited in the stream's session


def numbered(number: int) -> dict[str, Any]:
    return {**violation(number, "speeding"), "seq": number}


def publish_burst(topic: str, numbers: range) -> None:
    """Publish as fast as the client can (QoS 1), then wait until the broker has them all."""
    paho = broker.client()
    try:
        sent = [paho.publish(topic, json.dumps(numbered(n)).encode(), qos=1) for n in numbers]
        for message in sent:
            message.wait_for_publish(broker.WAIT_SECONDS)
    finally:
        broker.close(paho)


def test_a_burst_is_kept_whole_or_the_run_counts_what_the_broker_dropped(
    camera_hub: Callable[..., Hub], names: MqttNames
) -> None:
    hub = camera_hub(camera_registry=None, sequence_field="seq", protocol="5")
    broker.prime_session(names.client_id, [f"{names.prefix}/+/events"], protocol="5")

    with streaming(hub, CONNECTOR) as run:
        publish_burst(f"{names.prefix}/CAM-1/events", range(1, 3001))
        result = run.result(timeout=120)

    kept = len(stored_events(hub))
    assert kept + result.records_lost == 3000, (kept, result.records_lost)
    expected = RunStatus.PARTIAL if result.records_lost else RunStatus.SUCCEEDED
    assert (result.status, result.error) == (expected, None)


def test_messages_the_broker_dropped_while_the_hub_was_away_are_counted(
    camera_hub: Callable[..., Hub], names: MqttNames
) -> None:
    # Each run reads what the broker queued, then ends once idle. While the hub commits a
    # batch the broker holds the next back, and the stream counts that time as idle: a
    # commit slowed by a loaded machine must not outlast the idle timeout.
    hub = camera_hub(camera_registry=None, sequence_field="seq", idle_timeout=3.0)
    topic = f"{names.prefix}/CAM-1/events"
    publish_burst(topic, range(1, 3))
    assert run_sync(hub, CONNECTOR).records_read == 0  # subscribes: the broker keeps the rest
    publish_burst(topic, range(1, 11))
    assert run_sync(hub, CONNECTOR).status == RunStatus.SUCCEEDED  # numbers 1 to 10

    # Mosquitto queues 1,000 messages for an absent client (max_queued_messages) and drops
    # the rest, 1011 to 1510, without telling anyone: the next message shows the gap.
    publish_burst(topic, range(11, 1511))
    queued = run_sync(hub, CONNECTOR)
    publish_burst(topic, range(1511, 1512))
    result = run_sync(hub, CONNECTOR)

    assert (queued.records_read, queued.records_lost) == (1000, 0)
    assert (result.status, result.records_read, result.records_lost) == (
        RunStatus.PARTIAL,
        1,
        500,
    )
    # (The broker's own $SYS count may add a warning: other tests' bursts drop messages too.)
    said = [w for w in result.warnings or [] if not w.startswith("the broker's $SYS counter")]
    assert said == [
        "the broker dropped 500 messages (gaps in their 'seq' numbers): raise its "
        "max_queued_messages, or the hub's throughput"
    ]
    assert len(stored_events(hub)) == 1011


def gaps_said(warnings: list[str] | None) -> list[str]:
    """The warnings of sequence gaps (not the broker's $SYS count: other tests drop too)."""
    return [w for w in warnings or [] if w.startswith("the broker dropped")]


def gap_warning(count: int) -> str:
    return (
        f"the broker dropped {count} messages (gaps in their 'seq' numbers): raise its "
        "max_queued_messages, or the hub's throughput"
    )


def latest_run(hub: Hub) -> SyncRun:
    """The stream's latest run as committed, read in a session of the test's own."""
    with hub.db.session() as session:
        run = session.scalars(
            select(SyncRun).where(SyncRun.connector_id == CONNECTOR).order_by(SyncRun.id.desc())
        ).first()
        assert run is not None, "the stream has not started"
        session.expunge(run)
    return run


def lost_so_far(hub: Hub) -> int | None:
    """What the stream's latest run has committed as lost (None before it started)."""
    with hub.db.session() as session:
        query = select(SyncRun.records_lost).where(SyncRun.connector_id == CONNECTOR)
        return session.scalars(query.order_by(SyncRun.id.desc())).first()


def test_a_running_stream_shows_the_messages_the_broker_dropped_at_its_next_checkpoint(
    camera_hub: Callable[..., Hub], names: MqttNames
) -> None:
    hub = camera_hub(camera_registry=None, sequence_field="seq", idle_timeout=None)
    broker.prime_session(names.client_id, [f"{names.prefix}/+/events"])
    topic = f"{names.prefix}/CAM-1/events"

    with streaming(hub, CONNECTOR) as run, publisher() as publish:
        for number in (1, 2, 5):  # 3 and 4 never came
            publish(topic, numbered(number))
        wait_until(lambda: lost_so_far(hub) == 2, "the gap in the running run")
        first = latest_run(hub)
        for number in (6, 9):  # 7 and 8 neither: the run has lost 4 in all
            publish(topic, numbered(number))
        wait_until(lambda: len(stored_events(hub)) == 5, "every message stored")
        wait_until(lambda: lost_so_far(hub) == 4, "the run's total, not a sum")
        second = latest_run(hub)
        assert not run.done()
    result = run.result(timeout=30)

    assert (first.status, gaps_said(first.warnings)) == (RunStatus.RUNNING, [gap_warning(2)])
    assert (second.status, gaps_said(second.warnings)) == (RunStatus.RUNNING, [gap_warning(4)])
    assert (result.status, result.records_lost) == (RunStatus.PARTIAL, 4)
    assert gaps_said(result.warnings) == [gap_warning(4)]


def read_past(
    stream: Iterator[Item], event_id: str, commit: bool
) -> tuple[list[Notice], Checkpoint]:
    """Read up to the checkpoint after the event ``event_id``: the notices given on the way,
    and that checkpoint. With ``commit``, each checkpoint is committed (the runtime tells it
    so); else none is."""
    notices: list[Notice] = []
    seen = False
    for item in stream:
        if isinstance(item, Notice):
            notices.append(item)
        elif isinstance(item, Event) and item.source_id == event_id:
            seen = True
        elif isinstance(item, Checkpoint):
            if commit and item.committed:
                item.committed()
            if seen:
                return notices, item
    raise AssertionError(f"the stream ended before {event_id}")


def gaps_lost(notices: list[Notice]) -> int | None:
    """The last count of sequence gaps said (None if none was)."""
    counts = [notice.lost for notice in notices if notice.key == "sequence gaps"]
    return counts[-1] if counts else None


def test_a_retried_attempt_counts_the_gaps_it_reads_again_once(
    camera_hub: Callable[..., Hub], names: MqttNames
) -> None:
    """An attempt commits a gap of 2, counts 2 more in messages it never commits, and fails;
    the retry (the same run's connector, from the committed state) gets those messages again
    and says 4 lost in all: not 2 (the committed count forgotten), not 6 (counted twice)."""
    hub = camera_hub(camera_registry=None, sequence_field="seq", idle_timeout=3.0)
    broker.prime_session(names.client_id, [f"{names.prefix}/+/events"])
    topic = f"{names.prefix}/CAM-1/events"
    connector = hub.connector(CONNECTOR).create(ConnectorContext(CONNECTOR))

    with publisher() as publish:
        for number in (1, 2, 5):
            publish(topic, numbered(number))
        first = connector.read({}, full=False)
        committed, checkpoint = read_past(first, "E-5", commit=True)
        for number in (6, 9):
            publish(topic, numbered(number))
        uncommitted, _ = read_past(first, "E-9", commit=False)
        first.close()  # the attempt fails: 6 and 9 were never acknowledged
    retry = connector.read(dict(checkpoint.state), full=False)
    again, _ = read_past(retry, "E-9", commit=True)
    retry.close()

    assert (gaps_lost(committed), gaps_lost(uncommitted), gaps_lost(again)) == (2, 4, 4)
    assert gaps_said([notice.message for notice in again])[-1:] == [gap_warning(4)]


def test_messages_committed_but_not_acknowledged_when_the_hub_died_count_no_gap_again(
    camera_hub: Callable[..., Hub], names: MqttNames
) -> None:
    """A run commits 1, 2 and 5 (a gap of 2) and dies before acknowledging them: the broker
    delivers them again (DUP) to the next run, which starts from the committed numbers. They
    were counted; only the gap of 8 and 9 after them is the next run's."""
    hub = camera_hub(camera_registry=None, sequence_field="seq", idle_timeout=3.0)
    broker.prime_session(names.client_id, [f"{names.prefix}/+/events"])
    topic = f"{names.prefix}/CAM-1/events"

    with publisher() as publish:
        for number in (1, 2, 5):
            publish(topic, numbered(number))
        died = hub.connector(CONNECTOR).create(ConnectorContext(CONNECTOR)).read({}, False)
        counted, checkpoint = read_past(died, "E-5", commit=False)  # committed, not acked
        died.close()
        for number in (6, 7, 10):
            publish(topic, numbered(number))
    next_run = hub.connector(CONNECTOR).create(ConnectorContext(CONNECTOR))
    stream = next_run.read(dict(checkpoint.state), full=False)
    said, _ = read_past(stream, "E-10", commit=True)
    stream.close()

    assert (gaps_lost(counted), gaps_lost(said)) == (2, 2)


def test_a_quarantined_message_is_mapped_again_by_a_retry_under_the_fixed_config(
    camera_hub: Callable[..., Hub], names: MqttNames
) -> None:
    hub = camera_hub(camera_registry=None, idle_timeout=1.0)
    broker.prime_session(names.client_id, [f"{names.prefix}/+/events"])
    message = {k if k != "event_id" else "id": v for k, v in violation(9, "speeding").items()}
    with publisher() as publish:
        publish(f"{names.prefix}/CAM-1/events", message)
        publish(f"{names.prefix}/CAM-1/events", b"\xff not text")
    assert run_sync(hub, CONNECTOR).records_quarantined == 2
    with hub.db.session() as session:
        rows = {q.reason: q.id for q in session.scalars(select(QuarantinedRecord))}

    fixed = camera_hub(camera_registry=None, idle_timeout=1.0, fields={"id": "id"})
    outcome = retry(fixed, sorted(rows.values()))

    assert (outcome.stored, outcome.still_quarantined) == (1, 1)
    assert sorted(stored_events(fixed)) == ["E-9"]
    with hub.db.session() as session:
        left = list(session.scalars(select(QuarantinedRecord.reason)))
    assert left == ["message: not UTF-8 text"]
