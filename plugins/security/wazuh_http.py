"""Wazuh alerts over HTTP, page by page, from a time cursor.

Two sources answer the same question — "the alerts from time T on, in time order, skipping the
first K":

- ``indexer``: the Wazuh indexer (OpenSearch) search API, queried in URI form::

      GET {url}/{index}/_search?q=timestamp:["T" TO *]&sort=timestamp:asc&size=N&from=K

  answered by a search response whose ``hits.hits[]._source`` are the alerts;
- ``export``: any endpoint that answers ``GET {url}?since=T&limit=N&offset=K`` with the alerts
  as JSON lines or as a JSON array.

The cursor is the time of the last alert read and how many alerts at exactly that time were
read (with their ids, up to :data:`MAX_SEEN`): the next page starts at that time, skipping
those. Alerts sharing a millisecond are thus never lost nor read twice, which matters because
each read alert counts in its incident. The cursor also drops, on our side, alerts the source
sends that it has already passed, so a source that ignores the parameters costs time, not
correctness.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

from hub.connectors.errors import PermanentSourceError
from hub.connectors.http import HttpClient, describe_location

from .alerts import AlertError
from .config import WazuhHttpConfig
from .wazuh import alert_time

MAX_SEEN = 200


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


@dataclass(frozen=True)
class TimeCursor:
    """The time of the last alert read, and the alerts read at exactly that time."""

    since: datetime | None = None
    at_since: int = 0
    seen: tuple[str, ...] = ()

    def is_new(self, moment: datetime, alert_id: str) -> bool:
        if self.since is None or moment > self.since:
            return True
        return moment == self.since and alert_id not in self.seen

    def after(self, moment: datetime, alert_id: str) -> TimeCursor:
        """The cursor once the alert at ``moment`` is read."""
        if self.since is None or moment > self.since:
            return TimeCursor(moment, 1, (alert_id,))
        return TimeCursor(self.since, self.at_since + 1, (*self.seen, alert_id)[-MAX_SEEN:])

    def to_state(self) -> dict[str, Any]:
        since = self.since.astimezone(UTC).isoformat() if self.since else None
        return {"since": since, "at_since": self.at_since, "seen": list(self.seen)}

    @classmethod
    def from_state(cls, state: dict[str, Any] | None, start: datetime | None) -> TimeCursor:
        if not state or not state.get("since"):
            return cls(_aware(start) if start else None)
        since = datetime.fromisoformat(state["since"])
        return cls(since, int(state.get("at_since", 0)), tuple(state.get("seen", ())))


class AlertPages:
    """Asks the configured source for one page of alerts at a time, over one pooled client
    (the kit's :class:`~hub.connectors.http.HttpClient`); a context manager."""

    def __init__(self, config: WazuhHttpConfig, timeout: float) -> None:
        self.config = config
        headers = {"Accept": "application/json"}
        self._client = HttpClient(auth=config, headers=headers, timeout=timeout)

    def __enter__(self) -> AlertPages:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._client.close()

    def page(self, cursor: TimeCursor, size: int) -> list[Entry]:
        """Up to ``size`` alerts from the cursor's time on, skipping those read at that time."""
        location = self.url(cursor, size)
        content = self._client.get(location).content
        if self.config.api == "indexer":
            return _search_hits(content, describe_location(location))
        return _exported(content)

    def url(self, cursor: TimeCursor, size: int) -> str:
        since = _query_time(cursor.since) if cursor.since else None
        if self.config.api == "indexer":
            query: dict[str, Any] = {"sort": "timestamp:asc", "size": size, "from": cursor.at_since}
            if since:
                query["q"] = f'timestamp:["{since}" TO *]'
            return f"{self.config.url}/{self.config.index}/_search?{urlencode(query)}"
        query = {"limit": size, "offset": cursor.at_since, **({"since": since} if since else {})}
        return f"{self.config.url}?{urlencode(query)}"


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


def _query_time(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
