"""Retries of transient source faults: jittered exponential backoff that honours Retry-After.

Two levels: :class:`RequestRetries` sends a failed request again at once, from a budget of
time per run; :func:`retrying` runs the whole run again from its last checkpoint, a few
times, when a fault outlasts that budget (or the connector does not retry requests).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import TypeVar

import httpx
from tenacity import (
    RetryCallState,
    Retrying,
    retry_if_exception_type,
    stop_after_attempt,
    wait_random_exponential,
)

from hub.config.settings import RuntimeSettings
from hub.connectors.errors import TransientSourceError, error_for_exception, error_for_status

T = TypeVar("T")
log = logging.getLogger(__name__)


def retrying(
    settings: RuntimeSettings, on_retry: Callable[[int, BaseException, float], None] | None = None
) -> Retrying:
    """A tenacity ``Retrying`` for transient faults of a whole run, as the settings say."""

    def before_sleep(state: RetryCallState) -> None:
        if on_retry and state.outcome and state.next_action:
            on_retry(state.attempt_number, state.outcome.exception(), state.next_action.sleep)

    return Retrying(
        stop=stop_after_attempt(settings.retry_attempts),
        wait=_honouring_retry_after(settings),
        retry=retry_if_exception_type(TransientSourceError),
        before_sleep=before_sleep,
        reraise=True,
    )


class RequestRetries:
    """Retries of one request at a time, paid from a budget of time shared by a run.

    A connector calls each request through :meth:`call`: a transient fault is retried on the
    spot (so a search resumes at the page that failed), with the runtime's backoff, for as
    long as the run has retry time left (``request_retry_seconds``: waiting and the failed
    requests themselves). A source that stays down spends the budget once, then the fault
    goes to the runtime, which retries the run from its last checkpoint.

    An httpx error the request lets through is judged by the one fault table of
    :mod:`hub.connectors.errors` (a ``raise_for_status()`` 503 is transient, a 404 is not).
    """

    def __init__(self, settings: RuntimeSettings) -> None:
        self.settings = settings
        self.budget = settings.request_retry_seconds
        self.spent = 0.0
        self.retried = 0
        """How many requests failed and were sent again."""

    def call(self, request: Callable[[], T], what: str = "a request") -> T:
        """``request()``, retried on transient faults while the run's budget lasts."""

        def within_budget(state: RetryCallState) -> bool:
            upcoming = state.upcoming_sleep or 0.0
            return self.spent + state.seconds_since_start + upcoming > self.budget

        def before_sleep(state: RetryCallState) -> None:
            self.retried += 1
            error = state.outcome.exception() if state.outcome else None
            log.info("%s failed (%s); again in %.1fs", what, error, state.upcoming_sleep)

        retrying_request = Retrying(
            stop=within_budget,
            wait=_honouring_retry_after(self.settings),
            retry=retry_if_exception_type(TransientSourceError),
            before_sleep=before_sleep,
            reraise=True,
        )
        started = time.monotonic()
        try:
            return retrying_request(lambda: _judged(request, what))
        finally:
            if retrying_request.statistics.get("attempt_number", 1) > 1:
                self.spent += time.monotonic() - started


def _judged(request: Callable[[], T], what: str) -> T:
    """``request()``, an httpx error it raises turned into the source error it stands for."""
    try:
        return request()
    except httpx.HTTPStatusError as exc:
        response = exc.response
        error = error_for_status(
            what, response.status_code, response.reason_phrase, response.headers
        )
        raise (error or TransientSourceError(f"{what}: {exc}")) from None
    except httpx.HTTPError as exc:
        raise error_for_exception(what, exc) from None


def _honouring_retry_after(settings: RuntimeSettings) -> Callable[[RetryCallState], float]:
    """Jittered exponential backoff, never shorter than a Retry-After the source sent."""
    backoff = wait_random_exponential(
        multiplier=settings.retry_initial_wait, max=settings.retry_max_wait
    )

    def wait(state: RetryCallState) -> float:
        delay = backoff(state)
        error = state.outcome.exception() if state.outcome else None
        if isinstance(error, TransientSourceError) and error.retry_after:
            delay = max(delay, error.retry_after)  # the source said how long: never sooner
        return delay

    return wait
