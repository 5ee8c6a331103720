"""Disconnecting a paho client whose network thread ends in the middle of ``loop_stop``."""

from __future__ import annotations

import threading
from typing import Any

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion

from plugins.traffic.mqtt_session import disconnect
from tests.plugins.traffic.broker import HOST, PORT, WAIT_SECONDS, MqttNames


class ThreadEndsInsideLoopStop(mqtt.Client):
    """A client on which ``loop_stop`` always loses paho's race with its network thread.

    ``loop_stop`` sets ``_thread_terminate`` between checking and joining the thread; here
    that assignment waits until the thread has ended and cleared its handle, as it may by
    chance on a busy machine.
    """

    def __setattr__(self, name: str, value: Any) -> None:
        network_thread = self.__dict__.get("_thread")
        stopping = name == "_thread_terminate" and value is True
        super().__setattr__(name, value)
        if stopping and network_thread is not None:
            network_thread.join(WAIT_SECONDS)


def test_disconnect_waits_out_a_network_thread_that_ends_first() -> None:
    client = ThreadEndsInsideLoopStop(CallbackAPIVersion.VERSION2, MqttNames.fresh().client_id)
    connected = threading.Event()
    client.on_connect = lambda *args: connected.set()
    client.connect(HOST, PORT)
    client.loop_start()
    assert connected.wait(WAIT_SECONDS), "the broker did not answer CONNECT"
    network_threads = [t for t in threading.enumerate() if t.name.startswith("paho-mqtt-client")]

    disconnect(client)

    assert not client.is_connected()
    assert not any(thread.is_alive() for thread in network_threads)
