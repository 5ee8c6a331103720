"""The police system's accident API: JSON pages of the accidents changed since a time.

Each run asks for ``?modified_since=<cursor>&page=<n>&page_size=<size>`` (the parameter names
are configurable), page after page, until a page holds fewer items than the page size. The
cursor is the newest modification time seen, saved at the end of the walk; after each full
page a checkpoint saves the page reached, so that a run that breaks off resumes after the last
page it committed, with the same cursor. A server that ignores the page parameter (it answers
the same page again) would be walked forever: that fails the run instead.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit
from zoneinfo import ZoneInfo

from hub.connectors.errors import PermanentSourceError, TransientSourceError
from hub.connectors.records import BadRecord, Checkpoint, Item
from hub.connectors.sources import describe_location, fetch

from .accidents import accident_item
from .config import AccidentsRestConfig
from .values import ValueProblem, dig, parse_time, scrub

LOCAL_TIME = ZoneInfo("Asia/Ho_Chi_Minh")


class AccidentPages:
    """One walk through the API's pages, from a saved state."""

    def __init__(self, config: AccidentsRestConfig, timeout: float) -> None:
        self.config = config
        self.timeout = timeout

    def read(self, state: dict[str, Any]) -> Iterator[Item]:
        """The accidents of every page, with a checkpoint after each full page and at the end."""
        since = state.get("modified_since") or self.config.start
        page = state.get("page", self.config.first_page - 1) + 1
        newest = state.get("newest")
        previous_ids: list[Any] | None = None
        while True:
            items = self.page(since, page)
            ids = [dig(item, self.config.fields.id) for item in items]
            if items and ids == previous_ids:
                raise PermanentSourceError(
                    f"{self._where()}: page {page} repeats page {page - 1}; "
                    f"does the API read the {self.config.page_param!r} parameter?"
                )
            for position, item in enumerate(items, start=1):
                yield self._accident(item, f"page {page}, item {position}")
                newest = _later(newest, self._modified(item))
            if len(items) < self.config.page_size:
                yield Checkpoint({"modified_since": newest or since})
                return
            yield Checkpoint({"modified_since": since, "page": page, "newest": newest})
            previous_ids, page = ids, page + 1

    def page(self, since: str | None, page: int) -> list[Any]:
        """The items of one page."""
        fetched = fetch(self.url(since, page), self.timeout, self._headers())
        try:
            body = json.loads(fetched.content)
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            message = f"{self._where()}: page {page} is not JSON ({exc})"
            raise TransientSourceError(message) from None
        items = dig(body, self.config.items) if self.config.items else body
        if not isinstance(items, list):
            where = f"at {self.config.items!r}" if self.config.items else "at the top"
            raise PermanentSourceError(f"{self._where()}: page {page} has no list {where}")
        return items

    def url(self, since: str | None, page: int) -> str:
        """The URL of one page: the configured URL with the paging parameters added."""
        c = self.config
        parts = urlsplit(c.url)
        query = parse_qsl(parts.query, keep_blank_values=True)
        query.append((c.page_param, str(page)))
        if c.page_size_param:
            query.append((c.page_size_param, str(c.page_size)))
        if since:
            query.append((c.since_param, since))
        return urlunsplit(parts._replace(query=urlencode(query)))

    def _accident(self, item: Any, place: str) -> Item:
        if not isinstance(item, dict):
            return BadRecord("accident: not a JSON object", scrub(item), place)
        sources = self.config.fields.sources()
        fields = {name: dig(item, path) for name, path in sources.items()}
        return accident_item(fields, item, place, self.config.time_format)

    def _modified(self, item: Any) -> str | None:
        try:
            modified = parse_time(dig(item, self.config.modified), self.config.time_format)
        except ValueProblem:
            return None  # the accident is still read; it just does not move the cursor
        aware = modified if modified.tzinfo else modified.replace(tzinfo=LOCAL_TIME)
        return aware.isoformat()

    def _headers(self) -> dict[str, str]:
        return {"Accept": "application/json", **self.config.request_headers()}

    def _where(self) -> str:
        return describe_location(self.config.url)


def _later(current: str | None, candidate: str | None) -> str | None:
    if candidate is None:
        return current
    if current is None:
        return candidate
    later = datetime.fromisoformat(candidate) > datetime.fromisoformat(current)
    return candidate if later else current
