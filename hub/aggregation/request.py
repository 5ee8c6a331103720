"""What an ``aggregate`` query asks for and what it answers (API.md, ``aggregate``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from hub.model import AdminLevel, AdminUnit
from hub.periods import Calendar, PeriodType


@dataclass(frozen=True)
class AggregateRequest:
    """A metric or indicator, rolled up to some units and to periods of one type.

    The units are every unit of ``level`` inside ``within`` (by default the deployment's
    province, else everywhere), or exactly ``units``, or ``within`` itself when neither is
    given; all read on the hierarchy valid on ``as_of`` (by default today in Vietnam).
    ``start`` and ``end`` are period ids of ``period_type``, both included.
    """

    metric: str
    period_type: PeriodType
    start: str
    end: str
    calendar: Calendar = Calendar.GREGORIAN
    level: AdminLevel | None = None
    within: str | None = None
    units: tuple[str, ...] | None = None
    by: tuple[str, ...] = ()
    as_of: date | None = None


@dataclass(frozen=True)
class AggregateValue:
    """One value of the answer: a unit, a period and, with ``by``, a group of cells."""

    unit: AdminUnit
    period: str
    value: float | None
    """None when nothing was reported."""
    dims: dict[str, str | None] | None
    """The group's values of the ``by`` disaggregations; None without ``by``."""
    units_reporting: int
    """How many units were behind the value."""
    units_expected: int
    """How many units existed during the period (at its end, for a stock) and could report."""
    estimated: bool
    """Whether part of the value comes from a unit divided between several (a split)."""
    parts_value: float | None = None
    """Where the figures the value follows stand over others (the unit's own figure over its
    parts', a total over its breakdown, a longer period over shorter ones) and the two
    disagree by more than half a percent, what those others give; None otherwise."""


@dataclass(frozen=True)
class Limits:
    """What a deployment allows (``[aggregation]`` in the config)."""

    max_values: int = 10_000
    default_within: str | None = None
