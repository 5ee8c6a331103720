import pytest
from tenacity import RetryCallState

from hub.config.settings import RuntimeSettings
from hub.connectors.errors import PermanentSourceError, TransientSourceError
from hub.connectors.retry import retrying


def _wait_after(error: BaseException, attempt: int = 1, **settings: float) -> float:
    retry = retrying(RuntimeSettings(**settings))
    state = RetryCallState(retry, fn=None, args=(), kwargs={})
    state.attempt_number = attempt
    state.set_exception((type(error), error, None))
    return retry.wait(state)


def test_backoff_is_jittered_and_bounded_by_the_exponential_ceiling() -> None:
    waits = {
        _wait_after(TransientSourceError("503"), attempt=3, retry_initial_wait=1, retry_max_wait=60)
        for _ in range(50)
    }
    assert all(0 <= wait <= 4 for wait in waits)  # 1 * 2**(3-1)
    assert len(waits) > 1


def test_retry_after_is_honoured_even_beyond_the_backoff() -> None:
    error = TransientSourceError("429", retry_after=30)
    assert _wait_after(error, retry_initial_wait=0.1, retry_max_wait=1) == 30


def test_only_transient_faults_are_retried() -> None:
    retry = retrying(RuntimeSettings(retry_attempts=5, retry_initial_wait=0, retry_max_wait=0))
    calls: list[int] = []

    def permanent() -> None:
        calls.append(1)
        raise PermanentSourceError("403")

    with pytest.raises(PermanentSourceError):
        retry(permanent)
    assert len(calls) == 1
