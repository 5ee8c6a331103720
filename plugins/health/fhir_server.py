"""A FHIR R4 server's REST API, as the connector uses it: searches read page by page.

Every way a request can fail becomes one of the two errors the hub's runtime understands:

- :class:`TransientSourceError` (retried on the spot while the run's budget of retry time
  lasts, see :class:`~hub.connectors.retry.RequestRetries`, then from the last checkpoint): a
  timeout, a connection that fails or breaks off mid-page, a 5xx, a 408 or a 429
  (``Retry-After`` honoured), an answer that is not complete JSON, an OperationOutcome whose
  issue is transient;
- :class:`PermanentSourceError` (fails the run): 401 and 403 (check the credentials), 404
  (:class:`NotOnServer`: a resource type the server does not have), any other 4xx, an
  OperationOutcome whose issue is not transient, an answer that is no Bundle, a paging that
  loops.

Statuses and transport faults are judged by the kit's one table
(:mod:`hub.connectors.errors`), through :class:`~hub.connectors.http.HttpClient`.

The message carries the OperationOutcome's diagnostics when the server sent one. It names the
URL without its query string (see :func:`describe_location`).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any

import httpx

from hub.connectors.errors import NotFound, PermanentSourceError, SourceError, TransientSourceError
from hub.connectors.http import Document, HttpAuth, HttpClient, NextLink, describe_location
from hub.connectors.records import BadRecord
from hub.connectors.retry import RequestRetries

from .fhir_values import as_list, resource_key

log = logging.getLogger(__name__)

FHIR_JSON = "application/fhir+json"
TRANSIENT_ISSUES = frozenset(
    {"transient", "lock-error", "no-store", "exception", "timeout", "incomplete", "throttled"}
)

MAX_VISITS = 3
"""A page may be served again (a glitch, a retry); asked for more often, the paging loops."""

NotOnServer = NotFound
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
    """Searches of one FHIR server, over the kit's pooled client; use it as a context manager."""

    def __init__(
        self,
        base_url: str,
        headers: dict[str, str] | None = None,
        timeout: float = 30.0,
        retries: RequestRetries | None = None,
        *,
        auth: HttpAuth | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self._client = HttpClient(
            self.base_url,
            auth=auth,
            headers={"Accept": FHIR_JSON, **(headers or {})},
            timeout=timeout,
            retries=retries,
        )

    def __enter__(self) -> FhirServer:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._client.close()

    def search(self, resource_type: str, params: dict[str, str]) -> Iterator[Page]:
        """The pages of a search, following each Bundle's ``next`` link to the last page
        (a link that comes back is a :class:`~hub.connectors.errors.PagingLoop`)."""
        pages = self._client.pages(
            f"{self.base_url}/{resource_type}",
            NextLink(lambda bundle: _link(bundle, "next"), max_visits=MAX_VISITS),
            params,
            items=lambda bundle: as_list(bundle.get("entry")),
            parse=_bundle,
            explain=_explained,
        )
        for page in pages:
            yield read_page(page.url, page.body)

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
        return self._client.read(url, _answer, explain=_explained)


def _answer(document: Document) -> dict[str, Any]:
    """A FHIR answer's JSON object; an OperationOutcome in its stead is an error."""
    where = describe_location(document.url)
    body = _json_object(document.content)
    if body is None:
        raise TransientSourceError(f"{where}: the answer is not complete JSON")
    if body.get("resourceType") == "OperationOutcome":
        raise outcome_error(where, body)
    return body


def _bundle(document: Document) -> dict[str, Any]:
    body = _answer(document)
    if body.get("resourceType") != "Bundle":
        raise PermanentSourceError(
            f"{describe_location(document.url)}: expected a Bundle, "
            f"got {body.get('resourceType')!r}"
        )
    return body


def _explained(response: httpx.Response) -> str:
    """An OperationOutcome's diagnostics, when a failed answer carries one."""
    body = _json_object(response.content)
    if body and body.get("resourceType") == "OperationOutcome":
        return diagnostics(body)
    return ""


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


def _json_object(content: bytes) -> dict[str, Any] | None:
    try:
        body = json.loads(content)
    except (UnicodeDecodeError, ValueError):
        return None
    return body if isinstance(body, dict) else None
