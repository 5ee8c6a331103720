"""A connector kind that reads one whole document (a URL or a file) and turns it into records.

Subclass :class:`DocumentConnector`, give it a config deriving from :class:`DocumentConfig`
and write two methods: :meth:`~DocumentConnector.items` (the document's records, bad records
saying what could not be read) and :meth:`~DocumentConnector.describe` (a one-line summary;
ValueError when the document is unusable). The kit does the rest:

- the document is read by :func:`hub.connectors.sources.fetch` (HTTP faults judged by the one
  table, authentication by :class:`~hub.connectors.http.HttpAuth`);
- each run checkpoints the document's version (ETag, Last-Modified, SHA-256): an incremental
  run asks an HTTP server for a newer version only (conditional GET) and skips a document
  whose content has not changed; ``--full`` reads it whatever the state says;
- ``check()`` reads the document and says what it holds and how many of its records would be
  stored or quarantined.
"""

from __future__ import annotations

from abc import abstractmethod
from collections import Counter
from collections.abc import Iterable, Iterator
from typing import Any, ClassVar, TypeVar
from urllib.parse import urlsplit

from pydantic import Field

from hub.connectors.base import Connector
from hub.connectors.errors import PermanentSourceError
from hub.connectors.http import HttpAuth, describe_location, with_query
from hub.connectors.records import BadRecord, Checkpoint, Item
from hub.connectors.sources import Fetched, fetch


class DocumentConfig(HttpAuth):
    """A whole document read at once: an ``http(s)://`` URL, a ``file://`` URL or a path."""

    location: str = Field(min_length=1)


DocumentConfigT = TypeVar("DocumentConfigT", bound=DocumentConfig)


class DocumentConnector(Connector[DocumentConfigT]):
    """A kind that reads one whole document and turns it into records (see the module doc):
    ``class Datex2Connector(DocumentConnector[Datex2Config])``."""

    accept: ClassVar[str] = "*/*"
    """The media types to ask an HTTP server for (SDMX services negotiate the format)."""
    record_names: ClassVar[dict[str, str]] = {
        "Observation": "observations",
        "Facility": "facilities",
        "Event": "events",
    }
    """How :meth:`outcome` names each record type it counts (a zero count is left out)."""
    always_counted: ClassVar[tuple[str, ...]] = ()
    """Record types :meth:`outcome` counts even when none came."""

    def read(self, state: dict[str, Any], full: bool) -> Iterator[Item]:
        fetched = self.fetch_document({} if full else state)
        if not full and (fetched.not_modified or fetched.sha256 == state.get("sha256")):
            yield Checkpoint({**state, **fetched.version()})
            return
        yield from self.items(fetched.content)
        yield Checkpoint(fetched.version())

    def check(self) -> str:
        """What the document holds, and how many of its records would be quarantined."""
        content = self.fetch_document({}).content
        try:
            summary = self.describe(content)
        except ValueError as problem:
            raise PermanentSourceError(
                f"{describe_location(self.config.location)}: {problem}"
            ) from None
        return f"{summary}; {self.outcome(self.items(content))}"

    @abstractmethod
    def items(self, content: bytes) -> Iterator[Item]:
        """The document's records, and bad records saying what could not be read."""

    @abstractmethod
    def describe(self, content: bytes) -> str:
        """A one-line summary of the document; ValueError when it is unusable."""

    def fetch_document(self, state: dict[str, Any]) -> Fetched:
        """The document, conditionally on the version in ``state`` (its ETag, Last-Modified)."""
        location = self.config.location
        if urlsplit(location).scheme.lower() in ("http", "https"):
            location = with_query(location, self.config.request_params())
        return fetch(
            location,
            self.context.http_timeout,
            {"Accept": self.accept, **self.config.request_headers()},
            etag=state.get("etag"),
            last_modified=state.get("last_modified"),
        )

    def outcome(self, items: Iterable[Item]) -> str:
        """How many records of each type and bad records ``items`` holds, and the first
        problem: "4 events, 1 would be quarantined (first: …)"."""
        counted: Counter[str] = Counter()
        first_problem = None
        for item in items:
            counted[type(item).__name__] += 1
            if first_problem is None and isinstance(item, BadRecord):
                first_problem = item.reason
        found = ", ".join(
            f"{counted[name]} {plural}"
            for name, plural in self.record_names.items()
            if counted[name] or name in self.always_counted
        )
        text = f"{found or 'no records'}, {counted['BadRecord']} would be quarantined"
        if counted["Skipped"]:
            text += f", {counted['Skipped']} skipped"
        return f"{text} (first: {first_problem})" if first_problem else text
