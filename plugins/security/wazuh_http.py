"""Wazuh alerts over HTTP, page by page, from the kit's incremental cursor.

Two sources answer the same question — "the alerts from time T on, in time order, skipping the
first K":

- ``indexer``: the Wazuh indexer (OpenSearch) search API, queried in URI form::

      GET {url}/{index}/_search?q=timestamp:["T" TO *]&sort=timestamp:asc&size=N&from=K

  answered by a search response whose ``hits.hits[]._source`` are the alerts;
- ``export``: any endpoint that answers ``GET {url}?since=T&limit=N&offset=K`` with the alerts
  as JSON lines or as a JSON array.

The cursor is the kit's :class:`~hub.connectors.incremental.Incremental` on the alerts' time:
the time of the last alert read and the ids of the alerts read at exactly that time (its
ties). Each page asks from that time on, skipping as many alerts as it has ties
(:class:`AlertsSince`, a paginator of the kit: the search walks by time, never by a deep
``from``, which the indexer refuses past 10,000). Alerts sharing a millisecond are thus never
lost nor read twice, which matters because each read alert counts in its incident. The cursor
also drops, on our side, alerts the source sends that it has already passed, so a source that
ignores the parameters costs time, not correctness.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import partial
from typing import Any

from hub.connectors.errors import PermanentSourceError
from hub.connectors.http import (
    Document,
    HttpClient,
    Page,
    PageRequest,
    Paginator,
    describe_location,
    with_query,
)
from hub.connectors.incremental import Incremental
from hub.timestamps import optional_timestamp, parse_timestamp, utc_text

from .alerts import AlertError
from .config import WazuhHttpConfig
from .wazuh import alert_time

MAX_SEEN = 10_000
"""Ids of the alerts read at the cursor's very millisecond kept at most (a page's worth)."""


@dataclass(frozen=True)
class Entry:
    """One alert of a page as the source sent it, or why it could not be read."""

    data: Any = None
    fallback_id: str = ""
    problem: str | None = None
    raw: str = ""

    @property
    def time(self) -> datetime | None:
        """The alert's time, when it has a readable one."""
        if self.problem or not isinstance(self.data, dict):
            return None
        try:
            return alert_time(self.data)
        except AlertError:
            return None

    @property
    def id(self) -> str:
        if isinstance(self.data, dict) and self.data.get("id"):
            return str(self.data["id"])
        return self.fallback_id


def alert_cursor(state: Mapping[str, Any] | None, start: datetime | None) -> Incremental:
    """The cursor over alert entries, from a saved state (an older release's converted) or,
    on a first run, from ``start`` (a time without a zone is UTC, as Wazuh writes)."""
    return Incremental(
        _entry_time,
        id=_entry_id,
        start=start,
        state=upgraded(state),
        parse=partial(parse_timestamp, zone=UTC),
        max_ties=MAX_SEEN,
        what="Wazuh alerts",
    )


def upgraded(state: Mapping[str, Any] | None) -> Mapping[str, Any] | None:
    """An older release's cursor (``since``, ``at_since``, ``seen``) as the kit's state: the
    same time, the same alerts left out."""
    if not state or "since" not in state:
        return state
    if not state.get("since"):
        return None
    return {"value": state["since"], "ties": list(state.get("seen", ()))}


@dataclass
class AlertsSince(Paginator):
    """The pages of alerts from a cursor state on: each asks from the time of the last alert
    read, skipping the alerts read at that time, until a short page or one that moves the
    cursor no further."""

    query: Callable[[str | None, int, int], dict[str, Any]]
    """The query parameters asking from a time (UTC, milliseconds), skipping a number of
    alerts, for a page of a size."""
    size: int
    position: Mapping[str, Any]
    """The cursor state the walk starts from."""
    client_driven: bool = False

    def start(self, url: str) -> PageRequest:
        return self.at(url, self.position)

    def at(self, url: str, position: Mapping[str, Any]) -> PageRequest:
        moment = optional_timestamp(position.get("value"), UTC)
        since = utc_text(moment, "milliseconds") if moment else None
        skip = len(position.get("ties", ()))
        return PageRequest(with_query(url, self.query(since, skip, self.size)), dict(position))

    def next(
        self, request: PageRequest, document: Document, body: Any, items: list[Any]
    ) -> PageRequest | None:
        if len(items) < self.size:
            return None
        probe = alert_cursor(request.position, None)
        for _ in probe.take(items):
            pass
        position = probe.finish()
        return None if position == request.position else self.at(request.url, position)


class AlertPages:
    """The pages of alerts of the configured source over one pooled client (the kit's
    :class:`~hub.connectors.http.HttpClient`); a context manager."""

    def __init__(self, config: WazuhHttpConfig, timeout: float) -> None:
        self.config = config
        headers = {"Accept": "application/json"}
        self._client = HttpClient(auth=config, headers=headers, timeout=timeout)

    def __enter__(self) -> AlertPages:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._client.close()

    def pages(self, position: Mapping[str, Any], size: int) -> Iterator[Page]:
        """Pages of up to ``size`` alerts from the cursor state ``position`` on."""
        c = self.config
        if c.api == "indexer":
            url, query, parse = f"{c.url}/{c.index}/_search", _search_query, _search_page
        else:
            url, query, parse = c.url, _export_query, _export_page
        return self._client.pages(url, AlertsSince(query, size, position), parse=parse)


def _search_query(since: str | None, skip: int, size: int) -> dict[str, Any]:
    query = f'timestamp:["{since}" TO *]' if since else None
    return {"sort": "timestamp:asc", "size": size, "from": skip, "q": query}


def _export_query(since: str | None, skip: int, size: int) -> dict[str, Any]:
    return {"limit": size, "offset": skip, "since": since}


def _search_page(document: Document) -> list[Entry]:
    return _search_hits(document.content, describe_location(document.url))


def _export_page(document: Document) -> list[Entry]:
    return _exported(document.content)


def _entry_time(entry: Entry) -> datetime | None:
    return entry.time


def _entry_id(entry: Entry) -> str:
    return entry.id


def _search_hits(content: bytes, where: str) -> list[Entry]:
    """The alerts of an OpenSearch search response; PermanentSourceError if it is not one."""
    try:
        body = json.loads(content)
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise PermanentSourceError(f"{where}: the answer is not JSON") from None
    if not isinstance(body, dict) or not isinstance(body.get("hits"), dict):
        error = body.get("error") if isinstance(body, dict) else None
        reason = error.get("reason") if isinstance(error, dict) else "no hits"
        raise PermanentSourceError(f"{where}: not a search response ({reason})")
    hits = body["hits"].get("hits") or []
    return [
        Entry(hit.get("_source"), fallback_id=str(hit.get("_id", "")), raw=json.dumps(hit)[:4000])
        if isinstance(hit, dict) and isinstance(hit.get("_source"), dict)
        else Entry(problem="a search hit without _source", raw=json.dumps(hit)[:4000])
        for hit in hits
    ]


def _exported(content: bytes) -> list[Entry]:
    """The alerts of an export: a JSON array, or JSON lines (a bad line is a bad entry)."""
    text = content.decode("utf-8", errors="replace")
    if text.lstrip().startswith("["):
        try:
            items = json.loads(text)
        except json.JSONDecodeError as exc:
            return [Entry(problem=f"the JSON array is broken: {exc.msg}", raw=text[:4000])]
        return [Entry(item, raw=json.dumps(item)[:4000]) for item in items]
    return [_line_entry(line) for line in text.splitlines() if line.strip()]


def _line_entry(line: str) -> Entry:
    try:
        return Entry(json.loads(line), raw=line)
    except json.JSONDecodeError as exc:
        return Entry(problem=f"not JSON: {exc.msg} at column {exc.colno}", raw=line)
