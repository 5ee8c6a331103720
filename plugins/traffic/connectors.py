"""The batch connector kinds: ``accidents-csv``, ``accidents-rest``, ``datex2``, ``events-jsonl``.

The document kinds read one whole document (see
:class:`hub.connectors.document.DocumentConnector`: a URL or a file, its version checkpointed,
an unchanged document skipped). Re-reading a changed document writes every accident again, which
the hub's upserts by (source, id) make harmless. ``--full`` reads it whatever the state says.
The streaming ``mqtt`` kind is in :mod:`.mqtt`.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, ClassVar

from hub.connectors.base import Connector
from hub.connectors.document import DocumentConnector
from hub.connectors.records import Item

from .accidents_csv import describe_csv, read_csv_accidents
from .accidents_rest import AccidentPages
from .cameras import load_registry
from .config import (
    AccidentsCsvConfig,
    AccidentsRestConfig,
    Datex2Config,
    EventsFileConfig,
)
from .datex2 import describe_datex2, read_datex2
from .messages import MessageMapper


class AccidentsCsvConnector(DocumentConnector[AccidentsCsvConfig]):
    """The police system's accident export as a CSV file, columns named by the config."""

    accept: ClassVar[str] = "text/csv, */*;q=0.5"

    def items(self, content: bytes) -> Iterator[Item]:
        return read_csv_accidents(content, self.config)

    def describe(self, content: bytes) -> str:
        return describe_csv(content, self.config)


class Datex2Connector(DocumentConnector[Datex2Config]):
    """Accidents of a DATEX II SituationPublication (2.x or 3.x)."""

    accept: ClassVar[str] = "application/xml, text/xml;q=0.9, */*;q=0.5"

    def items(self, content: bytes) -> Iterator[Item]:
        return read_datex2(content)

    def describe(self, content: bytes) -> str:
        return describe_datex2(content)


class EventsFileConnector(DocumentConnector[EventsFileConfig]):
    """Camera and sensor messages exported as JSON lines (one message a line), mapped as the
    ``mqtt`` kind maps them; the cameras of the registry as facilities."""

    def items(self, content: bytes) -> Iterator[Item]:
        registry = load_registry(self.config.camera_registry, self.context.http_timeout)
        yield from registry.items()
        mapper = MessageMapper(self.config, registry.cameras)
        for number, line in enumerate(content.splitlines(), start=1):
            if line.strip():
                yield mapper.item(line, f"line {number}")

    def describe(self, content: bytes) -> str:
        lines = sum(1 for line in content.splitlines() if line.strip())
        return f"a JSON-lines file of {lines} messages"


class AccidentsRestConnector(Connector[AccidentsRestConfig]):
    """The police system's accident API: JSON pages of accidents changed since a time."""

    def read(self, state: dict[str, Any], full: bool) -> Iterator[Item]:
        return self._pages().read({} if full else state)

    def check(self) -> str:
        """Reads the first page of everything the API holds."""
        items = self._pages().first_page()
        return f"the API answered with {len(items)} accidents on its first page"

    def _pages(self) -> AccidentPages:
        return AccidentPages(self.config, self.context.http_timeout)
