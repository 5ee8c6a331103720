"""A GeoReport v2 portal on a real socket, for the feedback plugin's tests.

It is the test HTTP server of ``tests/support/http_server.py`` answering from data instead of
a script: ``GET /open311/v2/services.{json,xml}`` and ``GET /open311/v2/requests.{json,xml}``,
with ``start_date``/``end_date`` applied to ``requested_datetime`` (both ends included; a
window over 90 days is refused with 400, as the spec allows), and ``page``/``page_size``
paging (its own page size when none is asked). Past its last page it answers as configured:

- ``"empty"``: an empty list (what the spec suggests);
- ``"repeat"``: the last page again (a common bug);
- ``"ignore"``: it does not page at all: every page is the whole result.

``fail_next`` queues replies (a 500, a malformed body) that pre-empt the next matching calls.
"""

from __future__ import annotations

import json
import threading
import xml.etree.ElementTree as ElementTree
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any, Literal
from urllib.parse import parse_qs

from tests.support.http_server import Reply, Request, ScriptedServer

BASE = "/open311/v2"
PastEnd = Literal["empty", "repeat", "ignore"]
Params = dict[str, str]


class Open311Portal(ScriptedServer):
    """A portal serving ``services`` and ``requests`` from lists of dicts."""

    def __init__(
        self,
        services: list[dict[str, Any]] | None = None,
        requests: list[dict[str, Any]] | None = None,
        page_size: int = 50,
        past_end: PastEnd = "empty",
    ) -> None:
        super().__init__()
        self.services = list(services or [])
        self.stored: dict[str, dict[str, Any]] = {}
        self.page_size = page_size
        self.past_end = past_end
        self.calls: list[tuple[str, Params]] = []
        self._faults: list[tuple[str, Callable[[Params], bool], Reply]] = []
        self._data_lock = threading.Lock()
        for request in requests or []:
            self.put(request)

    @property
    def base_url(self) -> str:
        return self.url(BASE)

    def put(self, request: dict[str, Any]) -> None:
        """Add a request, or replace the one with the same id."""
        with self._data_lock:
            self.stored[str(request["service_request_id"])] = dict(request)

    def change(self, request_id: str, **fields: Any) -> None:
        with self._data_lock:
            self.stored[request_id].update(fields)

    def fail_next(
        self, resource: str, *replies: Reply, when: Callable[[Params], bool] | None = None
    ) -> None:
        """Answer the next calls of ``resource`` (``services``/``requests``) matching ``when``
        with ``replies``, one each, before answering from the data again."""
        with self._data_lock:
            self._faults.extend((resource, when or (lambda _: True), r) for r in replies)

    def request_calls(self) -> list[Params]:
        return [params for resource, params in self.calls if resource == "requests"]

    def _next_reply(self, request: Request) -> Reply:
        if not request.path.startswith(f"{BASE}/"):
            return Reply(404, b"not found")
        resource, _, fmt = request.path.removeprefix(f"{BASE}/").partition(".")
        params = {name: values[-1] for name, values in parse_qs(request.query).items()}
        with self._data_lock:
            self.requests.append(request)
            self.calls.append((resource, params))
            fault = self._take_fault(resource, params)
            if fault:
                return fault
            if resource == "services":
                return _answer(self.services, fmt, "services", "service")
            if resource == "requests":
                return self._requests_reply(params, fmt)
        return Reply(404, b"not found")

    def _take_fault(self, resource: str, params: Params) -> Reply | None:
        for index, (wanted, when, reply) in enumerate(self._faults):
            if wanted == resource and when(params):
                del self._faults[index]
                return reply
        return None

    def _requests_reply(self, params: Params, fmt: str) -> Reply:
        start, end = _moment(params.get("start_date")), _moment(params.get("end_date"))
        if start and end and end - start > timedelta(days=90):
            return _error(400, "start_date and end_date may not span more than 90 days", fmt)
        found = sorted(
            (r for r in self.stored.values() if _within(r, start, end)),
            key=lambda r: (r.get("requested_datetime") or "", str(r["service_request_id"])),
        )
        return _answer(self._page(found, params), fmt, "service_requests", "request")

    def _page(self, found: list[dict[str, Any]], params: Params) -> list[dict[str, Any]]:
        if self.past_end == "ignore":
            return found
        size = int(params.get("page_size") or self.page_size)
        page = int(params.get("page") or 1)
        pages = [found[i : i + size] for i in range(0, len(found), size)] or [[]]
        if page <= len(pages):
            return pages[page - 1]
        return pages[-1] if self.past_end == "repeat" else []


class RedirectingPortal(Open311Portal):
    """A portal that sends every request for one page of requests to a maintenance page (200,
    HTML) by a redirect: the answer's URL has neither the page nor the dates in it."""

    def __init__(self, *args: Any, redirected_page: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.redirected_page = str(redirected_page)

    def _next_reply(self, request: Request) -> Reply:
        if request.path == f"{BASE}/busy.html":
            return Reply(200, b"<html>busy</html>", {"Content-Type": "text/html"})
        return super()._next_reply(request)

    def _take_fault(self, resource: str, params: Params) -> Reply | None:
        if resource == "requests" and params.get("page") == self.redirected_page:
            return Reply(302, headers={"Location": self.url(f"{BASE}/busy.html")})
        return super()._take_fault(resource, params)


def _moment(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text else None


def _within(request: dict[str, Any], start: datetime | None, end: datetime | None) -> bool:
    requested = _moment(request.get("requested_datetime"))
    if requested is None:
        return False  # a request without a date matches no date search
    return (start is None or start <= requested) and (end is None or requested <= end)


def _answer(items: list[dict[str, Any]], fmt: str, root: str, element: str) -> Reply:
    if fmt == "xml":
        return Reply(200, to_xml(items, root, element), {"Content-Type": "text/xml"})
    body = json.dumps(items, ensure_ascii=False).encode()
    return Reply(200, body, {"Content-Type": "application/json"})


def _error(status: int, description: str, fmt: str) -> Reply:
    errors = [{"code": status, "description": description}]
    if fmt == "xml":
        return Reply(status, to_xml(errors, "errors", "error"))
    return Reply(status, json.dumps(errors).encode())


def to_xml(items: list[dict[str, Any]], root: str, element: str) -> bytes:
    """A GeoReport v2 XML list: ``<root><element><field>value</field>…</element>…</root>``."""
    top = ElementTree.Element(root)
    for item in items:
        entry = ElementTree.SubElement(top, element)
        for name, value in item.items():
            if value is not None:
                ElementTree.SubElement(entry, name).text = str(value)
    return ElementTree.tostring(top, encoding="utf-8", xml_declaration=True)
