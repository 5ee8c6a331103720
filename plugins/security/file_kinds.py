"""The file kinds, ``wazuh-file`` and ``cef-file``: a file being appended to, followed from a
byte-offset cursor across rotation and truncation (see :mod:`.tailing`)."""

from __future__ import annotations

from abc import abstractmethod
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime
from itertools import islice
from pathlib import Path
from typing import Any, TypeVar

from hub.connectors.records import BadRecord, Item, Skipped

from .alerts import Alert
from .base import BELOW_MIN_LEVEL, BELOW_MIN_SEVERITY, NOT_CEF, SecurityConnector
from .cef import find_cef
from .cef_alerts import cef_alert
from .config import CefFileConfig, TailConfig, WazuhFileConfig
from .pipeline import AlertPipeline
from .tailing import MAX_LINE_BYTES, FileCursor, Line, appended_lines
from .wazuh import parse_wazuh_line

CHECKED_LINES = 200


TailConfigT = TypeVar("TailConfigT", bound=TailConfig)


class TailConnector(SecurityConnector[TailConfigT]):
    """Reads the complete lines appended since the last run; each is one alert."""

    def read(self, state: dict[str, Any], full: bool) -> Iterator[Item]:
        state = {} if full else state
        pipeline = self.pipeline(state)
        cursor = FileCursor.from_state(state.get("file"))
        pending = 0
        for line in appended_lines(self.path, cursor):
            cursor = line.cursor
            yield from self.line_records(line, pipeline)
            pending += 1
            if pending >= self.config.checkpoint_every:
                yield from pipeline.checkpoint({"file": cursor.to_state()})
                pending = 0
        yield from pipeline.checkpoint({"file": cursor.to_state()})

    def check(self) -> str:
        """The file can be read, and how its first lines parse."""
        outcome: Counter[str] = Counter()
        for line in islice(appended_lines(self.path, FileCursor()), CHECKED_LINES):
            for item in self.line_records(line, self.pipeline({})):
                outcome[type(item).__name__] += 1
        return (
            f"{self.path}: {self.path.stat().st_size} bytes; its first lines give "
            f"{outcome['Event']} events, {outcome['BadRecord']} would be quarantined"
        )

    @property
    def path(self) -> Path:
        return Path(self.config.path).expanduser()

    def line_records(self, line: Line, pipeline: AlertPipeline) -> Iterator[Item]:
        if not line.data.strip():
            return
        place = f"{self.config.path} at byte {line.offset}"
        raw = line.data.decode("utf-8", errors="replace")
        if line.oversized:
            yield BadRecord(f"the line is longer than {MAX_LINE_BYTES} bytes", raw[:4000], place)
            return
        yield from self.alert_records(lambda: self.parse(line), raw, place, pipeline)

    @abstractmethod
    def parse(self, line: Line) -> Alert | Skipped:
        """The line's alert; a Skipped saying why it is left out; AlertError when it is bad."""


class WazuhFileConnector(TailConnector[WazuhFileConfig]):
    """Wazuh's alert JSON lines, as the manager appends them to ``alerts.json``."""

    def parse(self, line: Line) -> Alert | Skipped:
        alert = parse_wazuh_line(line.data)
        return alert if alert.level >= self.config.min_level else Skipped(BELOW_MIN_LEVEL)


class CefFileConnector(TailConnector[CefFileConfig]):
    """CEF lines, bare or behind a syslog header, as a syslog daemon writes them to a file."""

    def parse(self, line: Line) -> Alert | Skipped:
        text = line.data.decode("utf-8", errors="replace")
        if self.config.ignore_non_cef and find_cef(text) < 0:
            return Skipped(NOT_CEF)
        now = datetime.now(UTC)
        alert = cef_alert(text, line.position, self.config, self.config.zone, now)
        return alert if alert.level >= self.config.min_severity else Skipped(BELOW_MIN_SEVERITY)
