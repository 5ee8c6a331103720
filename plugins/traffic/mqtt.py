"""The streaming ``mqtt`` kind: camera and sensor events from topics on an MQTT broker.

A run subscribes (see :mod:`.mqtt_session`) and goes on until the hub stops it, or until
``idle_timeout`` passes without a message. It first yields the cameras of the registry as
facilities, then each message as an event (or a bad record), and a checkpoint as soon as the
messages stop coming for a moment, every ``checkpoint_seconds`` while they keep coming, or
after ``max_batch`` of them. The checkpoint carries the acknowledgement of its messages, which
the runtime calls once the transaction holding them (events or quarantine rows) has committed,
not before. So a message is acknowledged only once stored, and one that was not is delivered
again after a crash, a failed commit or a lost connection. ``--full`` changes nothing: a
subscription has no history to read again (the broker keeps what the hub has not taken yet).
What the broker drops is counted by sequence numbers (:mod:`.sequences`) and shown by its own
``$SYS`` counters (:mod:`.broker_counters`); both are said before each checkpoint, so the run
shows them while it streams, and they are the run's totals across its attempts.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from functools import partial
from typing import Any

from hub.connectors.base import Connector, ConnectorContext
from hub.connectors.records import BadRecord, Checkpoint, Item, Notice
from hub.observability import metrics

from .broker_counters import BrokerCounters
from .cameras import load_registry
from .config import MqttConfig
from .messages import MessageMapper, quarantined_message, raw_message
from .mqtt_session import BrokerSession, Received
from .sequences import SequenceGaps
from .values import ValueProblem

log = logging.getLogger(__name__)

POLL_SECONDS = 0.5
"""How often a quiet stream looks at the stop event and the idle timeout."""
LINGER_SECONDS = 0.02
"""How long to wait for more messages before committing the ones received (the broker may be
holding the next ones back until these are acknowledged)."""


class MqttConnector(Connector[MqttConfig]):
    """Camera and sensor events (violations, detections) from an MQTT broker, stored once
    each whatever the broker redelivers."""

    def __init__(self, config: MqttConfig, context: ConnectorContext) -> None:
        super().__init__(config, context)
        self.counters = BrokerCounters(partial(metrics.broker_counter, context.connector_id))
        """The broker's counters, read across the run's attempts (its drops between them too)."""
        self.missing_committed = 0
        """The sequence gaps counted up to the run's last committed checkpoint."""

    @property
    def client_id(self) -> str:
        return self.config.client_id or f"iochub-{self.context.connector_id}"

    def read(self, state: dict[str, Any], full: bool) -> Iterator[Item]:
        registry = load_registry(self.config.camera_registry, self.context.http_timeout)
        yield from registry.items()
        mapper = MessageMapper(self.config, registry.cameras)
        field = self.config.sequence_field
        gaps = None
        if field:  # from the last checkpoint: its numbers, the gaps the run had counted by then
            gaps = SequenceGaps(field, state.get("sequences"), self.missing_committed)
        session = BrokerSession(self.config, self.client_id, counters=self.counters)
        session.open()
        try:
            yield from self._stream(session, mapper, gaps)
        finally:
            session.close()
        yield from self._notices(gaps)

    def reread(self, payload: Any, place: str | None) -> Iterator[Item]:
        """Map a quarantined message again, with today's fields, types and cameras."""
        try:
            message, topic = quarantined_message(payload)
        except ValueProblem as problem:
            raise NotImplementedError(f"the message cannot be read again: {problem}") from None
        registry = load_registry(self.config.camera_registry, self.context.http_timeout)
        mapper = MessageMapper(self.config, registry.cameras)
        yield mapper.item(message, place or f"topic {topic}", topic)

    def check(self) -> str:
        """Connects and subscribes under a throw-away session, leaving the stream's alone."""
        session = BrokerSession(self.config, f"{self.client_id}-check", persistent=False)
        session.open()
        session.close()
        topics = ", ".join(self.config.topics)
        return f"{session.where} accepted the connection and the subscription to {topics}"

    def _stream(
        self, session: BrokerSession, mapper: MessageMapper, gaps: SequenceGaps | None
    ) -> Iterator[Item]:
        batch = _Batch()
        last_message = time.monotonic()
        while not self.context.stop.is_set():
            message = session.next(LINGER_SECONDS if batch else POLL_SECONDS)
            if message is not None:
                last_message = time.monotonic()
                batch.add(message)
                yield _item(mapper, message, gaps)
            if batch and (message is None or self._batch_is_due(batch)):
                yield from self._checkpoint(session, batch, gaps)
            if message is None and self._idle_since(last_message):
                break
        yield from self._checkpoint(session, batch, gaps)

    def _checkpoint(
        self, session: BrokerSession, batch: _Batch, gaps: SequenceGaps | None
    ) -> Iterator[Item]:
        # Counted a batch at a time: the counter's lookup by label is then paid once a batch.
        metrics.stream_message(self.context.connector_id, count=len(batch.messages))
        if not batch:
            return
        yield from self._notices(gaps)
        missing = gaps.missing if gaps else 0
        committed = partial(self._committed, session, batch.messages, missing)
        yield Checkpoint(_state(gaps), committed=committed)
        batch.messages = []

    def _committed(self, session: BrokerSession, messages: list[Received], missing: int) -> None:
        """Once a checkpoint has committed: its gap count is the run's, its messages acked."""
        self.missing_committed = missing
        session.ack(messages)

    def _notices(self, gaps: SequenceGaps | None) -> Iterator[Notice]:
        """The run's counts of drops so far (each replaces its last, by its key)."""
        if gaps and gaps.missing:
            yield gaps.notice()
        if self.counters.dropped_rise:  # a warning: the broker counts for all its clients
            yield self.counters.notice()

    def _batch_is_due(self, batch: _Batch) -> bool:
        full = len(batch.messages) >= self.config.max_batch
        return full or time.monotonic() - batch.started >= self.config.checkpoint_seconds

    def _idle_since(self, last_message: float) -> bool:
        timeout = self.config.idle_timeout
        return timeout is not None and time.monotonic() - last_message >= timeout


class _Batch:
    """The messages received since the last checkpoint: not acknowledged yet."""

    def __init__(self) -> None:
        self.messages: list[Received] = []
        self.started = 0.0

    def add(self, message: Received) -> None:
        if not self.messages:
            self.started = time.monotonic()
        self.messages.append(message)

    def __bool__(self) -> bool:
        return bool(self.messages)


def _item(mapper: MessageMapper, message: Received, gaps: SequenceGaps | None) -> Item:
    place = f"topic {message.topic}"
    seen = partial(gaps.see, message.topic, redelivered=message.redelivered) if gaps else None
    try:
        return mapper.item(message.payload, place, message.topic, seen)
    except Exception as exc:  # a mapping bug must cost one message, never the listener
        log.exception("cannot map a message on %s", message.topic)
        reason = f"message could not be read: {type(exc).__name__}: {exc}"
        return BadRecord(reason, raw_message(message.payload, message.topic), place)


def _state(gaps: SequenceGaps | None) -> dict[str, Any]:
    """The stream's state at a checkpoint: when it was, and each topic's last number."""
    state: dict[str, Any] = {"last_message_at": datetime.now(UTC).isoformat(timespec="seconds")}
    if gaps:
        state["sequences"] = dict(gaps.last)
    return state
