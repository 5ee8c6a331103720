"""The ``wazuh-http`` kind: Wazuh alerts from the indexer's search API or an export, page by
page from a time cursor (see :mod:`.wazuh_http`)."""

from __future__ import annotations

from collections.abc import Generator, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

from hub.connectors.records import BadRecord, Item, Skipped

from .alerts import Alert
from .base import BELOW_MIN_LEVEL, SecurityConnector
from .config import WazuhHttpConfig
from .pipeline import AlertPipeline
from .wazuh import wazuh_alert
from .wazuh_http import AlertPages, Entry, TimeCursor


class WazuhHttpConnector(SecurityConnector[WazuhHttpConfig]):
    """Wazuh alerts over HTTP, with a time cursor and a checkpoint after every page."""

    def read(self, state: dict[str, Any], full: bool) -> Iterator[Item]:
        state = {} if full else state
        pipeline = self.pipeline(state)
        cursor = TimeCursor.from_state(state.get("http"), self.config.start)
        until = datetime.now(UTC) - timedelta(seconds=self.config.settle_seconds)
        with AlertPages(self.config, self.context.http_timeout) as pages:
            while True:
                entries = pages.page(cursor, self.config.page_size)
                before = cursor
                cursor, settled = yield from self.page_records(entries, cursor, until, pipeline)
                yield from pipeline.checkpoint({"http": cursor.to_state()})
                more = len(entries) == self.config.page_size and cursor != before
                if not (settled and more):
                    return

    def check(self) -> str:
        with AlertPages(self.config, self.context.http_timeout) as pages:
            entries = pages.page(TimeCursor.from_state(None, self.config.start), 10)
        readable = sum(1 for entry in entries if entry.time is not None)
        return f"the {self.config.api} answered; {readable} of its first {len(entries)} alerts read"

    def page_records(
        self, entries: list[Entry], cursor: TimeCursor, until: datetime, pipeline: AlertPipeline
    ) -> Generator[Item, None, tuple[TimeCursor, bool]]:
        """Records of a page's new alerts; returns the cursor after them, and False when an
        alert too young to read stopped the page."""
        for entry in entries:
            moment = entry.time
            if moment is not None and moment > until:
                return cursor, False
            if moment is not None and not cursor.is_new(moment, entry.id):
                continue  # read already: the source sent more than it was asked for
            yield from self.entry_records(entry, pipeline)
            if moment is not None:
                cursor = cursor.after(moment, entry.id)
        return cursor, True

    def entry_records(self, entry: Entry, pipeline: AlertPipeline) -> Iterator[Item]:
        place = f"{self.config.api} alert {entry.id}" if entry.id else self.config.api
        if entry.problem:
            yield BadRecord(entry.problem, entry.raw, place)
            return

        def parse() -> Alert | Skipped:
            alert = wazuh_alert(entry.data, fallback_id=entry.fallback_id)
            return alert if alert.level >= self.config.min_level else Skipped(BELOW_MIN_LEVEL)

        yield from self.alert_records(parse, entry.raw, place, pipeline)
