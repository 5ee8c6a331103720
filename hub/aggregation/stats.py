"""The state a roll-up row keeps: enough to combine values across units and eras later."""

from __future__ import annotations

from dataclasses import dataclass

from hub.aggregation import exact
from hub.aggregation.rules import Over, Rule


@dataclass(slots=True)
class Stat:
    """Values combined: their sum, how many, over how many units and days, and extremes.

    Counts are floats while a query combines pieces of territory by a fraction (a commune
    that was split counts for the share it gave); the stored rows hold whole numbers.
    """

    total: float = 0.0
    cells: float = 0.0
    units: float = 0.0
    days: float = 0.0
    low: float | None = None
    high: float | None = None

    @classmethod
    def of(cls, value: float, days: int) -> Stat:
        """One unit's one value, covering ``days`` days."""
        return cls(value, 1, 1, days, value, value)

    @property
    def empty(self) -> bool:
        return self.cells <= 0

    def add(self, other: Stat, fraction: float = 1.0) -> None:
        """Take ``other`` in, scaled by the share of its territory that counts here."""
        self.total = exact.add(self.total, exact.multiply(other.total, fraction))
        self.cells += fraction * other.cells
        self.units += other.units
        self.days += fraction * other.days
        if other.low is not None:
            self.low = other.low if self.low is None else min(self.low, other.low)
        if other.high is not None:
            self.high = other.high if self.high is None else max(self.high, other.high)

    def minus(self, other: Stat | None) -> Stat:
        """The change from ``other`` to this (extremes are not subtracted: they are recomputed)."""
        if other is None:
            return Stat(self.total, self.cells, self.units, self.days)
        return Stat(
            exact.add(self.total, -other.total),
            self.cells - other.cells,
            self.units - other.units,
            self.days - other.days,
        )

    def same_as(self, other: Stat | None) -> bool:
        return other is not None and (
            (self.total, self.cells, self.units, self.days, self.low, self.high)
            == (other.total, other.cells, other.units, other.days, other.low, other.high)
        )

    def value(self, rule: Rule) -> float | None:
        """The value across units: a sum, a mean over the cells, or an extreme."""
        if self.empty:
            return None
        if rule.units is Over.MEAN:
            return exact.divide(self.total, self.cells)
        if rule.units is Over.MIN:
            return self.low
        if rule.units is Over.MAX:
            return self.high
        return self.total

    @property
    def mean_days(self) -> float:
        """The days an average cell covers: how much a part of a period weighs in a mean."""
        return self.days / self.cells if self.cells > 0 else 0.0
