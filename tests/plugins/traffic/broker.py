"""Helpers for tests against the local Mosquitto broker (127.0.0.1:1883; ``.ci/run`` starts it).

Every test uses its own topics and client id (:class:`MqttNames`), and forgets its persistent
session at the end, so that tests never see each other's messages.
"""

from __future__ import annotations

import json
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties

from hub.connectors.runtime import run_sync
from hub.core import Hub
from hub.model import SyncRun
from plugins.traffic.mqtt_session import disconnect

HOST, PORT = "127.0.0.1", 1883
CONNECTOR = "traffic-cameras"
"""The id of the camera stream the tests configure (``camera_hub``)."""
WAIT_SECONDS = 20.0


@dataclass(frozen=True)
class MqttNames:
    """A test's own topic prefix and client id."""

    prefix: str
    client_id: str

    @classmethod
    def fresh(cls) -> MqttNames:
        unique = uuid.uuid4().hex[:10]
        return cls(f"iochub-test/{unique}", f"iochub-test-{unique}")


def client(
    client_id: str = "", clean: bool = True, port: int = PORT, **options: Any
) -> mqtt.Client:
    """A connected paho client with its network thread running (on the shared broker, or on
    a test's own at ``port``)."""
    paho = mqtt.Client(
        CallbackAPIVersion.VERSION2, client_id=client_id, clean_session=clean, **options
    )
    connected = threading.Event()
    paho.on_connect = lambda *args: connected.set()
    paho.connect(HOST, port)
    paho.loop_start()
    assert connected.wait(WAIT_SECONDS), "the broker did not answer CONNECT"
    return paho


def close(paho: mqtt.Client) -> None:
    disconnect(paho)


@contextmanager
def publisher() -> Iterator[Callable[[str, Any], None]]:
    """``publish(topic, message)``: a dict is sent as JSON, bytes as they are; QoS 1."""
    paho = client()

    def publish(topic: str, message: Any) -> None:
        payload = message if isinstance(message, bytes) else json.dumps(message).encode()
        paho.publish(topic, payload, qos=1).wait_for_publish(WAIT_SECONDS)

    try:
        yield publish
    finally:
        close(paho)


def prime_session(
    client_id: str, topics: list[str], protocol: str = "3.1.1", port: int = PORT
) -> None:
    """Create the persistent session the connector will take over, subscribed to ``topics``:
    from now on the broker keeps their messages for it, whenever it connects. The session is
    made under the connector's ``protocol``, as the connector itself would have made it."""
    if protocol == "5":
        paho = mqtt.Client(CallbackAPIVersion.VERSION2, client_id=client_id, protocol=mqtt.MQTTv5)
        connected = threading.Event()
        paho.on_connect = lambda *args: connected.set()
        expiry = Properties(PacketTypes.CONNECT)
        expiry.SessionExpiryInterval = 3600
        paho.connect(HOST, port, clean_start=False, properties=expiry)
        paho.loop_start()
        assert connected.wait(WAIT_SECONDS), "the broker did not answer CONNECT"
    else:
        paho = client(client_id, clean=False, port=port)
    subscribed = threading.Event()
    paho.on_subscribe = lambda *args: subscribed.set()
    paho.subscribe([(topic, 1) for topic in topics])
    assert subscribed.wait(WAIT_SECONDS), "the broker did not answer SUBSCRIBE"
    close(paho)


def forget_session(client_id: str) -> None:
    """Drop the broker's persistent session of ``client_id``."""
    close(client(client_id, clean=True))


@contextmanager
def streaming(hub: Hub, connector_id: str) -> Iterator[Future[SyncRun]]:
    """Run the connector through ``run_sync`` in a thread; stop it if the test leaves early."""
    stop = threading.Event()
    with ThreadPoolExecutor(1) as pool:
        future = pool.submit(run_sync, hub, connector_id, stop=stop)
        try:
            yield future
        finally:
            stop.set()


def wait_until(condition: Callable[[], bool], what: str, timeout: float = WAIT_SECONDS) -> None:
    """Poll ``condition`` until it holds; fail the test after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)
