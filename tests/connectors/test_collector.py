"""The collector's threshold is raised while any run loads, and put back after the last."""

from __future__ import annotations

import gc

from hub.connectors.collector import LOADING_THRESHOLD, fewer_collections


def test_the_threshold_is_raised_while_runs_overlap_and_restored_after_the_last() -> None:
    before = gc.get_threshold()
    first, second = fewer_collections(), fewer_collections()
    first.__enter__()
    assert gc.get_threshold()[0] == max(LOADING_THRESHOLD, before[0])
    second.__enter__()
    first.__exit__(None, None, None)  # the first run ends while the second goes on
    assert gc.get_threshold()[0] == max(LOADING_THRESHOLD, before[0])
    second.__exit__(None, None, None)
    assert gc.get_threshold() == before


def test_the_threshold_is_restored_when_a_run_fails() -> None:
    before = gc.get_threshold()
    try:
        with fewer_collections():
            raise RuntimeError("the source went away")
    except RuntimeError:
        pass
    assert gc.get_threshold() == before
