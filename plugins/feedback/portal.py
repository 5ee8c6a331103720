"""Reaching the portal: the ``services`` and ``requests`` resources, over HTTP(S) or in a folder.

Over HTTP, ``requests`` is asked one date window and page at a time (``start_date``,
``end_date``, ``page``, ``page_size``). A folder holds a whole export (``services.json``,
``requests.json``) and behaves like a portal that honours the window on ``requested_datetime``
(both ends included) and does not page: the file is read once per sync and filtered here.

Faults come from :func:`hub.connectors.sources.fetch` (5xx, 429, timeouts → retried; other 4xx,
a missing file → the run fails). A document that cannot be read raises :class:`BadDocument`.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from pathlib import Path
from urllib.parse import urlsplit

from hub.connectors.http import HttpClient, describe_location
from hub.connectors.sources import fetch

from .config import Open311Config
from .documents import Entry, Malformed, parse_list
from .timestamps import Window, optional_timestamp, query_timestamp

EXCERPT_CHARS = 500


class BadDocument(Exception):
    """A document that is not a readable GeoReport v2 list: quarantined with its place."""

    def __init__(self, reason: str, place: str, excerpt: str) -> None:
        super().__init__(reason)
        self.reason = reason
        self.place = place
        self.excerpt = excerpt


class Portal(ABC):
    """The two resources of a GeoReport v2 portal that the connector reads."""

    def __init__(self, config: Open311Config, timeout: float) -> None:
        self.config = config
        self.timeout = timeout

    @abstractmethod
    def services(self) -> list[Entry]:
        """The service list: the portal's categories."""

    @abstractmethod
    def requests(self, window: Window, page: int) -> list[Entry]:
        """One page (from 1) of the requests of ``window``; [] past the last page."""

    @abstractmethod
    def describe(self) -> str:
        """Where the portal is, fit for a message (no secrets)."""

    def close(self) -> None:  # noqa: B027 (a folder holds nothing to close)
        """Let go of the connections the portal holds (none for a folder)."""

    def _parse(self, content: bytes, kind: str, place: str) -> list[Entry]:
        try:
            return parse_list(content, self.config.format, kind)  # type: ignore[arg-type]
        except Malformed as exc:
            excerpt = content[:EXCERPT_CHARS].decode("utf-8", errors="replace")
            raise BadDocument(f"{place}: {exc}", place, excerpt) from None


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
        return self._parse(self._get(name, {}), "services", name)

    def requests(self, window: Window, page: int) -> list[Entry]:
        zone = self.config.zone
        params: dict[str, str] = {
            "start_date": query_timestamp(window.start, zone),
            "end_date": query_timestamp(window.end, zone),
        }
        if self.config.paging:
            params["page"] = str(page)
            if self.config.page_size:
                params["page_size"] = str(self.config.page_size)
        name = f"requests.{self.config.format}"
        place = f"{name}?{'&'.join(f'{key}={value}' for key, value in params.items())}"
        return self._parse(self._get(name, params), "requests", place)

    def describe(self) -> str:
        return describe_location(self.config.location)

    def _get(self, name: str, params: dict[str, str]) -> bytes:
        query = dict(params)
        if self.config.jurisdiction_id:
            query["jurisdiction_id"] = self.config.jurisdiction_id
        return self._client.get(name, query).content


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

    def requests(self, window: Window, page: int) -> list[Entry]:
        if page > 1:
            return []
        return [entry for entry in self._all_requests() if self._in(window, entry)]

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


def _field(entry: Entry, name: str) -> object:
    return entry.get(name) if isinstance(entry, dict) else None


_MEDIA_TYPES = {
    "json": "application/json, */*;q=0.1",
    "xml": "application/xml, text/xml;q=0.9, */*;q=0.1",
}
