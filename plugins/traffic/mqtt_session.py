"""A session with an MQTT broker (paho-mqtt 2): subscribe, receive, acknowledge late, reconnect.

Delivery is **at least once**, and nothing is acknowledged before the hub has stored it:

- the session is persistent (a fixed client id with ``clean_session`` off, or MQTT 5's
  ``clean_start`` off with a session expiry), so the broker keeps the subscriptions and queues
  QoS 1 messages while the hub is away — a restart, a network cut — and delivers them after;
- acknowledgements are manual (``manual_ack``): :meth:`BrokerSession.ack` sends the PUBACKs of
  messages once the caller has committed them. A message received but not acknowledged when
  the connection drops, or the hub stops or crashes, is delivered again by the broker;
- paho's network thread reconnects on its own, with a backoff from ``reconnect_min_delay`` to
  ``reconnect_max_delay`` seconds, and the session subscribes again on every connect.

A message may therefore arrive twice; the events are stored by their event id, so storing it
twice changes nothing: at-least-once delivery plus idempotent upserts is exactly-once storage.

Each connection has a number. A message is only ever acknowledged on the connection it came
over: after a reconnect, the broker of a persistent session delivers unacknowledged messages
again (and they are acknowledged then), while a packet id from an earlier connection could,
in a session the broker lost, name a different message.
"""

from __future__ import annotations

import contextlib
import logging
import queue
import threading
from dataclasses import dataclass
from typing import Any

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties
from paho.mqtt.reasoncodes import ReasonCode

from hub.connectors.errors import PermanentSourceError, TransientSourceError

from .broker_counters import COUNTER_TOPICS, BrokerCounters
from .config import MqttConfig

log = logging.getLogger(__name__)

REFUSED_FOR_GOOD = {0x85, 0x86, 0x87, 0x8C}
"""CONNACK reasons retrying will not fix: client id rejected, bad user name or password, not
authorised, bad authentication method."""


@dataclass(frozen=True)
class Received:
    """One message as it came off the wire, and the connection it came over."""

    topic: str
    payload: bytes
    mid: int
    qos: int
    connection: int
    redelivered: bool = False
    """The broker's DUP flag: it sent this message before, on a connection that ended before
    the hub acknowledged it (the hub may have seen it, and committed it, already)."""


class BrokerSession:
    """A paho client with its network thread, a queue of received messages and late acks.

    ``persistent`` sessions (the stream's) keep their state at the broker; a check uses a
    throw-away session under another client id, so that it never takes over the stream's.
    """

    def __init__(
        self,
        config: MqttConfig,
        client_id: str,
        persistent: bool = True,
        counters: BrokerCounters | None = None,
    ) -> None:
        self.config = config
        self.client_id = client_id
        self.persistent = persistent
        self.counters = counters
        """The broker's $SYS counters, kept up to date when given (and asked for by the
        config's ``broker_counters``)."""
        self.received: queue.Queue[Received] = queue.Queue()
        self.connection = 0
        self._lock = threading.Lock()
        self._connected = threading.Event()
        self._subscribed = threading.Event()
        self._refusal: ReasonCode | None = None
        self._rejected_topics: list[str] = []
        self._closing = False
        self.client = self._make_client()

    def open(self) -> None:
        """Connect and subscribe; raise a SourceError when the broker cannot be used."""
        c = self.config
        try:
            if c.protocol == "5":
                self.client.connect(
                    c.host,
                    c.port,
                    c.keepalive,
                    clean_start=not self.persistent,
                    properties=self._connect_properties(),
                )
            else:
                self.client.connect(c.host, c.port, c.keepalive)
        except (OSError, ValueError) as exc:  # refused, unreachable, timed out, TLS failed
            raise TransientSourceError(f"{self.where}: cannot connect: {exc}") from None
        self.client.loop_start()
        try:
            self._await_subscription()
        except Exception:
            self.close()
            raise

    def next(self, timeout: float) -> Received | None:
        """The next message received, waiting up to ``timeout`` seconds; None if none came."""
        try:
            return self.received.get(timeout=timeout)
        except queue.Empty:
            return None

    def ack(self, messages: list[Received]) -> int:
        """Acknowledge these (committed) messages; return how many could be."""
        acked = 0
        with self._lock:
            for message in messages:
                if message.qos and message.connection == self.connection:
                    self.client.ack(message.mid, message.qos)
                    acked += 1
        return acked

    def close(self) -> None:
        """Disconnect; the broker keeps a persistent session, with what is unacknowledged."""
        self._closing = True
        disconnect(self.client)

    @property
    def where(self) -> str:
        return f"MQTT broker {self.config.host}:{self.config.port}"

    def _make_client(self) -> mqtt.Client:
        c = self.config
        version5 = c.protocol == "5"
        client = mqtt.Client(
            CallbackAPIVersion.VERSION2,
            client_id=self.client_id,
            clean_session=None if version5 else not self.persistent,
            protocol=mqtt.MQTTv5 if version5 else mqtt.MQTTv311,
            manual_ack=True,
        )
        client.connect_timeout = c.connect_timeout
        client.reconnect_delay_set(c.reconnect_min_delay, c.reconnect_max_delay)
        if c.username is not None:
            password = c.password.get_secret_value() if c.password else None
            client.username_pw_set(c.username, password)
        if c.tls:
            try:
                client.tls_set(ca_certs=c.ca_file)
            except (OSError, ValueError) as exc:  # a missing or unreadable CA file
                raise PermanentSourceError(f"{self.where}: cannot set up TLS: {exc}") from None
        client.on_connect = self._on_connect
        client.on_subscribe = self._on_subscribe
        client.on_message = self._on_message
        client.on_disconnect = self._on_disconnect
        return client

    def _connect_properties(self) -> Properties:
        properties = Properties(PacketTypes.CONNECT)
        properties.SessionExpiryInterval = self.config.session_expiry if self.persistent else 0
        properties.ReceiveMaximum = self.config.receive_maximum
        return properties

    def _await_subscription(self) -> None:
        timeout = self.config.connect_timeout
        if not self._connected.wait(timeout):
            raise TransientSourceError(f"{self.where}: no answer to CONNECT within {timeout:g} s")
        if self._refusal is not None:
            error = (
                PermanentSourceError
                if self._refusal.value in REFUSED_FOR_GOOD
                else (TransientSourceError)
            )
            raise error(f"{self.where} refused the connection: {self._refusal}")
        if not self._subscribed.wait(timeout):
            raise TransientSourceError(f"{self.where}: no answer to SUBSCRIBE within {timeout:g} s")
        if self._rejected_topics:
            raise PermanentSourceError(
                f"{self.where} refused the subscription to {', '.join(self._rejected_topics)}"
            )

    # paho's callbacks run in its network thread: they only record and enqueue, never raise.

    def _on_connect(
        self,
        client: mqtt.Client,
        userdata: Any,
        flags: Any,
        reason_code: ReasonCode,
        properties: Any,
    ) -> None:
        if reason_code.is_failure:
            if not self._connected.is_set():
                self._refusal = reason_code
                self._connected.set()
                client.disconnect()  # stop paho from retrying what will not work
            else:
                log.warning("%s refused to reconnect: %s; retrying", self.where, reason_code)
            return
        with self._lock:
            self.connection += 1
        if self.connection > 1:
            log.info("%s: reconnected (session present: %s)", self.where, flags.session_present)
        client.subscribe(self._subscriptions())
        self._connected.set()

    def _subscriptions(self) -> list[tuple[str, int]]:
        """The stream's topics, then the broker's counters (QoS 0: never queued for the hub)."""
        topics = [(topic, self.config.qos) for topic in self.config.topics]
        if self.counters is not None and self.config.broker_counters:
            topics += [(topic, 0) for topic in COUNTER_TOPICS]
        return topics

    def _on_subscribe(
        self,
        client: mqtt.Client,
        userdata: Any,
        mid: int,
        reason_codes: list[ReasonCode],
        properties: Any,
    ) -> None:
        self._rejected_topics = [
            topic
            for topic, code in zip(self.config.topics, reason_codes, strict=False)
            if code.is_failure
        ]
        counter_codes = reason_codes[len(self.config.topics) :]
        if self.counters is not None and any(code.is_failure for code in counter_codes):
            if not self.counters.refused:
                log.warning("%s refused the subscription to its $SYS counters", self.where)
            self.counters.refused = True
        if self._rejected_topics and self._subscribed.is_set():
            log.warning(
                "%s refused the subscription to %s on reconnecting",
                self.where,
                ", ".join(self._rejected_topics),
            )
        self._subscribed.set()

    def _on_message(self, client: mqtt.Client, userdata: Any, message: mqtt.MQTTMessage) -> None:
        try:
            topic = message.topic
        except UnicodeDecodeError:  # brokers should refuse such topics; never die of one
            topic = "(a topic that is not UTF-8)"
        if self.counters is not None and self.counters.note(topic, message.payload):
            return
        payload, mid, qos, dup = bytes(message.payload), message.mid, message.qos, message.dup
        self.received.put(Received(topic, payload, mid, qos, self.connection, bool(dup)))

    def _on_disconnect(
        self,
        client: mqtt.Client,
        userdata: Any,
        flags: Any,
        reason_code: ReasonCode,
        properties: Any,
    ) -> None:
        if not self._closing:
            log.warning("%s: connection lost (%s); reconnecting", self.where, reason_code)


def disconnect(client: mqtt.Client) -> None:
    """Disconnect ``client`` and wait for its network thread to end.

    paho-mqtt's ``loop_stop`` checks its thread handle, then joins it; the thread, ending
    on the disconnect, clears that handle as its last step, and may do so in between
    (eclipse-paho/paho.mqtt.python#872). The error it then raises means the thread is done.
    """
    client.disconnect()
    with contextlib.suppress(AttributeError):
        client.loop_stop()
