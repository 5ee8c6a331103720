"""The connector kinds of the indicators plugin: ``sdmx-json``, ``sdmx-csv`` and ``excel``.

Each reads one document (a URL or a file, see :func:`hub.connectors.sources.fetch`), maps its
values to observations (see :mod:`mapping`), and checkpoints the document's version: its ETag,
Last-Modified and SHA-256. An incremental run asks the server for a newer version only
(conditional GET) and skips a document whose content has not changed; ``--full`` reads it again
whatever the state says.
"""

from __future__ import annotations

from abc import abstractmethod
from collections import Counter
from collections.abc import Iterable, Iterator
from typing import Any, ClassVar

from hub.connectors.base import Connector
from hub.connectors.errors import PermanentSourceError
from hub.connectors.records import BadRecord, Checkpoint, Item, Observation, Skipped
from hub.connectors.sources import Fetched, describe_location, fetch

from .config import ExcelConfig, MappingConfig, SdmxConfig, SdmxCsvConfig
from .excel import METRIC, UNIT, Malformed, Workbook, describe_workbook
from .excel import read_sheet as read_excel_sheet
from .mapping import Mapping, map_values
from .sdmx_csv import describe_sdmx_csv, read_sdmx_csv
from .sdmx_json import describe_sdmx_json, read_sdmx_json

Mapped = Observation | BadRecord | Skipped


class DocumentConnector(Connector):
    """A connector that reads one whole document and maps its values to observations."""

    config: MappingConfig
    accept: ClassVar[str] = "*/*"
    """The media types to ask an HTTP server for (SDMX services negotiate the format)."""

    def read(self, state: dict[str, Any], full: bool) -> Iterator[Item]:
        fetched = self._fetch({} if full else state)
        if not full and _unchanged(fetched, state):
            yield Checkpoint({**state, **fetched.version()})
            return
        yield from self.observations(fetched.content)
        yield Checkpoint(fetched.version())

    def check(self) -> str:
        """What the document holds, and how many of its values the mapping turns into records."""
        fetched = self._fetch({})
        try:
            summary = self.describe(fetched.content)
        except ValueError as exc:
            where = describe_location(self.config.location)
            raise PermanentSourceError(f"{where}: {exc}") from None
        return f"{summary}; {_mapping_outcome(self.observations(fetched.content))}"

    @abstractmethod
    def observations(self, content: bytes) -> Iterator[Mapped]:
        """The document's values as observations, or bad records saying why not."""

    @abstractmethod
    def describe(self, content: bytes) -> str:
        """A one-line summary of the document; ValueError when it is unusable."""

    def _fetch(self, state: dict[str, Any]) -> Fetched:
        return fetch(
            self.config.location,
            self.context.http_timeout,
            {"Accept": self.accept, **self.config.request_headers()},
            etag=state.get("etag"),
            last_modified=state.get("last_modified"),
        )


class SdmxJsonConnector(DocumentConnector):
    """An SDMX-JSON data message (2.x or 1.0; time-series, cross-section or flat layout),
    e.g. from a statistics office's SDMX REST API or an exchange file."""

    kind: ClassVar[str] = "sdmx-json"
    description: ClassVar[str] = "SDMX-JSON data message (statistics exchange)"
    accept: ClassVar[str] = "application/vnd.sdmx.data+json, application/json;q=0.9, */*;q=0.1"
    config_model = SdmxConfig
    config: SdmxConfig

    def observations(self, content: bytes) -> Iterator[Mapped]:
        items = read_sdmx_json(content, self.config.time_dimension, self.config.measure)
        return map_values(items, Mapping.for_sdmx(self.config))

    def describe(self, content: bytes) -> str:
        return describe_sdmx_json(content)


class SdmxCsvConnector(DocumentConnector):
    """An SDMX-CSV file (version 1 with DATAFLOW, or version 2 with STRUCTURE and ACTION)."""

    kind: ClassVar[str] = "sdmx-csv"
    description: ClassVar[str] = "SDMX-CSV file (statistics exchange)"
    accept: ClassVar[str] = "application/vnd.sdmx.data+csv, text/csv;q=0.9, */*;q=0.1"
    config_model = SdmxCsvConfig
    config: SdmxCsvConfig

    def observations(self, content: bytes) -> Iterator[Mapped]:
        c = self.config
        items = read_sdmx_csv(content, c.time_dimension, c.measure, c.dimensions)
        return map_values(items, Mapping.for_sdmx(c))

    def describe(self, content: bytes) -> str:
        c = self.config
        return describe_sdmx_csv(content, c.time_dimension, c.measure, c.dimensions)


class ExcelConnector(DocumentConnector):
    """An Excel workbook (.xlsx) whose sheets list units down and periods across, as the
    province's departments keep their socio-economic report tables."""

    kind: ClassVar[str] = "excel"
    description: ClassVar[str] = "Excel workbook: units down, periods across"
    config_model = ExcelConfig
    config: ExcelConfig

    def observations(self, content: bytes) -> Iterator[Mapped]:
        try:
            workbook = Workbook(content)
        except Malformed as exc:
            yield BadRecord(f"workbook: {exc}", {"location": self._where()}, "workbook")
            return
        try:
            for sheet in self.config.sheets:
                mapping = Mapping.for_table(
                    self.config,
                    metric=sheet.metric,
                    metric_dimension=METRIC if sheet.metric_column else None,
                    unit_dimension=UNIT,
                    fixed_dims=sheet.fixed_dims,
                    missing_values=sheet.missing_values,
                )
                yield from map_values(read_excel_sheet(workbook, sheet), mapping)
        finally:
            workbook.close()

    def describe(self, content: bytes) -> str:
        return describe_workbook(content, self.config.sheets)

    def _where(self) -> str:
        return describe_location(self.config.location)


CONNECTOR_KINDS: list[type[Connector]] = [SdmxJsonConnector, SdmxCsvConnector, ExcelConnector]


def _unchanged(fetched: Fetched, state: dict[str, Any]) -> bool:
    return fetched.not_modified or fetched.sha256 == state.get("sha256")


def _mapping_outcome(items: Iterable[Mapped]) -> str:
    outcome: Counter[str] = Counter()
    first_problem = None
    for item in items:
        outcome[type(item).__name__] += 1
        if isinstance(item, BadRecord) and first_problem is None:
            first_problem = item.reason
    text = (
        f"{outcome['Observation']} values map to observations, "
        f"{outcome['BadRecord']} would be quarantined"
        + (f", {outcome['Skipped']} skipped" if outcome["Skipped"] else "")
    )
    return f"{text} (first: {first_problem})" if first_problem else text
