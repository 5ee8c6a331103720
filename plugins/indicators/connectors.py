"""The connector kinds of the indicators plugin: ``sdmx-json``, ``sdmx-csv`` and ``excel``.

Each reads one document (see :class:`hub.connectors.document.DocumentConnector`: a URL or a
file, its version checkpointed, an unchanged document skipped) and maps its values to
observations (see :mod:`mapping`).
"""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Iterator
from typing import ClassVar, TypeVar

from hub.connectors.document import DocumentConnector
from hub.connectors.http import describe_location
from hub.connectors.records import BadRecord, Item, Observation, Skipped

from .config import ExcelConfig, MappingConfig, SdmxConfig, SdmxCsvConfig
from .excel import METRIC, UNIT, Malformed, Workbook, describe_workbook
from .excel import read_sheet as read_excel_sheet
from .mapping import Mapping, map_values
from .sdmx_csv import describe_sdmx_csv, read_sdmx_csv
from .sdmx_json import describe_sdmx_json, read_sdmx_json

Mapped = Observation | BadRecord | Skipped


MappingConfigT = TypeVar("MappingConfigT", bound=MappingConfig)


class MappedDocument(DocumentConnector[MappingConfigT]):
    """A document whose values the config's mapping turns into observations."""

    record_names: ClassVar[dict[str, str]] = {"Observation": "values map to observations"}
    always_counted: ClassVar[tuple[str, ...]] = ("Observation",)

    def items(self, content: bytes) -> Iterator[Item]:
        return self.observations(content)

    @abstractmethod
    def observations(self, content: bytes) -> Iterator[Mapped]:
        """The document's values as observations, or bad records saying why not."""


class SdmxJsonConnector(MappedDocument[SdmxConfig]):
    """An SDMX-JSON data message (2.x or 1.0; time-series, cross-section or flat layout),
    e.g. from a statistics office's SDMX REST API or an exchange file."""

    accept: ClassVar[str] = "application/vnd.sdmx.data+json, application/json;q=0.9, */*;q=0.1"

    def observations(self, content: bytes) -> Iterator[Mapped]:
        items = read_sdmx_json(content, self.config.time_dimension, self.config.measure)
        return map_values(items, Mapping.for_sdmx(self.config))

    def describe(self, content: bytes) -> str:
        return describe_sdmx_json(content)


class SdmxCsvConnector(MappedDocument[SdmxCsvConfig]):
    """An SDMX-CSV file (version 1 with DATAFLOW, or version 2 with STRUCTURE and ACTION)."""

    accept: ClassVar[str] = "application/vnd.sdmx.data+csv, text/csv;q=0.9, */*;q=0.1"

    def observations(self, content: bytes) -> Iterator[Mapped]:
        c = self.config
        items = read_sdmx_csv(content, c.time_dimension, c.measure, c.dimensions)
        return map_values(items, Mapping.for_sdmx(c))

    def describe(self, content: bytes) -> str:
        c = self.config
        return describe_sdmx_csv(content, c.time_dimension, c.measure, c.dimensions)


class ExcelConnector(MappedDocument[ExcelConfig]):
    """An Excel workbook (.xlsx) whose sheets list units down and periods across, as the
    province's departments keep their socio-economic report tables."""

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
