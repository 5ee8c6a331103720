"""Messages a broker dropped, found by the gaps in the sequence numbers senders put in them.

A broker drops messages it cannot queue (Mosquitto's ``max_queued_messages``, 1,000 by
default) without telling the subscriber. When each sender numbers its messages (a field of
the payload, counting up by one per topic), a jump from 41 to 45 means three were lost on
the way. A message the broker delivers again (its DUP flag: the hub had not acknowledged it
when its connection or its process ended) with a number at or below the last one seen was
seen already, and is not counted again. Other numbers at or below the last one are a
restarted sender, and start the count again from there. The last number of each topic is
kept in the checkpoint, so a gap across a restart of the hub is found too.

The count is the run's: the stream says it with every checkpoint (a notice keyed
:data:`NOTICE_KEY`). After a failed attempt the next one goes on from the last checkpoint,
with its numbers and the count committed with them, so the messages read again (never
acknowledged, so delivered again) count their gaps once. A new run counts from zero, from
the numbers of the last checkpoint: a gap it finds is one no earlier run had committed.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from hub.connectors.records import Notice

from .values import dig

NOTICE_KEY = "sequence gaps"


class SequenceGaps:
    """The last sequence number seen on each topic, and how many numbers were skipped."""

    def __init__(self, field: str, last: dict[str, int] | None = None, missing: int = 0) -> None:
        self.field = field
        self.last: dict[str, int] = dict(last or {})
        self.missing = missing

    def see(self, topic: str, message: Mapping[str, Any], redelivered: bool = False) -> None:
        """Note the (decoded) message's number; a message without a whole number is not
        counted, nor is one that is not JSON (it is never seen), nor one ``redelivered`` that
        was seen before (its number at or below the last)."""
        number = _sequence_number(message, self.field)
        if number is None:
            return
        previous = self.last.get(topic)
        if redelivered and previous is not None and number <= previous:
            return  # seen before the connection (or the hub) went down: counted then
        if previous is not None and number > previous + 1:
            self.missing += number - previous - 1
        if previous is None or number > previous or number < previous - 1:
            self.last[topic] = number

    def notice(self) -> Notice:
        """The run's notice of the messages missing so far (``lost``)."""
        message = (
            f"the broker dropped {self.missing} messages (gaps in their {self.field!r} "
            "numbers): raise its max_queued_messages, or the hub's throughput"
        )
        return Notice(message, lost=self.missing, key=NOTICE_KEY)


def _sequence_number(message: Mapping[str, Any], field: str) -> int | None:
    value = dig(message, field)
    if isinstance(value, bool) or not isinstance(value, int | str):
        return None
    try:
        return int(value)
    except ValueError:
        return None
