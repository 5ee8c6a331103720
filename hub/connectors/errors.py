"""Errors a connector raises so that the runtime knows whether to retry."""

from __future__ import annotations


class SourceError(Exception):
    """A fault of the legacy system or of the way we reach it."""


class TransientSourceError(SourceError):
    """A fault that may go away: a timeout, a 5xx, a 429. Retried with backoff.

    ``retry_after`` (seconds) is honoured when the source said how long to wait.
    """

    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class PermanentSourceError(SourceError):
    """A fault that retrying will not fix: bad credentials, a 4xx, a missing file."""
