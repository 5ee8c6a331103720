"""A FHIR R4 server's REST API, as the connector uses it: searches read page by page.

Every way a request can fail becomes one of the two errors the hub's runtime understands:

- :class:`TransientSourceError` (retried on the spot while the run's budget of retry time
  lasts, see :class:`~hub.connectors.retry.RequestRetries`, then from the last checkpoint): a
  timeout, a connection that fails or breaks off mid-page, a 5xx, a 408 or a 429
  (``Retry-After`` honoured), an answer that is not complete JSON, an OperationOutcome whose
  issue is transient;
- :class:`PermanentSourceError` (fails the run): 401 and 403 (check the token), 404
  (:class:`NotOnServer`: a resource type the server does not have), any other 4xx, an
  OperationOutcome whose issue is not transient, an answer that is no Bundle, a paging that
  loops.

The message carries the OperationOutcome's diagnostics when the server sent one. It names the
URL without its query string (see :func:`describe_location`).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any
from urllib.parse import urljoin, urlsplit, urlunsplit

import httpx

from hub.connectors.errors import PermanentSourceError, SourceError, TransientSourceError
from hub.connectors.records import BadRecord
from hub.connectors.retry import RequestRetries
from hub.connectors.sources import describe_location, parse_retry_after

from .fhir_values import as_list, resource_key

log = logging.getLogger(__name__)

FHIR_JSON = "application/fhir+json"
TRANSIENT_STATUSES = frozenset({408, 429})
TRANSIENT_ISSUES = frozenset(
    {"transient", "lock-error", "no-store", "exception", "timeout", "incomplete", "throttled"}
)
MAX_VISITS = 3
"""A page may be served again (a glitch, a retry); asked for more often, the paging loops."""


class NotOnServer(PermanentSourceError):
    """A 404: the server does not have this (a resource type it does not serve)."""


@dataclass
class Page:
    """One page of a search-set: the resources that matched, those included with them."""

    url: str
    matches: list[dict[str, Any]] = field(default_factory=list)
    included: dict[str, dict[str, Any]] = field(default_factory=dict)
    problems: list[BadRecord] = field(default_factory=list)
    next_url: str | None = None


class FhirServer:
    """Searches of one FHIR server, over one HTTP connection pool; use it as a context manager."""

    def __init__(
        self,
        base_url: str,
        headers: dict[str, str],
        timeout: float,
        retries: RequestRetries | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self.retries = retries
        self._client = httpx.Client(
            timeout=timeout, follow_redirects=True, headers={"Accept": FHIR_JSON, **headers}
        )
        self._warned_rebase = False

    def __enter__(self) -> FhirServer:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._client.close()

    def search(self, resource_type: str, params: dict[str, str]) -> Iterator[Page]:
        """The pages of a search, following each Bundle's ``next`` link to the last page."""
        url: str | None = str(httpx.URL(f"{self.base_url}/{resource_type}", params=params))
        visits: dict[str, int] = {}
        while url:
            visits[url] = visits.get(url, 0) + 1
            if visits[url] > MAX_VISITS:
                raise PermanentSourceError(
                    f"{describe_location(url)}: the server's paging loops (this page's next link "
                    f"was served {MAX_VISITS} times)"
                )
            page = read_page(url, self.get(url))
            yield page
            url = self._on_base(page.next_url) if page.next_url else None

    def count(self, resource_type: str) -> int | None:
        """How many resources of a type the server holds (``_summary=count``)."""
        bundle = self.get(f"{self.base_url}/{resource_type}?_summary=count")
        total = bundle.get("total") if bundle.get("resourceType") == "Bundle" else None
        return total if isinstance(total, int) else None

    def capabilities(self) -> dict[str, Any]:
        """The server's CapabilityStatement (``/metadata``)."""
        return self.get(f"{self.base_url}/metadata")

    def get(self, url: str) -> dict[str, Any]:
        """The JSON object at ``url``; faults mapped as the module docstring says, transient
        ones retried on the spot while the run's retry budget lasts."""
        if self.retries is None:
            return self._get(url)
        return self.retries.call(lambda: self._get(url), describe_location(url))

    def _get(self, url: str) -> dict[str, Any]:
        where = describe_location(url)
        try:
            response = self._client.get(url)
        except httpx.TimeoutException:
            raise TransientSourceError(f"{where}: no answer within {self.timeout:g} s") from None
        except (httpx.InvalidURL, httpx.UnsupportedProtocol, httpx.TooManyRedirects) as exc:
            raise PermanentSourceError(f"{where}: {exc}") from None
        except httpx.TransportError as exc:
            raise TransientSourceError(f"{where}: {_transport_problem(exc)}") from None
        body = _json(response)
        _raise_for_status(where, response, body)
        if body is None:
            raise TransientSourceError(f"{where}: the answer is not complete JSON")
        if body.get("resourceType") == "OperationOutcome":
            raise outcome_error(where, body)
        return body

    def _on_base(self, link: str) -> str:
        """A next link, made absolute and kept on the base URL's origin.

        Servers behind a proxy often write their internal address into links; following it
        would fail, or send the token to another host. The path and query are kept.
        """
        absolute = urljoin(self.base_url + "/", link)
        link_parts, base = urlsplit(absolute), urlsplit(self.base_url)
        if (link_parts.scheme, link_parts.netloc) == (base.scheme, base.netloc):
            return absolute
        if not self._warned_rebase:
            log.warning(
                "%s: next links point to %s; following them on %s instead",
                describe_location(self.base_url),
                link_parts.netloc,
                base.netloc,
            )
            self._warned_rebase = True
        return urlunsplit((base.scheme, base.netloc, link_parts.path, link_parts.query, ""))


def read_page(url: str, bundle: dict[str, Any]) -> Page:
    """A search-set Bundle as a :class:`Page`."""
    if bundle.get("resourceType") != "Bundle":
        raise PermanentSourceError(
            f"{describe_location(url)}: expected a Bundle, got {bundle.get('resourceType')!r}"
        )
    page = Page(url, next_url=_link(bundle, "next"))
    for number, entry in enumerate(as_list(bundle.get("entry")), start=1):
        resource = entry.get("resource") if isinstance(entry, dict) else None
        mode = (entry.get("search") or {}).get("mode") if isinstance(entry, dict) else None
        if not isinstance(resource, dict):
            where = f"entry {number} of {describe_location(url)}"
            page.problems.append(BadRecord(f"{where}: no resource", entry, place=where))
        elif mode == "include":
            page.included[resource_key(resource) or ""] = resource
        elif mode == "outcome":
            log.warning("%s: %s", describe_location(url), diagnostics(resource))
        else:
            page.matches.append(resource)
    return page


def outcome_error(where: str, outcome: dict[str, Any]) -> SourceError:
    """The error an OperationOutcome stands for: transient if its issues say so."""
    issues = [issue for issue in as_list(outcome.get("issue")) if isinstance(issue, dict)]
    codes = {issue.get("code") for issue in issues}
    message = f"{where}: the server answered with an OperationOutcome: {diagnostics(outcome)}"
    if codes and codes <= TRANSIENT_ISSUES:
        return TransientSourceError(message)
    return PermanentSourceError(message)


def diagnostics(outcome: dict[str, Any]) -> str:
    """What an OperationOutcome says, issue by issue: ``error (processing): <diagnostics>``."""
    said = []
    for issue in as_list(outcome.get("issue")):
        if not isinstance(issue, dict):
            continue
        text = issue.get("diagnostics") or (issue.get("details") or {}).get("text") or ""
        said.append(f"{issue.get('severity', '?')} ({issue.get('code', '?')}): {text}".rstrip(": "))
    return "; ".join(said) or "no issue given"


def _link(bundle: dict[str, Any], relation: str) -> str | None:
    for link in as_list(bundle.get("link")):
        if isinstance(link, dict) and link.get("relation") == relation and link.get("url"):
            return str(link["url"])
    return None


def _json(response: httpx.Response) -> dict[str, Any] | None:
    try:
        body = response.json()
    except ValueError:
        return None
    return body if isinstance(body, dict) else None


def _raise_for_status(where: str, response: httpx.Response, body: dict[str, Any] | None) -> None:
    status = response.status_code
    if status < 400:
        return
    message = f"{where}: HTTP {status} {response.reason_phrase}".rstrip()
    if body and body.get("resourceType") == "OperationOutcome":
        message += f": {diagnostics(body)}"
    if status >= 500 or status in TRANSIENT_STATUSES:
        retry_after = parse_retry_after(response.headers.get("Retry-After"))
        raise TransientSourceError(message, retry_after=retry_after)
    if status in (401, 403):
        message += " (check the token: is it valid, and allowed to read these resources?)"
    if status == 404:
        raise NotOnServer(message)
    raise PermanentSourceError(message)


def _transport_problem(exc: httpx.TransportError) -> str:
    if isinstance(exc, httpx.RemoteProtocolError):
        return f"the connection broke off: {exc}"
    if isinstance(exc, httpx.ConnectError):
        return f"cannot connect: {exc}"
    return str(exc) or type(exc).__name__
