"""Fewer passes of Python's garbage collector while runs load.

A load makes millions of short-lived containers (records, rows, parameter tuples). Python's
cyclic collector runs after every 700 of them and, every so often, walks every object of
the process, the run's own caches and batches included: measured on a million-row import,
that was a third of the load's Python time. What a load makes is freed by reference
counting as soon as it is written (it holds no reference cycles), so while any run loads,
the collector's first threshold is raised; it is put back when the last run ends.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

LOADING_THRESHOLD = 100_000
"""New containers between two collections while a run loads (Python's default: 700)."""

_lock = threading.Lock()
_loading = 0
_saved: tuple[int, int, int] = gc.get_threshold()


@contextmanager
def fewer_collections() -> Iterator[None]:
    """Raise the collector's first threshold for the time of the block (runs may overlap)."""
    global _loading, _saved
    with _lock:
        if _loading == 0:
            _saved = gc.get_threshold()
            gc.set_threshold(max(LOADING_THRESHOLD, _saved[0]), *_saved[1:])
        _loading += 1
    try:
        yield
    finally:
        with _lock:
            _loading -= 1
            if _loading == 0:
                gc.set_threshold(*_saved)
