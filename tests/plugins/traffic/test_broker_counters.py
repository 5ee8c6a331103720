"""The broker's ``$SYS`` counters of dropped and held messages, read by the ``mqtt`` stream.

The drop counts are checked against a real Mosquitto of the test's own (``sys_interval 1``, a
queue of 10 messages a client, so that a burst is dropped); what the broker published is read
independently with ``mosquitto_sub``. (Not the shared broker: its ``sys_interval`` is 10 s, and
now and then it sends a new subscriber none of its retained ``$SYS`` values.)
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import func, select

from hub.connectors.runtime import run_sync
from hub.core import Hub
from hub.model import Event as EventRow
from hub.model import RunStatus
from hub.observability import metrics
from tests.plugins.traffic.broker import CONNECTOR, MqttNames, prime_session, streaming, wait_until
from tests.plugins.traffic.own_broker import Broker, own_broker
from tests.plugins.traffic.test_mqtt import numbered

BURST = 2000


@pytest.fixture(autouse=True)
def no_broker_counters_yet() -> None:
    """Every test's connector has the same id: forget what an earlier test's stream read."""
    metrics.broker_messages.clear()


def broker_gauge(counter: str) -> float | None:
    return metrics.PROCESS.get_sample_value(
        "iochub_stream_broker_messages", {"connector": CONNECTOR, "counter": counter}
    )


def published_counter(broker: Broker, topic: str) -> int:
    """The counter's retained value, as ``mosquitto_sub`` reads it."""
    command = ["mosquitto_sub", "-h", broker.host, "-p", str(broker.port), "-t", topic]
    output = subprocess.run([*command, "-C", "1", "-W", "5"], capture_output=True, check=True)
    return int(output.stdout)


def publish_burst(broker: Broker, topic: str, count: int) -> None:
    """``count`` numbered QoS 1 messages, sent faster than a stream under MQTT 3.1.1 takes
    them (Mosquitto sends it 20 at a time)."""
    lines = "".join(json.dumps(numbered(n)) + "\n" for n in range(1, count + 1))
    command = ["mosquitto_pub", "-h", broker.host, "-p", str(broker.port), "-q", "1"]
    subprocess.run([*command, "-t", topic, "-l"], input=lines.encode(), check=True, timeout=60)


def stored(hub: Hub) -> int:
    with hub.db.session() as session:
        query = select(func.count()).select_from(EventRow).where(EventRow.source == CONNECTOR)
        return session.scalar(query) or 0


def test_drops_at_the_broker_are_shown_beside_what_the_stream_stored(
    camera_hub: Callable[..., Hub], names: MqttNames
) -> None:
    with own_broker(sys_interval=1, max_queued_messages=10) as broker:
        hub = camera_hub(camera_registry=None, port=broker.port, idle_timeout=3.0)
        with streaming(hub, CONNECTOR) as run:
            wait_until(lambda: broker_gauge("dropped") == 0, "the broker's first drop count")
            publish_burst(broker, f"{names.prefix}/CAM-1/events", BURST)
            result = run.result(timeout=120)
        dropped = published_counter(broker, "$SYS/broker/publish/messages/dropped")

    kept = stored(hub)
    assert dropped > 0 and kept + dropped == BURST, (kept, dropped)
    assert broker_gauge("dropped") == dropped
    held = broker_gauge("stored")  # changing all the time; but a count
    assert held is not None and held >= 0 and held.is_integer()
    # A warning, not records lost: the broker counts the drops of all its clients.
    assert (result.status, result.records_read, result.records_lost) == (
        RunStatus.SUCCEEDED,
        kept,
        0,
    )
    assert result.warnings == [
        f"the broker's $SYS counter of dropped messages rose by {dropped} while the stream "
        "ran: messages of any of its clients, perhaps this stream's (raise its "
        "max_queued_messages; a sequence_field counts this stream's own)"
    ]


def test_a_broker_that_withholds_its_counters_leaves_them_unknown_and_the_stream_works(
    camera_hub: Callable[..., Hub],
    names: MqttNames,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    # Mosquitto grants the subscription to $SYS and sends nothing on it (others refuse it).
    acl = tmp_path / "acl"
    acl.write_text(f"topic readwrite {names.prefix}/#\n")
    with own_broker(sys_interval=1, acl_file=str(acl)) as broker:
        hub = camera_hub(camera_registry=None, port=broker.port, idle_timeout=2.0)
        prime_session(names.client_id, [f"{names.prefix}/+/events"], port=broker.port)
        publish_burst(broker, f"{names.prefix}/CAM-1/events", 5)  # kept for the session
        result = run_sync(hub, CONNECTOR)

    assert (result.status, result.records_read, stored(hub)) == (RunStatus.SUCCEEDED, 5, 5)
    assert broker_gauge("stored") is None
