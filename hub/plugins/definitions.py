"""Definitions a plugin (or the config file) contributes: metrics, indicators, event kinds."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Any, TypedDict, Unpack


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
    levels_add_up: bool = False
    """Whether each unit's figure counts only what is its own (the reports a district files
    itself), so that the figures of every level add up. By default a unit's figure covers
    its territory and stands over its parts' (a province's row over its districts')."""
    name_vi: str | None = None
    """The name in Vietnamese, which the console shows first."""


@dataclass(frozen=True)
class IndicatorDefinition:
    """A derived figure: ``factor * numerator / denominator``, over aggregated metrics.

    ``numerator`` and ``denominator`` are arithmetic expressions over metric codes and
    ``days`` (the number of days in the period).

    ``zero_when_missing``: a metric the indicator reads that has no value counts as 0, as
    long as the denominator has data (some metric of it has a value). For a rate whose
    numerator is a count that a source leaves out when it is 0 (no case resolved on time),
    so that the rate reads 0, not null; without it the rate is null wherever a value is
    missing. Where the denominator has no data, the rate is null either way.
    """

    code: str
    name: str
    numerator: str
    denominator: str | None = None
    factor: float = 1.0
    sector: str | None = None
    unit: str | None = None
    description: str | None = None
    name_vi: str | None = None
    """The name in Vietnamese, which the console shows first."""
    zero_when_missing: bool = False


STOCK_CARRY_FORWARD_MONTHS = 12
"""How long a stock (a figure set once a year: beds, population, a plan) stands unrenewed."""


class Details(TypedDict, total=False):
    """What a metric built by :class:`Sector` may add to its code, unit and names."""

    dims: tuple[str, ...]
    """Its disaggregations (``MetricDefinition.disaggregations``)."""
    about: str
    """Its description."""


@dataclass(frozen=True)
class Sector:
    """The metrics and indicators of one sector in their common shapes::

        health = Sector("health")
        METRICS = [
            health.count("health_inpatient_days", "days", "Inpatient days", "Số ngày điều trị",
                         dims=("facility",)),
            health.stock("health_beds", "beds", "Hospital beds", "Số giường bệnh"),
        ]
        INDICATORS = [
            health.percent("health_bed_occupancy", "health_inpatient_days", "health_beds * days",
                           "Bed occupancy rate", "Công suất sử dụng giường bệnh"),
        ]

    ``name`` and ``name_vi`` are the definition's name in English and in Vietnamese (which the
    console shows first). Each builder gives the plain :class:`MetricDefinition` or
    :class:`IndicatorDefinition`; a definition of another shape is written as one of those,
    with ``sector=`` its name.
    """

    name: str

    def count(
        self, code: str, unit: str, name: str, name_vi: str | None = None, **more: Unpack[Details]
    ) -> MetricDefinition:
        """A count or flow of the period (cases, dossiers, revenue): summed over units and
        over time (``SUM``)."""
        return self.metric(code, unit, name, name_vi, Aggregation.SUM, **more)

    def stock(
        self, code: str, unit: str, name: str, name_vi: str | None = None, **more: Unpack[Details]
    ) -> MetricDefinition:
        """A level at a moment (beds, pupils, a year's plan): its latest value in the period,
        summed over units (``LAST``), carried forward :data:`STOCK_CARRY_FORWARD_MONTHS`."""
        built = self.metric(code, unit, name, name_vi, Aggregation.LAST, **more)
        return replace(built, carry_forward_months=STOCK_CARRY_FORWARD_MONTHS)

    def metric(
        self,
        code: str,
        unit: str,
        name: str,
        name_vi: str | None,
        aggregation: Aggregation,
        **more: Unpack[Details],
    ) -> MetricDefinition:
        """A metric of any aggregation (an index's ``AVERAGE``, a published rate's ``NONE``)."""
        dims, about = more.get("dims", ()), more.get("about")
        return MetricDefinition(
            code, name, self.name, aggregation, unit, dims, description=about, name_vi=name_vi
        )

    def ratio(
        self,
        code: str,
        numerator: str,
        denominator: str | None,
        unit: str,
        name: str,
        name_vi: str | None = None,
        *,
        factor: float = 1.0,
        about: str | None = None,
    ) -> IndicatorDefinition:
        """``factor * numerator / denominator`` (expressions over metric codes and ``days``;
        no denominator: the numerator alone, e.g. ``exports - imports``)."""
        return IndicatorDefinition(
            code, name, numerator, denominator, factor, self.name, unit, about, name_vi
        )

    def percent(
        self, code: str, part: str, whole: str, name: str, vi: str | None = None, about: str = ""
    ) -> IndicatorDefinition:
        """``part`` as a percentage of ``whole`` (factor 100, unit ``%``)."""
        return self.ratio(code, part, whole, "%", name, vi, factor=100, about=about or None)


@dataclass(frozen=True)
class EventMetric:
    """A metric counted from the events of one kind, per unit and day.

    Every event that matches ``where`` adds ``value`` to the metric, for the event's unit, on
    the day its ``date`` falls on (Vietnam time), kept apart by ``dims``. The hub keeps these
    counts up to date as events arrive and change, so they aggregate like any other metric.

    - ``date``: ``"occurred_at"``, or the name of an attribute holding an ISO date or date-time
      (e.g. ``"resolved_at"``); an event without it does not count.
    - ``where``: field → accepted values; fields are ``status``, ``severity`` or attributes.
    - ``value``: None counts 1; else the attribute whose number is added (e.g. days to resolve).
    - ``dims``: disaggregation name → field it is read from (``status``, ``severity`` or an
      attribute). The metric must declare those disaggregations.
    """

    metric: str
    date: str = "occurred_at"
    where: dict[str, tuple[Any, ...]] = field(default_factory=dict)
    value: str | None = None
    dims: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class EventKindDefinition:
    """A kind of event, e.g. ``feedback.case``, and the metrics counting it yields."""

    code: str
    name: str
    sector: str
    statuses: tuple[str, ...] = ()
    attributes: dict[str, Any] = field(default_factory=dict)
    metrics: tuple[EventMetric, ...] = ()


@dataclass(frozen=True)
class AlertRule:
    """When to raise an alert: on an event, or on a metric crossing a threshold.

    An **event rule** names ``event_kind`` (and optionally ``min_severity``): each stored
    event of that kind, at least that severe, raises one alert. A **threshold rule** names
    ``metric``, a ``period_type`` and ``level`` and a bound (``above`` and/or ``below``):
    whenever new data arrive, each unit of that level whose value for the period that
    received data crosses the bound raises one alert (e.g. dengue cases in a commune in a
    week above 20). ``severity`` runs from 1 (low) to 4 (critical).
    """

    code: str
    name: str
    severity: int = 3
    event_kind: str | None = None
    min_severity: int | None = None
    metric: str | None = None
    period_type: str = "WEEK"
    level: str = "COMMUNE"
    above: float | None = None
    below: float | None = None

    def problems(self) -> list[str]:
        """What is wrong with the rule as written (empty when it is usable)."""
        where = f"alert rule {self.code!r}"
        if (self.event_kind is None) == (self.metric is None):
            return [f"{where}: give either event_kind or metric"]
        if self.metric is not None and self.above is None and self.below is None:
            return [f"{where}: a threshold rule needs above or below"]
        if not 1 <= self.severity <= 4:
            return [f"{where}: severity runs from 1 (low) to 4 (critical)"]
        return []
