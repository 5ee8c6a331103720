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
from collections import OrderedDict
from collections.abc import Hashable
from weakref import WeakKeyDictionary

from sqlalchemy import Engine

from hub.aggregation.request import AggregateValue

MAX_ANSWERS = 512


class RememberedAnswers:
    """A bounded map from answer keys to answers, least recently used first out."""

    def __init__(self, size: int = MAX_ANSWERS) -> None:
        self._size = size
        self._lock = threading.Lock()
        self._answers: OrderedDict[Hashable, list[AggregateValue]] = OrderedDict()

    def get(self, key: Hashable) -> list[AggregateValue] | None:
        with self._lock:
            found = self._answers.get(key)
            if found is not None:
                self._answers.move_to_end(key)
            return found

    def put(self, key: Hashable, answer: list[AggregateValue]) -> None:
        with self._lock:
            self._answers[key] = answer
            self._answers.move_to_end(key)
            while len(self._answers) > self._size:
                self._answers.popitem(last=False)

    def __len__(self) -> int:
        return len(self._answers)


_BY_ENGINE: WeakKeyDictionary[Engine, RememberedAnswers] = WeakKeyDictionary()
_LOCK = threading.Lock()


def remembered_answers(engine: Engine) -> RememberedAnswers:
    """The answers remembered for one database (one engine)."""
    with _LOCK:
        found = _BY_ENGINE.get(engine)
        if found is None:
            found = _BY_ENGINE[engine] = RememberedAnswers()
        return found
