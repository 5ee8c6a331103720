"""From what a source says to the hub's records: the mapping shared by every reader.

A reader turns its format into a stream of :class:`Layout` (a new block of data and the
dimensions it has), :class:`SourceValue` (one value with its source codes) and
:class:`~hub.connectors.records.BadRecord`. :func:`map_values` applies a :class:`Mapping` to
that stream and yields :class:`~hub.connectors.records.Observation` and ``BadRecord`` items.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from hub.connectors.records import BadRecord, Observation, Skipped
from hub.numbers import NumberConvention, NumberError, parse_number

from .config import MappingConfig, SdmxConfig

UNMAPPED = "indicator code not in metrics (skip_unmapped)"
NO_VALUE = "no value (an empty cell, NaN or a missing-value mark)"
IN_BAD_BLOCK = "value of a block quarantined whole (its dimensions cannot be mapped)"
TOTAL_CODES = frozenset({"_T", "_Z"})
"""SDMX codes for "total" and "not applicable": such a dimension adds no disaggregation."""

_GSO_CODE = re.compile(r"^(\d{2,5})(?:\s*[-–:.)]\s*\S.*|\s+\D.*)?$")


@dataclass(frozen=True, slots=True)
class Layout:
    """The start of a block of values (an SDMX data set, a CSV file, a sheet)."""

    dimensions: tuple[str, ...]
    """The source dimensions (other than time) every value of the block is keyed by."""
    place: str


@dataclass(frozen=True, slots=True)
class SourceValue:
    """One value as the source states it, before the mapping."""

    key: dict[str, str]
    """Source dimension id → source code, for every dimension but time."""
    period: str
    """The canonical period id (readers normalise the source's notation)."""
    value: Any
    place: str
    source_id: str | None = None
    delete: bool = False
    """The source asks to delete this value (an SDMX ``Delete`` action)."""
    unit_mult: int = 0
    """The power of ten the source says the value is in (SDMX ``UNIT_MULT``: 6, millions)."""


@dataclass(frozen=True)
class Mapping:
    """Source codes → metric, unit and disaggregations; see :class:`SdmxConfig`."""

    metric: str | None = None
    metric_dimension: str | None = None
    unit: str | None = None
    unit_dimension: str | None = None
    metrics: dict[str, str] = field(default_factory=dict)
    units: dict[str, str] = field(default_factory=dict)
    scale: dict[str, float] = field(default_factory=dict)
    fixed_dims: dict[str, str] = field(default_factory=dict)
    drop_dims: frozenset[str] = frozenset()
    dim_names: dict[str, str] = field(default_factory=dict)
    dim_values: dict[str, dict[str, str]] = field(default_factory=dict)
    skip_unmapped: bool = False
    calendar: str = "GREGORIAN"
    missing_values: frozenset[str] = frozenset()
    numbers: NumberConvention = NumberConvention.EN

    @classmethod
    def for_sdmx(cls, config: SdmxConfig) -> Mapping:
        return cls(
            metric=config.metric,
            metric_dimension=config.metric_dimension,
            unit=config.unit,
            unit_dimension=config.unit_dimension,
            drop_dims=frozenset(config.drop_dims),
            dim_names=config.dim_names,
            dim_values=config.dim_values,
            **_common(config),
        )

    @classmethod
    def for_table(
        cls,
        config: MappingConfig,
        metric: str | None,
        metric_dimension: str | None,
        unit_dimension: str,
        fixed_dims: dict[str, str],
        missing_values: Iterable[str] = (),
    ) -> Mapping:
        """A mapping for tabular sources whose reader names the unit and metric columns."""
        common = _common(config)
        common["fixed_dims"] = {**common["fixed_dims"], **fixed_dims}
        return cls(
            metric=metric,
            metric_dimension=metric_dimension,
            unit_dimension=unit_dimension,
            missing_values=frozenset(missing_values),
            **common,
        )

    def layout_problem(self, dimensions: Iterable[str]) -> str | None:
        """Why values keyed by ``dimensions`` cannot be mapped, or None."""
        present = set(dimensions)
        needed = [d for d in (self.metric_dimension, self.unit_dimension) if d]
        missing = [d for d in needed if d not in present]
        if missing:
            has = ", ".join(sorted(present)) or "none"
            return f"no {' or '.join(missing)} dimension (dimensions: {has})"
        return None

    def apply(self, item: SourceValue) -> Observation | BadRecord | Skipped:
        """The observation, a bad record saying why there is none, or a skip saying why."""
        metric = self.metric or self.metrics.get(item.key.get(self.metric_dimension or "", ""))
        if metric is None:
            return Skipped(UNMAPPED) if self.skip_unmapped else self._unmapped_metric(item)
        unit = self.unit or self.resolve_unit(item.key.get(self.unit_dimension or "", ""))
        if unit is None:
            return self._bad(item, self._unit_problem(item))
        if item.delete:
            return self._observation(item, metric, unit, None)
        try:
            value = self.number(item.value)
        except NumberError as exc:
            return self._bad(item, str(exc))
        except ValueError:
            return self._bad(item, f"{_show(item.value)} is not a number")
        if value is None:
            return Skipped(NO_VALUE)  # missing is not zero: no record
        if item.unit_mult:  # the decimal point moved, not a binary product: 3412.3456e9 exactly
            value = float(f"{value!r}e{item.unit_mult}")
        if metric in self.scale:
            value = value * self.scale[metric]
        return self._observation(item, metric, unit, value)

    def resolve_unit(self, code: str) -> str | None:
        """The GSO code of a source unit code or name, or None when there is none."""
        code = code.strip()
        found = self.units.get(code) or self._folded_units.get(fold(code))
        if found:
            return found
        match = _GSO_CODE.match(code)
        if not match:
            return None
        digits = match[1]
        # A 4-digit code is a commune code that lost its leading zero (a number cell).
        return digits.zfill(5) if len(digits) == 4 else digits

    def number(self, raw: Any) -> float | int | None:
        """A numeric value, None when the source says "no value"; ValueError otherwise."""
        if raw is None:
            return None
        if isinstance(raw, bool):
            raise ValueError(raw)
        if isinstance(raw, int | float):
            return None if math.isnan(raw) else _finite(raw)
        text = str(raw).strip()
        if not text or text.casefold() == "nan" or text in self.missing_values:
            return None
        try:
            return int(text)
        except ValueError:
            return parse_number(text, self.numbers)

    @cached_property
    def _folded_units(self) -> dict[str, str]:
        return {fold(name): code for name, code in self.units.items()}

    def _dims(self, key: dict[str, str]) -> dict[str, str]:
        dims = dict(self.fixed_dims)
        for dimension, code in key.items():
            if dimension in (self.metric_dimension, self.unit_dimension, *self.drop_dims):
                continue
            value = self.dim_values.get(dimension, {}).get(code, code)
            if not value or code in TOTAL_CODES or value in TOTAL_CODES:
                continue  # a total, or a dimension this value does not use
            dims[self.dim_names.get(dimension, dimension.lower())] = value
        return dims

    def _observation(
        self, item: SourceValue, metric: str, unit: str, value: float | int | None
    ) -> Observation:
        return Observation(
            metric=metric,
            unit=unit,
            period=item.period,
            value=value,
            dims=self._dims(item.key),
            calendar=self.calendar,
            source_id=item.source_id,
            place=item.place,
        )

    def _unmapped_metric(self, item: SourceValue) -> BadRecord:
        code = item.key.get(self.metric_dimension or "")
        return self._bad(
            item,
            f"indicator code {code!r} ({self.metric_dimension}) is not in the metrics mapping",
        )

    def _unit_problem(self, item: SourceValue) -> str:
        code = item.key.get(self.unit_dimension or "", "")
        if not code.strip():
            return f"no unit ({self.unit_dimension} is empty)"
        return (
            f"unit {code!r} ({self.unit_dimension}) is neither in the units mapping nor a GSO code"
        )

    def _bad(self, item: SourceValue, problem: str) -> BadRecord:
        payload = {"key": item.key, "period": item.period, "value": jsonable(item.value)}
        if item.source_id:
            payload["source_id"] = item.source_id
        return BadRecord(f"{item.place}: {problem}", payload, item.place)


def map_values(
    items: Iterable[Layout | SourceValue | BadRecord], mapping: Mapping
) -> Iterator[Observation | BadRecord | Skipped]:
    """Apply ``mapping`` to a reader's stream; a block it cannot map is one bad record, and
    each of its values is counted as skipped."""
    usable = True
    for item in items:
        if isinstance(item, Layout):
            problem = mapping.layout_problem(item.dimensions)
            usable = problem is None
            if problem:
                payload = {"dimensions": list(item.dimensions)}
                yield BadRecord(f"{item.place}: skipped, {problem}", payload, item.place)
        elif isinstance(item, SourceValue):
            yield mapping.apply(item) if usable else Skipped(IN_BAD_BLOCK)
        else:
            yield item


def fold(text: str) -> str:
    """Text compared whatever its Unicode form, case and spacing (Vietnamese names)."""
    return " ".join(unicodedata.normalize("NFC", text).casefold().split())


def _common(config: MappingConfig) -> dict[str, Any]:
    return {
        "metrics": config.metrics,
        "units": config.units,
        "scale": config.scale,
        "fixed_dims": config.fixed_dims,
        "skip_unmapped": config.skip_unmapped,
        "calendar": config.calendar,
        "numbers": config.numbers,
    }


def _finite(value: float | int) -> float | int:
    if isinstance(value, float) and math.isinf(value):
        raise ValueError(value)
    return value


def _show(value: Any) -> str:
    text = repr(value) if isinstance(value, str) else str(value)
    return text if len(text) <= 60 else text[:57] + "..."


def jsonable(value: Any) -> Any:
    """A cell or field value fit for a bad record's JSON payload."""
    if value is None or isinstance(value, str | int | float | bool):
        return value
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)
