"""The config models of the indicators connector kinds (the ``[connectors.<id>]`` tables).

Every kind reads one document (:class:`SourceConfig`) and maps source codes to the hub's
metrics, units and disaggregations (:class:`MappingConfig`). See README.md for examples.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from hub.connectors.document import DocumentConfig
from hub.numbers import NumberConvention
from hub.units.codes import GsoCode

from .periods import DateHeaders

Calendar = Literal["GREGORIAN", "ND09"]


class SourceConfig(DocumentConfig):
    """Where the document is (an ``http(s)://`` URL, a ``file://`` URL or a local path), and
    how to authenticate (see :class:`~hub.connectors.http.HttpAuth`)."""


class MappingConfig(SourceConfig):
    """How source codes become metrics, units and disaggregations."""

    metrics: dict[str, str] = Field(default_factory=dict)
    """Source indicator code → metric code, e.g. ``{"B1GQ" = "grdp"}``."""
    units: dict[str, GsoCode] = Field(default_factory=dict)
    """Source unit code or name → GSO code, e.g. ``{"VN-KT" = "62"}``. A source code that is
    already a GSO code (2, 3 or 5 digits) needs no entry."""
    scale: dict[str, float] = Field(default_factory=dict)
    """Metric code → factor every value of that metric is multiplied by (e.g. 0.001)."""
    fixed_dims: dict[str, str] = Field(default_factory=dict)
    """Disaggregations added to every observation, e.g. ``{"price_basis" = "current"}``."""
    skip_unmapped: bool = False
    """Skip values whose indicator code is not in ``metrics`` instead of quarantining them."""
    calendar: Calendar = "GREGORIAN"
    """``ND09`` when the source's periods are the reporting periods of Decree 09/2019."""
    numbers: NumberConvention = NumberConvention.EN
    """How the source writes numbers as text: ``vi`` (``1.234.567,5``) or ``en``
    (``1,234,567.5``); see :mod:`hub.numbers`. SDMX is written ``en``; a workbook of a
    Vietnamese office ``vi`` (the Excel kind's default)."""

    @field_validator("scale")
    @classmethod
    def _scales_are_finite(cls, value: dict[str, float]) -> dict[str, float]:
        for metric, factor in value.items():
            if factor != factor or factor in (float("inf"), float("-inf")):
                raise ValueError(f"scale of {metric!r} must be a finite number")
        return value


class SdmxConfig(MappingConfig):
    """SDMX sources: which dimension holds what.

    The metric comes from ``metric_dimension`` through ``metrics`` (or is ``metric`` for
    every value), the unit from ``unit_dimension`` through ``units`` (or is ``unit``). Every
    other dimension, except the time dimension and ``drop_dims``, becomes a disaggregation
    named ``dim_names.get(id, id.lower())`` whose value is recoded by ``dim_values``; the
    SDMX codes ``_T`` (total) and ``_Z`` (not applicable), and an empty value, add no
    disaggregation.
    """

    metric: str | None = None
    metric_dimension: str | None = None
    unit: str | None = None
    unit_dimension: str | None = None
    time_dimension: str = "TIME_PERIOD"
    measure: str = "OBS_VALUE"
    drop_dims: list[str] = Field(default_factory=lambda: ["FREQ"])
    dim_names: dict[str, str] = Field(default_factory=dict)
    dim_values: dict[str, dict[str, str]] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _metric_and_unit_are_given(self) -> SdmxConfig:
        _exactly_one(self.metric, self.metric_dimension, "metric", "metric_dimension")
        _exactly_one(self.unit, self.unit_dimension, "unit", "unit_dimension")
        if self.metric_dimension and not self.metrics and not self.skip_unmapped:
            raise ValueError("metric_dimension needs a metrics mapping (source code → metric)")
        return self


class SdmxCsvConfig(SdmxConfig):
    """SDMX-CSV files: as SDMX sources, and which columns are dimensions if need be."""

    dimensions: list[str] | None = None
    """The dimension columns, when they are not simply the columns before the measure."""


class SheetLayout(BaseModel):
    """One sheet of a workbook: units down, periods across."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str | None = None
    """The sheet's name; the first sheet when not given."""
    header_row: int = Field(1, ge=1)
    """The row of period headers."""
    unit_column: str = "A"
    """The column of unit codes and/or names (``608``, ``608 - Thành phố Kon Tum``, or a name
    listed in ``units``)."""
    first_data_column: str = "B"
    last_data_column: str | None = None
    """The last column read (default: the last one with a header or a value)."""
    last_row: int | None = Field(None, ge=1)
    metric: str | None = None
    """The metric of every value in the sheet ..."""
    metric_column: str | None = None
    """... or the column holding each row's source indicator code (mapped by ``metrics``)."""
    fixed_dims: dict[str, str] = Field(default_factory=dict)
    date_headers: DateHeaders = "month"
    """What a date in the header row means: the month holding it, or that day."""
    missing_values: list[str] = Field(default_factory=list)
    """Texts that mean "no value" in this sheet, e.g. ``["-", "..", "x"]``."""

    @field_validator("unit_column", "first_data_column", "last_data_column", "metric_column")
    @classmethod
    def _column_letters(cls, value: str | None) -> str | None:
        if value is not None and not (value.isascii() and value.isalpha() and len(value) <= 3):
            raise ValueError(f"{value!r} is not a column letter like 'A' or 'AB'")
        return value.upper() if value else value

    @model_validator(mode="after")
    def _metric_is_given(self) -> SheetLayout:
        _exactly_one(self.metric, self.metric_column, "metric", "metric_column")
        return self


class ExcelConfig(MappingConfig):
    """An Excel workbook: one or more sheets, each with its layout."""

    sheets: list[SheetLayout] = Field(min_length=1)
    numbers: NumberConvention = NumberConvention.VI
    """A number typed as text in a cell (``178.771``, ``1.595,4``) is read the Vietnamese
    way unless the workbook says ``en``; number cells are numbers whatever it says."""

    @model_validator(mode="after")
    def _metric_columns_have_a_mapping(self) -> ExcelConfig:
        uses_codes = any(sheet.metric_column for sheet in self.sheets)
        if uses_codes and not self.metrics and not self.skip_unmapped:
            raise ValueError("metric_column needs a metrics mapping (source code → metric)")
        return self


def _exactly_one(value: str | None, source: str | None, name: str, source_name: str) -> None:
    if (value is None) == (source is None):
        raise ValueError(f"give either {name} (the same for every value) or {source_name}")
