"""The broker's own counts of the messages it dropped and holds, from Mosquitto's ``$SYS`` tree.

Mosquitto publishes its counters every ``sys_interval`` seconds (10 by default), retained:

- ``$SYS/broker/publish/messages/dropped``: messages it dropped since it started, because a
  client's queue was full (``max_queued_messages``) — for all its clients, not only the hub;
- ``$SYS/broker/store/messages/count``: messages it holds now (queued and retained).

A stream subscribes to both (QoS 0: they are never queued for it) and keeps the latest values,
which the hub's metrics show (``iochub_stream_broker_messages``). The first value of the drop
counter is the one from before the stream started; what it rises by after that is what the
broker dropped while the stream ran, counted across broker restarts (a counter that goes down
started again from zero); one set of counters serves all the attempts of a run, so the rise
counts the drops between them too. That rise is a warning in the run's summary, said anew
with each checkpoint (its notice keyed :data:`NOTICE_KEY`), not records lost: the
counter is the broker's, for all its clients, and a stream cannot tell which of the drops
were its own (its ``sequence_field`` can: those gaps are counted as lost). A broker that has
no such topics, or refuses them, just leaves the counters unknown.
"""

from __future__ import annotations

from collections.abc import Callable

from hub.connectors.records import Notice

DROPPED = "dropped"
STORED = "stored"
NOTICE_KEY = "broker drop counter"
COUNTER_TOPICS = {
    "$SYS/broker/publish/messages/dropped": DROPPED,
    "$SYS/broker/store/messages/count": STORED,
}


class BrokerCounters:
    """The latest value of each broker counter, and how much the drop counter rose."""

    def __init__(self, on_value: Callable[[str, int], None] | None = None) -> None:
        self.latest: dict[str, int] = {}
        self.dropped_rise = 0
        """Messages the broker dropped since the first drop count seen (all its clients)."""
        self.refused = False
        """The broker refused the subscription to its counters (an ACL, say)."""
        self._on_value = on_value

    def note(self, topic: str, payload: bytes) -> bool:
        """Take a message if it is a counter's (True), else leave it to the stream (False)."""
        name = COUNTER_TOPICS.get(topic)
        if name is None:
            return False
        try:
            value = int(payload.decode("ascii").strip())
        except (UnicodeDecodeError, ValueError):
            return True  # not a count: a broker of another kind using the same topic
        previous = self.latest.get(name)
        if name == DROPPED and previous is not None:
            self.dropped_rise += value - previous if value >= previous else value
        self.latest[name] = value
        if self._on_value is not None:
            self._on_value(name, value)
        return True

    def notice(self) -> Notice:
        """What the run's summary says of the drops the broker counted while it ran: a
        warning (keyed :data:`NOTICE_KEY`, its count grows), no records lost."""
        message = (
            f"the broker's $SYS counter of dropped messages rose by {self.dropped_rise} while "
            "the stream ran: messages of any of its clients, perhaps this stream's (raise its "
            "max_queued_messages; a sequence_field counts this stream's own)"
        )
        return Notice(message, key=NOTICE_KEY)
