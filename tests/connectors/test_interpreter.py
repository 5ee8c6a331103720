"""Python's settings are tuned while any run loads, and put back after the last."""

from __future__ import annotations

import gc
import sys

from hub.connectors.interpreter import (
    LOADING_SWITCH_INTERVAL,
    LOADING_THRESHOLD,
    tuned_for_loading,
)


def settings() -> tuple[tuple[int, int, int], float]:
    return gc.get_threshold(), sys.getswitchinterval()


def test_the_settings_are_tuned_while_runs_overlap_and_restored_after_the_last() -> None:
    before = settings()
    tuned = (max(LOADING_THRESHOLD, before[0][0]), min(LOADING_SWITCH_INTERVAL, before[1]))
    first, second = tuned_for_loading(), tuned_for_loading()
    first.__enter__()
    assert (gc.get_threshold()[0], sys.getswitchinterval()) == tuned
    second.__enter__()
    first.__exit__(None, None, None)  # the first run ends while the second goes on
    assert (gc.get_threshold()[0], sys.getswitchinterval()) == tuned
    second.__exit__(None, None, None)
    assert settings() == before


def test_the_settings_are_restored_when_a_run_fails() -> None:
    before = settings()
    try:
        with tuned_for_loading():
            raise RuntimeError("the source went away")
    except RuntimeError:
        pass
    assert settings() == before
