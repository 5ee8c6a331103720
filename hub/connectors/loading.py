"""Loading in a thread of its own, so the database writes one batch while the next is made.

Normalising records is Python; writing them is mostly the database's own work (SQLite's C
code, or PostgreSQL's server), during which Python's other threads run. Handing each batch
to a loading thread lets a run use both: a load goes about as fast as the slower of the two
steps, rather than at the pace of both added up.

The order of a run is kept: jobs (writing a batch, committing a checkpoint) are done one
after another, in the order given, and at most ``ahead`` wait, so memory stays bounded.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable
from types import TracebackType

Job = Callable[[], None]


class LoadingThread:
    """Runs jobs one after another in a thread of its own.

    A job that fails stops the work: the jobs after it are dropped, and its exception is
    raised in the caller's thread, by the next :meth:`submit` or on leaving the ``with``
    block. Leaving the block waits for every job given before (so a checkpoint handed over
    before the reader failed is still committed, as it would have been without the thread).
    """

    def __init__(self, name: str, ahead: int = 1) -> None:
        self._jobs: queue.Queue[Job | None] = queue.Queue(maxsize=ahead)
        self._failure: BaseException | None = None
        self._thread = threading.Thread(target=self._work, name=name, daemon=True)

    def __enter__(self) -> LoadingThread:
        self._thread.start()
        return self

    def submit(self, job: Job) -> None:
        """Hand a job over; waits while ``ahead`` jobs are waiting already."""
        self._raise_failure()
        self._jobs.put(job)

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self._jobs.put(None)
        self._thread.join()
        if exc is None:  # otherwise the caller's own failure is the one that goes on
            self._raise_failure()

    def _work(self) -> None:
        while (job := self._jobs.get()) is not None:
            if self._failure is not None:
                continue  # drained, not done: the caller learns of the failure
            try:
                job()
            except BaseException as exc:  # raised again in the caller's thread
                self._failure = exc

    def _raise_failure(self) -> None:
        if self._failure is not None:
            raise self._failure
