"""The police system's accident API: JSON pages of the accidents changed since a time.

Each run asks for ``?modified_since=<cursor>&page=<n>&page_size=<size>`` (the parameter names
are configurable), page after page (the kit's :class:`~hub.connectors.http.PageNumber`), until
a page holds fewer items than the page size. The cursor is the kit's
:class:`~hub.connectors.incremental.Incremental` on each item's modification time: the
newest one read and the accidents read at exactly that time, which the next run leaves out.
After each full page a checkpoint saves the page reached and the cursor so far, so that a run
that breaks off resumes after the last page it committed, with the same question. A server
that ignores the page parameter (it answers the same page again) fails the run instead of
being walked forever.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

from hub.connectors.http import HttpClient, Page, PageNumber
from hub.connectors.incremental import Incremental
from hub.connectors.records import BadRecord, Checkpoint, Item

from .accidents import accident_item
from .config import AccidentsRestConfig
from .values import dig, parse_time, scrub


class AccidentPages:
    """One walk through the API's pages, from a saved state."""

    def __init__(self, config: AccidentsRestConfig, timeout: float) -> None:
        self.config = config
        self.timeout = timeout

    def read(self, state: dict[str, Any]) -> Iterator[Item]:
        """The accidents of every page, with a checkpoint after each full page and at the end."""
        if "page" in state:  # a walk that broke off: the same question, from the page reached
            since, resume = state.get("modified_since"), {"page": state["page"]}
            cursor = self._cursor(state.get("cursor"))
        else:
            boundary = {"value": state.get("modified_since"), "ties": state.get("ties", [])}
            cursor = self._cursor(boundary if state.get("modified_since") else None)
            since, resume = cursor.since_text, None
        with self._client() as client:
            for page in self._pages(client, since, resume):
                for position, item in enumerate(page.items, start=1):
                    if cursor.is_new(item):
                        cursor.see(item)
                        yield self._accident(item, f"page {page.position['page']}, item {position}")
                if page.resume is not None:
                    yield Checkpoint(
                        {"modified_since": since, **page.resume, "cursor": cursor.state()}
                    )
        finished = cursor.finish()
        yield Checkpoint(
            {"modified_since": finished["value"], "ties": finished["ties"]} if finished else {}
        )

    def first_page(self) -> list[Any]:
        """The items of the first page of everything the API holds."""
        with self._client() as client:
            return next(self._pages(client, self.config.start, None)).items

    def _pages(self, client: HttpClient, since: str | None, resume: dict | None) -> Iterator[Page]:
        c = self.config
        paginator = PageNumber(c.page_size, c.page_param, c.page_size_param, c.first_page)
        params = {c.since_param: since} if since else None
        return client.pages(c.url, paginator, params, items=c.items or None, resume=resume)

    def _client(self) -> HttpClient:
        headers = {"Accept": "application/json"}
        return HttpClient(auth=self.config, headers=headers, timeout=self.timeout)

    def _cursor(self, state: dict[str, Any] | None) -> Incremental:
        c = self.config
        return Incremental(
            c.modified, id=c.fields.id or None, start=c.start, state=state, parse=self._time
        )

    def _time(self, value: Any) -> datetime:
        return parse_time(value, self.config.time_format)

    def _accident(self, item: Any, place: str) -> Item:
        if not isinstance(item, dict):
            return BadRecord("accident: not a JSON object", scrub(item), place)
        sources = self.config.fields.sources()
        fields = {name: dig(item, path) for name, path in sources.items()}
        return accident_item(fields, item, place, self.config.time_format)
