"""The ``wazuh-http`` kind: Wazuh alerts from the indexer's search API or an export, page by
page from the kit's incremental cursor (see :mod:`.wazuh_http`)."""

from __future__ import annotations

from collections.abc import Generator, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

from hub.connectors.incremental import Incremental
from hub.connectors.records import BadRecord, Item, Skipped

from .alerts import Alert
from .base import BELOW_MIN_LEVEL, SecurityConnector
from .config import WazuhHttpConfig
from .pipeline import AlertPipeline
from .wazuh import wazuh_alert
from .wazuh_http import AlertPages, Entry, alert_cursor


class WazuhHttpConnector(SecurityConnector[WazuhHttpConfig]):
    """Wazuh alerts over HTTP, with a time cursor and a checkpoint after every page."""

    def read(self, state: dict[str, Any], full: bool) -> Iterator[Item]:
        state = {} if full else state
        pipeline = self.pipeline(state)
        start = alert_cursor(state.get("http"), self.config.start).state()
        until = datetime.now(UTC) - timedelta(seconds=self.config.settle_seconds)
        with AlertPages(self.config, self.context.http_timeout) as source:
            for page in source.pages(start, self.config.page_size):
                cursor = alert_cursor(page.position, None)  # where this page was asked from
                settled = yield from self.page_records(page.items, cursor, until, pipeline)
                yield from pipeline.checkpoint({"http": cursor.state()})
                if not settled:
                    return

    def check(self) -> str:
        start = alert_cursor(None, self.config.start).state()
        with AlertPages(self.config, self.context.http_timeout) as source:
            entries = next(source.pages(start, 10)).items
        readable = sum(1 for entry in entries if entry.time is not None)
        return f"the {self.config.api} answered; {readable} of its first {len(entries)} alerts read"

    def page_records(
        self, entries: list[Entry], cursor: Incremental, until: datetime, pipeline: AlertPipeline
    ) -> Generator[Item, None, bool]:
        """Records of a page's new alerts, each seen by the cursor; False when an alert too
        young to read stopped the page."""
        for entry in entries:
            moment = entry.time
            if moment is not None and moment > until:
                return False
            if not cursor.is_new(entry):
                continue  # read already: the source sent more than it was asked for
            yield from self.entry_records(entry, pipeline)
            cursor.see(entry)
        return True

    def entry_records(self, entry: Entry, pipeline: AlertPipeline) -> Iterator[Item]:
        place = f"{self.config.api} alert {entry.id}" if entry.id else self.config.api
        if entry.problem:
            yield BadRecord(entry.problem, entry.raw, place)
            return

        def parse() -> Alert | Skipped:
            alert = wazuh_alert(entry.data, fallback_id=entry.fallback_id)
            return alert if alert.level >= self.config.min_level else Skipped(BELOW_MIN_LEVEL)

        yield from self.alert_records(parse, entry.raw, place, pipeline)
