"""Answers kept in memory until the data or the definitions under them change.

A wall of dashboards asks the same few questions every few seconds, while the data under
them changes every few minutes. Each answer is kept under everything it depends on: the
request (with its day), the limits, the version of the hierarchy, the definitions of the
metrics (or indicator) asked, and the state of their roll-ups, whose ``updated_at`` moves
with every write that touches them, in any process. Checking that costs the few small
queries a request needs anyway; a change anywhere under an answer makes a new key, and the
old entry ages out of the bounded cache.
"""

from __future__ import annotations

import threading
from collections.abc import Hashable
from weakref import WeakKeyDictionary

from sqlalchemy import Engine

from hub.aggregation.request import AggregateValue
from hub.memory import LeastRecentlyUsed

MAX_ANSWERS = 512


class RememberedAnswers(LeastRecentlyUsed[Hashable, list[AggregateValue]]):
    """Answers by their keys, the least recently used forgotten first."""

    def __init__(self, size: int = MAX_ANSWERS) -> None:
        super().__init__(size)


_BY_ENGINE: WeakKeyDictionary[Engine, RememberedAnswers] = WeakKeyDictionary()
_LOCK = threading.Lock()


def remembered_answers(engine: Engine) -> RememberedAnswers:
    """The answers remembered for one database (one engine)."""
    with _LOCK:
        found = _BY_ENGINE.get(engine)
        if found is None:
            found = _BY_ENGINE[engine] = RememberedAnswers()
        return found
