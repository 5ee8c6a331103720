"""The ``cef-syslog`` kind: a streaming syslog listener receiving CEF (see :mod:`.listener`).

It reads until the hub stops it (``context.stop``) or, when ``idle_timeout_seconds`` is set,
until nothing has arrived for that long. What arrived is committed at a checkpoint at most
``checkpoint_seconds`` later. Syslog cannot be replayed: the cursor is only the pipeline's
state (open incidents and the day's figures), and a message is an alert once it is committed.
Datagrams the kernel dropped on the UDP socket (its buffer full) are counted with every
checkpoint: the run says how many while it listens, and is PARTIAL. The count is the run's,
over the sockets of all its attempts.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from hub.connectors.base import ConnectorContext
from hub.connectors.records import BadRecord, Item, Notice
from hub.observability import metrics

from .alerts import Alert
from .base import SecurityConnector
from .cef import find_cef
from .cef_alerts import cef_alert
from .config import CefSyslogConfig
from .listener import Received, SyslogListener
from .pipeline import AlertPipeline

POLL_SECONDS = 0.2
DROPS_KEY = "kernel UDP drops"


@dataclass
class _Pace:
    """When the listener last heard something and last checkpointed, and what came since."""

    last_activity: float
    last_checkpoint: float
    pending: int = 0
    received: int = 0


class CefSyslogConnector(SecurityConnector[CefSyslogConfig]):
    """A syslog listener on UDP and/or TCP receiving CEF messages."""

    def __init__(self, config: CefSyslogConfig, context: ConnectorContext) -> None:
        super().__init__(config, context)
        self.dropped_before = 0
        """Datagrams the kernel dropped on the UDP sockets of the run's earlier attempts."""

    def read(self, state: dict[str, Any], full: bool) -> Iterator[Item]:
        pipeline = self.pipeline({} if full else state)
        with self.listener() as listener:
            try:
                yield from self._listen(listener, pipeline)
                yield from self._dropped(listener)
            finally:  # the socket's drops, for the notices of a next attempt
                self.dropped_before += listener.udp_drops() or 0
        yield from pipeline.checkpoint({})

    def _listen(self, listener: SyslogListener, pipeline: AlertPipeline) -> Iterator[Item]:
        """What arrives, with a checkpoint (and the drops so far) every checkpoint_seconds."""
        started = time.monotonic()
        pace = _Pace(last_activity=started, last_checkpoint=started)
        while not self.context.stop.is_set():
            activity = listener.activity
            arrived = listener.poll(POLL_SECONDS)
            if arrived:
                metrics.stream_message(self.context.connector_id, count=len(arrived))
            for received in arrived:
                pace.pending += 1
                pace.received += 1
                yield from self.message_records(received, pipeline, pace.received)
            now = time.monotonic()
            if listener.activity != activity:
                pace.last_activity = now
            if pace.pending and now - pace.last_checkpoint >= self.config.checkpoint_seconds:
                yield from self._dropped(listener)
                yield from pipeline.checkpoint({})
                pace.last_checkpoint, pace.pending = now, 0
            if self._idle(now - pace.last_activity):
                return

    def check(self) -> str:
        with self.listener() as listener:
            return f"can listen on {listener.describe()}"

    def listener(self) -> SyslogListener:
        c = self.config
        return SyslogListener(
            c.host, c.port, tuple(c.transports), c.max_message_bytes, c.receive_buffer_bytes
        )

    def message_records(
        self, received: Received, pipeline: AlertPipeline, sequence: int
    ) -> Iterator[Item]:
        place = f"{received.transport} from {received.peer}"
        if received.frame.problem:
            yield BadRecord(received.frame.problem, "", place)
            return
        text = received.frame.payload.decode("utf-8", errors="replace")
        arrived = datetime.now(UTC)
        position = f"{place} at {arrived.isoformat()} #{sequence}"

        def parse() -> Alert | None:
            if self.config.ignore_non_cef and find_cef(text) < 0:
                return None
            alert = cef_alert(text, position, self.config, self.config.zone, arrived, arrived)
            return alert if alert.level >= self.config.min_severity else None

        yield from self.alert_records(parse, text, place, pipeline)

    def _idle(self, seconds: float) -> bool:
        limit = self.config.idle_timeout_seconds
        return limit is not None and seconds >= limit

    def _dropped(self, listener: SyslogListener) -> Iterator[Notice]:
        """The run's notice of the datagrams the kernel dropped so far, if it dropped any:
        keyed, each replaces the last."""
        drops = self.dropped_before + (listener.udp_drops() or 0)
        if drops:
            yield Notice(
                f"the kernel dropped {drops} UDP datagrams: the receive buffer "
                f"({listener.udp_buffer_bytes()} bytes) was full (raise receive_buffer_bytes and "
                "net.core.rmem_max, or send over TCP)",
                lost=drops,
                key=DROPS_KEY,
            )
