"""Definitions a plugin (or the config file) contributes: metrics, indicators, event kinds."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class Aggregation(StrEnum):
    """How a metric aggregates, across units and across time (see DESIGN.md)."""

    SUM = "SUM"
    AVERAGE = "AVERAGE"
    AVERAGE_SUM_UNITS = "AVERAGE_SUM_UNITS"
    LAST = "LAST"
    LAST_AVERAGE_UNITS = "LAST_AVERAGE_UNITS"
    MIN = "MIN"
    MAX = "MAX"
    NONE = "NONE"


@dataclass(frozen=True)
class MetricDefinition:
    """Something counted or measured."""

    code: str
    name: str
    sector: str
    aggregation: Aggregation = Aggregation.SUM
    unit: str | None = None
    disaggregations: tuple[str, ...] = ()
    carry_forward_months: int | None = None
    description: str | None = None


@dataclass(frozen=True)
class IndicatorDefinition:
    """A derived figure: ``factor * numerator / denominator``, over aggregated metrics.

    ``numerator`` and ``denominator`` are arithmetic expressions over metric codes and
    ``days`` (the number of days in the period).
    """

    code: str
    name: str
    numerator: str
    denominator: str | None = None
    factor: float = 1.0
    sector: str | None = None
    unit: str | None = None
    description: str | None = None


@dataclass(frozen=True)
class EventKindDefinition:
    """A kind of event, e.g. ``feedback.case``, and the metrics counting it yields."""

    code: str
    name: str
    sector: str
    statuses: tuple[str, ...] = ()
    attributes: dict[str, Any] = field(default_factory=dict)
