"""Errors a connector raises, and the one table that says which faults are worth retrying.

Two kinds of error end or pause a run (:class:`TransientSourceError`: retried with backoff;
:class:`PermanentSourceError`: the run fails), one kind costs a single record
(:class:`BadInput`: quarantined, the run goes on).

Every HTTP fault of every connector is judged by :data:`HTTP_FAULTS` and :func:`fault_causes`
through :func:`error_for_status` and :func:`error_for_exception`: a 5xx, a 408, a 429, a
timeout or a broken connection is transient (``Retry-After`` honoured); any other 4xx, a bad
URL or a redirect loop is permanent. :mod:`hub.connectors.http` and
:func:`hub.connectors.sources.fetch` call them, and so does
:class:`~hub.connectors.retry.RequestRetries` for an httpx error a connector let through.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from enum import StrEnum
from typing import Any


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


class NotFound(PermanentSourceError):
    """A 404: the source does not have this (e.g. a resource type a FHIR server lacks)."""


class PagingLoop(PermanentSourceError):
    """The source's paging goes round in circles: a page or a token came back again."""


class BadInput(ValueError):
    """One record (or one value of it) that cannot be read: it is quarantined with ``reason``.

    Raised in a conversion given to :func:`hub.connectors.records.read_each`, it becomes a
    :class:`~hub.connectors.records.BadRecord` and the connector goes on; raised by the hub
    while the runtime normalises a record (a field no row can hold), the runtime quarantines
    the record and goes on. Let out of a connector's ``read``, it ends that generator: the
    runtime quarantines it, keeps what came before and fails the run (docs/plugins.md,
    "Where a BadInput may be raised").
    """

    def __init__(self, reason: str, payload: Any = None, place: str | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.payload = payload
        self.place = place


class Fault(StrEnum):
    """What a fault means for the run."""

    TRANSIENT = "transient"
    """Try again later (with backoff)."""
    PERMANENT = "permanent"
    """Trying again will not help: the run fails with the message."""


@dataclass(frozen=True)
class FaultRule:
    """How one status (or one kind of exception) is handled, and what to tell the user."""

    fault: Fault
    hint: str = ""
    """Added to the message, e.g. "check the credentials"."""
    retry_after: bool = False
    """Read the response's ``Retry-After`` header (the wait is never shorter)."""
    error: type[SourceError] | None = None
    """A more precise error class than the fault's default."""


_CREDENTIALS = "check the credentials: are they valid, and allowed to read this?"

HTTP_FAULTS: Mapping[int | str, FaultRule] = {
    401: FaultRule(Fault.PERMANENT, _CREDENTIALS),
    403: FaultRule(Fault.PERMANENT, _CREDENTIALS),
    404: FaultRule(Fault.PERMANENT, error=NotFound),
    408: FaultRule(Fault.TRANSIENT, retry_after=True),
    429: FaultRule(Fault.TRANSIENT, "the source limits the request rate", retry_after=True),
    503: FaultRule(Fault.TRANSIENT, retry_after=True),
    "4xx": FaultRule(Fault.PERMANENT),
    "5xx": FaultRule(Fault.TRANSIENT, retry_after=True),
}
"""HTTP status → fault: the one table. A status not listed falls to its class (4xx, 5xx)."""


@functools.cache
def fault_causes() -> tuple[tuple[type[Exception], FaultRule, str], ...]:
    """Exception → fault, first match wins (so subclasses come before their bases).

    httpx is imported here, when a request has failed: a plugin's records and definitions
    import this module, and listing the hub's plugins or connectors needs no HTTP client.
    """
    import httpx

    return (
        (httpx.TimeoutException, FaultRule(Fault.TRANSIENT), "no answer within the time allowed"),
        (httpx.InvalidURL, FaultRule(Fault.PERMANENT), "not a usable URL"),
        (httpx.UnsupportedProtocol, FaultRule(Fault.PERMANENT), "not an http(s) URL"),
        (httpx.TooManyRedirects, FaultRule(Fault.PERMANENT), "the redirects loop"),
        (httpx.RemoteProtocolError, FaultRule(Fault.TRANSIENT), "the connection broke off"),
        (httpx.ConnectError, FaultRule(Fault.TRANSIENT), "cannot connect"),
        (httpx.TransportError, FaultRule(Fault.TRANSIENT), "the transfer failed"),
        (httpx.DecodingError, FaultRule(Fault.TRANSIENT), "the body could not be decoded"),
    )


def rule_for_status(status: int) -> FaultRule | None:
    """The rule for an HTTP status; None for a success (below 400)."""
    if status < 400:
        return None
    return HTTP_FAULTS.get(status) or HTTP_FAULTS["5xx" if status >= 500 else "4xx"]


def error_for_status(
    where: str,
    status: int,
    reason: str = "",
    headers: Mapping[str, str] | None = None,
    detail: str = "",
) -> SourceError | None:
    """The error an HTTP answer stands for (None for a success), by :data:`HTTP_FAULTS`.

    ``where`` names the request (no secrets: see :func:`hub.connectors.http.describe_location`),
    ``detail`` is what the server said, if anything worth repeating.
    """
    rule = rule_for_status(status)
    if rule is None:
        return None
    message = f"{where}: HTTP {status} {reason}".rstrip()
    if detail:
        message += f": {detail}"
    if rule.hint:
        message += f" ({rule.hint})"
    return _error(rule, message, (headers or {}).get("Retry-After") if rule.retry_after else None)


def error_for_exception(where: str, exc: Exception, timeout: float | None = None) -> SourceError:
    """The error a failed request stands for, by :func:`fault_causes` (unknown: transient)."""
    import httpx

    for cause, rule, said in fault_causes():
        if isinstance(exc, cause):
            detail = str(exc)
            if cause is httpx.TimeoutException:
                detail = ""  # httpx says only "timed out"
                if timeout is not None:
                    said = f"no answer within {timeout:g} s"
            return _error(rule, f"{where}: {said}: {detail}" if detail else f"{where}: {said}")
    return TransientSourceError(f"{where}: {exc or type(exc).__name__}")


def parse_retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """Seconds to wait from a ``Retry-After`` header: delta-seconds or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


def _error(rule: FaultRule, message: str, retry_after: str | None = None) -> SourceError:
    if rule.fault is Fault.TRANSIENT:
        return TransientSourceError(message, retry_after=parse_retry_after(retry_after))
    return (rule.error or PermanentSourceError)(message)
