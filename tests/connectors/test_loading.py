"""The loading thread: jobs in order, apart from the caller; a failure stops it and is raised."""

from __future__ import annotations

import threading

import pytest

from hub.connectors.loading import LoadingThread


def test_jobs_run_in_the_order_given_in_a_thread_of_their_own() -> None:
    done: list[tuple[int, str]] = []
    with LoadingThread("test") as loading:
        for number in range(20):
            loading.submit(lambda n=number: done.append((n, threading.current_thread().name)))
    assert [n for n, _ in done] == list(range(20))  # all done on leaving the block
    assert {name for _, name in done} == {"test"}


def test_a_failed_job_stops_the_work_and_is_raised_to_the_caller() -> None:
    done: list[int] = []
    release = threading.Event()

    def fail() -> None:
        raise OSError("disk full")

    with pytest.raises(OSError, match="disk full"), LoadingThread("test", ahead=2) as loading:
        loading.submit(release.wait)
        loading.submit(fail)
        loading.submit(lambda: done.append(1))  # queued behind the failure
        release.set()
        for number in range(2, 100):  # the next hand-over raises it
            loading.submit(lambda n=number: done.append(n))
    assert done == []


def test_a_failure_of_the_caller_still_waits_for_the_jobs_given_before() -> None:
    done: list[int] = []
    release = threading.Event()
    with pytest.raises(ValueError, match="bad record"), LoadingThread("test") as loading:
        loading.submit(release.wait)
        loading.submit(lambda: done.append(1))  # e.g. a checkpoint's commit
        release.set()
        raise ValueError("bad record")
    assert done == [1]
