"""A small FHIR R4 server on 127.0.0.1, for the connector's tests: real sockets, real paging.

    with FhirTestServer(token="s3cret") as server:
        server.put(encounter, last_updated="2024-07-01T08:00:00+07:00")
        server.inject(Drop(), when=is_page)   # the next page request breaks off mid-body
        ... server.base_url ...

What it answers (the subset of the FHIR REST API the connector uses):

- ``GET /fhir/metadata``: a CapabilityStatement (no token needed, as on most servers);
- ``GET /fhir/<Type>?…``: a search-set Bundle, with ``_lastUpdated`` (``gt``, ``ge``, ``lt``,
  ``le``, ``eq``; repeated for a range), ``_sort=_lastUpdated`` (ties in id order),
  ``_count``, ``_include=Condition:subject`` / ``Condition:encounter`` and ``_summary=count``;
- ``GET /fhir/_page?search=<id>&offset=<n>&count=<n>``: further pages. As HAPI does, a search
  is a snapshot: its pages keep the results it had when it started, whatever changes since.

With a token, every request but ``metadata`` needs ``Authorization: Bearer <token>`` (401 and
an OperationOutcome otherwise). ``sorts=False`` makes the server ignore ``_sort`` (results in
reverse id order), ``link_origin`` writes next links on another origin, as a server behind a
proxy does.

Faults are injected one at a time: each :meth:`inject` is served once, to the first request
that matches its condition, in the order injected.
"""

from __future__ import annotations

import contextlib
import json
import random
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any
from urllib.parse import parse_qs, urlsplit

PREFIX = "/fhir"
INCLUDES = {"Condition:subject": "subject", "Condition:encounter": "encounter"}


@dataclass(frozen=True)
class Request:
    """What the server was asked: the path under /fhir, the query, the headers."""

    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]

    def param(self, name: str) -> str | None:
        values = self.query.get(name)
        return values[0] if values else None


def is_search(request: Request) -> bool:
    """The first request of a search (not a further page, not metadata)."""
    return request.path not in ("/metadata", "/_page")


def is_page(request: Request) -> bool:
    """A request for a further page, through a next link."""
    return request.path == "/_page"


def of_type(resource_type: str) -> Callable[[Request], bool]:
    return lambda request: request.path == f"/{resource_type}"


@dataclass(frozen=True)
class Status:
    """Answer with this status (and headers, and an OperationOutcome when ``diagnostics``)."""

    status: int
    headers: dict[str, str] = field(default_factory=dict)
    diagnostics: str | None = None
    issue_code: str = "exception"


@dataclass(frozen=True)
class Outcome:
    """Answer 200 with an OperationOutcome instead of a Bundle."""

    diagnostics: str
    issue_code: str = "processing"


@dataclass(frozen=True)
class Drop:
    """Announce the whole page, send half of it, and close the connection."""


@dataclass(frozen=True)
class Repeat:
    """Serve the search's previous page again (whose next link leads back here)."""


Fault = Status | Outcome | Drop | Repeat
RANDOM_FAULTS: list[Fault] = [Status(503), Status(429, {"Retry-After": "0"}), Drop()]
Answer = tuple[int, dict[str, str], bytes, Fault | None]
"""Status, headers, body, and the fault to apply while sending it."""


@dataclass
class _Search:
    keys: list[tuple[str, str]]
    resource_type: str
    includes: list[str]
    last_body: bytes = b""


class FhirTestServer:
    """The server in a background thread; a context manager that starts and stops it."""

    def __init__(
        self, token: str | None = None, sorts: bool = True, link_origin: str | None = None
    ) -> None:
        self.token = token
        self.sorts = sorts
        self.link_origin = link_origin
        self.requests: list[Request] = []
        self._resources: dict[tuple[str, str], dict[str, Any]] = {}
        self._searches: dict[str, _Search] = {}
        self._faults: list[tuple[Fault, Callable[[Request], bool]]] = []
        self._fault_share = 0.0
        self._random = random.Random(0)
        self.faults_served = 0
        self._lock = threading.Lock()
        self._http = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self._http.daemon_threads = True
        self._thread = threading.Thread(
            target=self._http.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )

    # -- set-up -----------------------------------------------------------------------------

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self._http.server_address[1]}{PREFIX}"

    def put(self, resource: dict[str, Any], last_updated: str | None = None) -> dict[str, Any]:
        """Store (or replace) a resource; ``last_updated`` sets its ``meta.lastUpdated``."""
        stored = json.loads(json.dumps(resource))
        key = (stored["resourceType"], stored["id"])
        with self._lock:
            previous = self._resources.get(key)
            version = int((previous or {}).get("meta", {}).get("versionId", "0")) + 1
            meta = {**stored.get("meta", {}), "versionId": str(version)}
            if last_updated:
                meta["lastUpdated"] = last_updated
            stored["meta"] = meta
            self._resources[key] = stored
        return stored

    def inject(self, fault: Fault, when: Callable[[Request], bool] = lambda _: True) -> None:
        with self._lock:
            self._faults.append((fault, when))

    def fail_share(self, share: float, seed: int = 19) -> None:
        """From now on, fail this share of the requests (chosen by a seeded random draw):
        a 503, a 429 with ``Retry-After: 0``, or a page broken off mid-body."""
        with self._lock:
            self._fault_share, self._random = share, random.Random(seed)

    def searches_of(self, resource_type: str) -> list[Request]:
        return [r for r in self.requests if r.path == f"/{resource_type}"]

    def start(self) -> FhirTestServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._http.shutdown()
        self._http.server_close()
        self._thread.join(timeout=5)

    def __enter__(self) -> FhirTestServer:
        return self.start()

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    # -- answering --------------------------------------------------------------------------

    def answer(self, request: Request) -> Answer:
        """What to send back for one request."""
        with self._lock:
            self.requests.append(request)
            fault = self._take_fault(request)
            if request.path == "/metadata":
                return 200, {}, _json(CAPABILITIES), None
            if self.token and request.headers.get("authorization") != f"Bearer {self.token}":
                return 401, {}, _outcome("security", "no valid bearer token"), None
            if isinstance(fault, Status):
                body = _outcome(fault.issue_code, fault.diagnostics) if fault.diagnostics else b""
                return fault.status, fault.headers, body, None
            if isinstance(fault, Outcome):
                return 200, {}, _outcome(fault.issue_code, fault.diagnostics), None
            if request.path == "/_page":
                return self._page_request(request, fault)
            return self._search(request, fault)

    def _take_fault(self, request: Request) -> Fault | None:
        for index, (fault, when) in enumerate(self._faults):
            if when(request):
                del self._faults[index]
                return fault
        if request.path != "/metadata" and self._random.random() < self._fault_share:
            self.faults_served += 1
            return self._random.choice(RANDOM_FAULTS)
        return None

    def _search(self, request: Request, fault: Fault | None) -> Answer:
        resource_type = request.path.strip("/")
        bounds = request.query.get("_lastUpdated", [])
        keys = [
            key
            for key in self._resources
            if key[0] == resource_type and self._updated_within(key, bounds)
        ]
        if request.param("_summary") == "count":
            total = {"resourceType": "Bundle", "type": "searchset", "total": len(keys)}
            return 200, {}, _json(total), None
        keys = self._ordered(keys, request.param("_sort") == "_lastUpdated")
        search_id = f"s{len(self._searches) + 1}"
        self._searches[search_id] = _Search(keys, resource_type, request.query.get("_include", []))
        count = int(request.param("_count") or 50)
        return self._serve_page(search_id, 0, count, fault)

    def _page_request(self, request: Request, fault: Fault | None) -> Answer:
        search_id = request.param("search") or ""
        if search_id not in self._searches:
            return 410, {}, _outcome("not-found", f"search {search_id} has expired"), None
        offset, count = int(request.param("offset") or 0), int(request.param("count") or 50)
        return self._serve_page(search_id, offset, count, fault)

    def _serve_page(self, search_id: str, offset: int, count: int, fault: Fault | None) -> Answer:
        search = self._searches[search_id]
        if isinstance(fault, Repeat) and search.last_body:
            return 200, {}, search.last_body, None
        body = _json(self._bundle(search_id, search, offset, count))
        search.last_body = body
        return 200, {}, body, fault

    def _bundle(self, search_id: str, search: _Search, offset: int, count: int) -> dict[str, Any]:
        keys = search.keys[offset : offset + count]
        matches = [self._resources[key] for key in keys if key in self._resources]
        included = self._included(matches, search.includes)
        entries = [{"resource": r, "search": {"mode": "match"}} for r in matches]
        entries += [{"resource": r, "search": {"mode": "include"}} for r in included]
        base = f"{self._origin()}{PREFIX}"
        links = [{"relation": "self", "url": f"{base}/{search.resource_type}"}]
        if offset + count < len(search.keys):
            after = f"search={search_id}&offset={offset + count}&count={count}"
            links.append({"relation": "next", "url": f"{base}/_page?{after}"})
        return {
            "resourceType": "Bundle",
            "type": "searchset",
            "total": len(search.keys),
            "link": links,
            "entry": entries,
        }

    def _included(self, matches: list[dict[str, Any]], includes: list[str]) -> list[dict[str, Any]]:
        found: dict[str, dict[str, Any]] = {}
        for resource in matches:
            for include in includes:
                reference = (resource.get(INCLUDES.get(include, "")) or {}).get("reference", "")
                kind, _, ident = reference.partition("/")
                if (kind, ident) in self._resources:
                    found[reference] = self._resources[(kind, ident)]
        return list(found.values())

    def _ordered(self, keys: list[tuple[str, str]], sort: bool) -> list[tuple[str, str]]:
        if sort and self.sorts:
            return sorted(keys, key=lambda key: (self._updated(key), key[1]))
        return sorted(keys, key=lambda key: key[1], reverse=True)

    def _updated(self, key: tuple[str, str]) -> datetime:
        return datetime.fromisoformat(self._resources[key]["meta"]["lastUpdated"])

    def _updated_within(self, key: tuple[str, str], bounds: list[str]) -> bool:
        moment = self._updated(key)
        for bound in bounds:
            prefix, value = bound[:2], datetime.fromisoformat(bound[2:])
            holds = {
                "gt": moment > value,
                "ge": moment >= value,
                "lt": moment < value,
                "le": moment <= value,
                "eq": moment == value,
            }.get(prefix, False)
            if not holds:
                return False
        return True

    def _origin(self) -> str:
        return self.link_origin or f"http://127.0.0.1:{self._http.server_address[1]}"


CAPABILITIES = {
    "resourceType": "CapabilityStatement",
    "status": "active",
    "kind": "instance",
    "fhirVersion": "4.0.1",
    "format": ["json"],
    "software": {"name": "iochub test FHIR server", "version": "1.0"},
}


def _json(document: dict[str, Any]) -> bytes:
    return json.dumps(document).encode()


def _outcome(code: str, diagnostics: str | None) -> bytes:
    return _json(
        {
            "resourceType": "OperationOutcome",
            "issue": [{"severity": "error", "code": code, "diagnostics": diagnostics or ""}],
        }
    )


def _handler(server: FhirTestServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:
            parts = urlsplit(self.path)
            path = parts.path[len(PREFIX) :] if parts.path.startswith(PREFIX) else parts.path
            headers = {name.lower(): value for name, value in self.headers.items()}
            request = Request(path, parse_qs(parts.query), headers)
            status, extra, body, fault = server.answer(request)
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                self._send(status, extra, body, isinstance(fault, Drop))

        def _send(self, status: int, extra: dict[str, str], body: bytes, drop: bool) -> None:
            self.send_response(status)
            self.send_header("Content-Type", "application/fhir+json")
            for name, value in extra.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            if drop:
                self.send_header("Connection", "close")
                self.close_connection = True
                body = body[: len(body) // 2]
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            pass  # keep test output quiet

    return Handler
