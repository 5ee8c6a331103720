"""Reaching the portal: the ``services`` and ``requests`` resources, over HTTP(S) or in a folder.

Over HTTP, ``requests`` is asked one date window and page at a time (``start_date``,
``end_date``, ``page``, ``page_size``), the pages walked by the kit's
:class:`~hub.connectors.http.PageNumber`. Paging stops at an empty page, at a page that
repeats the one before it (a portal paging past its end repeats its last page, or ignores
``page``), at a page shorter than ``page_size``, and fails the run after ``max_pages``. A page
that cannot be read is handed out as a :class:`BadDocument` named by the page asked for (not by
the answer's URL: a redirect may drop the query) and the walk goes on at the next page, unless
two in a row could not be read. A folder holds a whole export (``services.json``,
``requests.json``) and behaves like a portal that honours the window on ``requested_datetime``
(both ends included) and does not page: the file is read once per sync and filtered here.

Faults come from :func:`hub.connectors.sources.fetch` (5xx, 429, timeouts → retried; other 4xx,
a missing file → the run fails). A document that cannot be read raises :class:`BadDocument`.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from hub.connectors.errors import PermanentSourceError
from hub.connectors.http import Document, HttpClient, Page, PageNumber, describe_location
from hub.connectors.incremental import Window
from hub.connectors.sources import fetch

from .config import Open311Config
from .documents import Entry, Malformed, parse_list
from .timestamps import optional_timestamp, query_timestamp

EXCERPT_CHARS = 500
MAX_UNREADABLE_PAGES = 2
"""Unreadable pages in a row after which a window is given up (each one is quarantined)."""
PLACE_PARAMS = ("start_date", "end_date", "page", "page_size")
"""The query parameters that name a page in a message (no credentials among them)."""


class BadDocument(Exception):
    """A document that is not a readable GeoReport v2 list: quarantined with its place."""

    def __init__(self, reason: str, place: str, excerpt: str) -> None:
        super().__init__(reason)
        self.reason = reason
        self.place = place
        self.excerpt = excerpt


@dataclass(frozen=True)
class _Unreadable:
    """The body of a page of requests that is no GeoReport v2 list: why, and how it begins."""

    problem: str
    excerpt: str


class Portal(ABC):
    """The two resources of a GeoReport v2 portal that the connector reads."""

    def __init__(self, config: Open311Config, timeout: float) -> None:
        self.config = config
        self.timeout = timeout

    @abstractmethod
    def services(self) -> list[Entry]:
        """The service list: the portal's categories."""

    @abstractmethod
    def requests(self, window: Window) -> Iterator[list[Entry] | BadDocument]:
        """The requests of ``window``, page after page; a page that cannot be read comes as
        its :class:`BadDocument`."""

    @abstractmethod
    def describe(self) -> str:
        """Where the portal is, fit for a message (no secrets)."""

    def close(self) -> None:  # noqa: B027 (a folder holds nothing to close)
        """Let go of the connections the portal holds (none for a folder)."""

    def _parse(self, content: bytes, kind: str, place: str) -> list[Entry]:
        try:
            return parse_list(content, self.config.format, kind)  # type: ignore[arg-type]
        except Malformed as exc:
            raise BadDocument(f"{place}: {exc}", place, _excerpt(content)) from None


def open_portal(config: Open311Config, timeout: float) -> Portal:
    """The portal at ``config.location``: an ``http(s)`` URL, or a folder."""
    if urlsplit(config.location).scheme.lower() in ("http", "https"):
        return HttpPortal(config, timeout)
    return FolderPortal(config, timeout)


class HttpPortal(Portal):
    """A portal's GeoReport v2 API, over one pooled client for the sync (the kit's
    :class:`~hub.connectors.http.HttpClient`: the credentials, the one fault table)."""

    def __init__(self, config: Open311Config, timeout: float) -> None:
        super().__init__(config, timeout)
        accept = {"Accept": _MEDIA_TYPES[config.format]}
        base = config.location.rstrip("/") + "/"
        self._client = HttpClient(base, auth=config, headers=accept, timeout=timeout)

    def close(self) -> None:
        self._client.close()

    def services(self) -> list[Entry]:
        name = f"services.{self.config.format}"
        return self._parse(self._client.get(name, self._scope()).content, "services", name)

    def requests(self, window: Window) -> Iterator[list[Entry] | BadDocument]:
        name = f"requests.{self.config.format}"
        params = self._query(window)
        if self.config.paging:
            yield from self._paged(name, params)
            return
        try:
            yield self._parse(
                self._client.get(name, params).content, "requests", _place(name, params)
            )
        except BadDocument as exc:
            yield exc

    def _paged(self, name: str, params: dict[str, str]) -> Iterator[list[Entry] | BadDocument]:
        """The pages of one window; after an unreadable page (its :class:`BadDocument`) the
        walk goes on at the page after it, unless it is the second unreadable in a row. Page
        numbers only grow, so ``max_pages`` bounds the walk whatever the portal answers."""
        start: int | None = None
        unreadable = 0
        while True:
            last = None
            for last in self._pages(name, params, start):
                if not isinstance(last.body, _Unreadable):
                    unreadable = 0
                    yield last.items
            if last is None or not isinstance(last.body, _Unreadable):
                return
            number = int(last.position["page"])  # the page asked for: the walk ended there
            yield self._bad_page(name, params, number, last.body)
            unreadable += 1
            if unreadable == MAX_UNREADABLE_PAGES:
                return
            start = number + 1

    def _pages(self, name: str, params: dict[str, str], start: int | None) -> Iterator[Page]:
        """The kit's walk from page ``start`` (or the first); an unreadable page ends it, with
        an :class:`_Unreadable` body and no items."""
        size, most = self.config.page_size, self.config.max_pages
        paginator = PageNumber(size, size_param="page_size", repeated_page_ends=True)
        resume = {"page": start} if start is not None else None
        walk = self._client.pages(
            name, paginator, params, parse=self._page_body, items=_entries_of, resume=resume
        )
        for page in walk:
            if int(page.position["page"]) > most:
                raise PermanentSourceError(
                    f"{self.describe()}: more than {most} pages of requests in the window "
                    f"{params['start_date']} – {params['end_date']}; raise max_pages or lower "
                    "window_days"
                )
            yield page

    def _page_body(self, document: Document) -> list[Entry] | _Unreadable:
        try:
            return parse_list(document.content, self.config.format, "requests")
        except Malformed as exc:
            return _Unreadable(str(exc), _excerpt(document.content))

    def _bad_page(
        self, name: str, params: dict[str, str], number: int, body: _Unreadable
    ) -> BadDocument:
        query = {**params, "page": str(number)}
        if self.config.page_size:
            query["page_size"] = str(self.config.page_size)
        place = _place(name, query)
        return BadDocument(f"{place}: {body.problem}", place, body.excerpt)

    def _query(self, window: Window) -> dict[str, str]:
        zone = self.config.zone
        return {
            "start_date": query_timestamp(window.start, zone),
            "end_date": query_timestamp(window.end, zone),
            **self._scope(),
        }

    def describe(self) -> str:
        return describe_location(self.config.location)

    def _scope(self) -> dict[str, str]:
        jurisdiction = self.config.jurisdiction_id
        return {"jurisdiction_id": jurisdiction} if jurisdiction else {}


class FolderPortal(Portal):
    """An export in a folder: read whole once, filtered by window here, one page only.

    A request whose ``requested_datetime`` cannot be read belongs to no window: it is handed
    out with every window (the connector reads each request once per sync), so that it is
    quarantined rather than lost. An unreadable file is reported once per sync.
    """

    def __init__(self, config: Open311Config, timeout: float) -> None:
        super().__init__(config, timeout)
        self._requests: list[Entry] | None = None

    def services(self) -> list[Entry]:
        name = f"services.{self.config.format}"
        return self._parse(self._read(name), "services", name)

    def requests(self, window: Window) -> Iterator[list[Entry] | BadDocument]:
        try:
            yield [entry for entry in self._all_requests() if self._in(window, entry)]
        except BadDocument as exc:
            yield exc

    def describe(self) -> str:
        return self.config.location

    def _all_requests(self) -> list[Entry]:
        if self._requests is None:
            self._requests = []  # an unreadable file is reported by the first window only
            name = f"requests.{self.config.format}"
            self._requests = self._parse(self._read(name), "requests", name)
        return self._requests

    def _in(self, window: Window, entry: Entry) -> bool:
        requested = optional_timestamp(_field(entry, "requested_datetime"), self.config.zone)
        return requested is None or window.holds(requested)

    def _read(self, name: str) -> bytes:
        location = self.config.location
        if location.startswith("file:"):
            return fetch(f"{location.rstrip('/')}/{name}", self.timeout).content
        return fetch(str(Path(location).expanduser() / name), self.timeout).content


def _place(name: str, query: dict[str, str]) -> str:
    """A page of requests in a message: ``requests.json?start_date=…&end_date=…&page=2``."""
    named = "&".join(f"{key}={query[key]}" for key in PLACE_PARAMS if key in query)
    return f"{name}?{named}"


def _excerpt(content: bytes) -> str:
    return content[:EXCERPT_CHARS].decode("utf-8", errors="replace")


def _entries_of(body: list[Entry] | _Unreadable) -> list[Entry]:
    """The requests of a page's body; none for an unreadable one (the walk ends there)."""
    return [] if isinstance(body, _Unreadable) else body


def _field(entry: Entry, name: str) -> object:
    return entry.get(name) if isinstance(entry, dict) else None


_MEDIA_TYPES = {
    "json": "application/json, */*;q=0.1",
    "xml": "application/xml, text/xml;q=0.9, */*;q=0.1",
}
