"""Two of Python's settings, tuned while runs load, and put back after the last one ends.

**The garbage collector.** A load makes millions of short-lived containers (records, rows,
parameter tuples). Python's cyclic collector runs after every 700 of them and, every so
often, walks every object of the process, the run's own caches and batches included:
measured on a million-row import, that was a third of the load's Python time. What a load
makes is freed by reference counting as soon as it is written (it holds no reference
cycles), so the collector's first threshold is raised.

**The switch interval.** A run reads and normalises in one thread while its loading thread
writes (:mod:`hub.connectors.loading`). Each time the database hands back control (a chunk
of a ``COPY`` sent, the server's answer read), the loading thread needs Python's lock from
the reading thread, which keeps it until asked and then up to the switch interval (5 ms by
default): meanwhile PostgreSQL's server waits for the next rows. Measured on a million-row
import into PostgreSQL, a shorter interval took a tenth off the load.
"""

from __future__ import annotations

import gc
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager

LOADING_THRESHOLD = 100_000
"""New containers between two collections while a run loads (Python's default: 700)."""
LOADING_SWITCH_INTERVAL = 0.0005
"""Seconds a thread keeps Python's lock when another asks for it (Python's default: 0.005)."""

_lock = threading.Lock()
_loading = 0
_saved_threshold: tuple[int, int, int] = gc.get_threshold()
_saved_interval = sys.getswitchinterval()


@contextmanager
def tuned_for_loading() -> Iterator[None]:
    """Python's settings for loading, for the time of the block (runs may overlap)."""
    global _loading, _saved_threshold, _saved_interval
    with _lock:
        if _loading == 0:
            _saved_threshold, _saved_interval = gc.get_threshold(), sys.getswitchinterval()
            gc.set_threshold(max(LOADING_THRESHOLD, _saved_threshold[0]), *_saved_threshold[1:])
            sys.setswitchinterval(min(LOADING_SWITCH_INTERVAL, _saved_interval))
        _loading += 1
    try:
        yield
    finally:
        with _lock:
            _loading -= 1
            if _loading == 0:
                gc.set_threshold(*_saved_threshold)
                sys.setswitchinterval(_saved_interval)
