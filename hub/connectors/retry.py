"""Retries of transient source faults: jittered exponential backoff that honours Retry-After."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from tenacity import (
    RetryCallState,
    Retrying,
    retry_if_exception_type,
    stop_after_attempt,
    wait_random_exponential,
)

from hub.config.settings import RuntimeSettings
from hub.connectors.errors import TransientSourceError

T = TypeVar("T")


def retrying(
    settings: RuntimeSettings, on_retry: Callable[[int, BaseException, float], None] | None = None
) -> Retrying:
    """A tenacity ``Retrying`` for transient faults, as the runtime settings say."""
    backoff = wait_random_exponential(
        multiplier=settings.retry_initial_wait, max=settings.retry_max_wait
    )

    def wait(state: RetryCallState) -> float:
        delay = backoff(state)
        error = state.outcome.exception() if state.outcome else None
        if isinstance(error, TransientSourceError) and error.retry_after:
            delay = max(delay, error.retry_after)  # the source said how long: never sooner
        return delay

    def before_sleep(state: RetryCallState) -> None:
        if on_retry and state.outcome and state.next_action:
            on_retry(state.attempt_number, state.outcome.exception(), state.next_action.sleep)

    return Retrying(
        stop=stop_after_attempt(settings.retry_attempts),
        wait=wait,
        retry=retry_if_exception_type(TransientSourceError),
        before_sleep=before_sleep,
        reraise=True,
    )
