"""How each aggregation type combines values: across time, and across units.

DESIGN.md, "Aggregation semantics", in code:

| type                 | across units | across time       |
| -------------------- | ------------ | ----------------- |
| SUM                  | sum          | sum               |
| AVERAGE              | mean         | day-weighted mean |
| AVERAGE_SUM_UNITS    | sum          | day-weighted mean |
| LAST                 | sum          | last              |
| LAST_AVERAGE_UNITS   | mean         | last              |
| MIN / MAX            | min / max    | min / max         |
| NONE                 | not aggregated                   |
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from hub.aggregation import exact
from hub.plugins.definitions import Aggregation


class Over(StrEnum):
    """One way of combining values."""

    SUM = "sum"
    MEAN = "mean"  # across time: weighted by the days each value covers
    LAST = "last"
    MIN = "min"
    MAX = "max"


@dataclass(frozen=True)
class Rule:
    """An aggregation type as two steps: over a unit's own series, then across units."""

    aggregation: Aggregation
    time: Over
    units: Over

    @property
    def needs_extremes(self) -> bool:
        """Whether the roll-ups must keep the lowest and highest values below each unit."""
        return self.units in (Over.MIN, Over.MAX)


RULES: dict[Aggregation, Rule] = {
    rule.aggregation: rule
    for rule in (
        Rule(Aggregation.SUM, Over.SUM, Over.SUM),
        Rule(Aggregation.AVERAGE, Over.MEAN, Over.MEAN),
        Rule(Aggregation.AVERAGE_SUM_UNITS, Over.MEAN, Over.SUM),
        Rule(Aggregation.LAST, Over.LAST, Over.SUM),
        Rule(Aggregation.LAST_AVERAGE_UNITS, Over.LAST, Over.MEAN),
        Rule(Aggregation.MIN, Over.MIN, Over.MIN),
        Rule(Aggregation.MAX, Over.MAX, Over.MAX),
    )
}


def rule_of(aggregation: str) -> Rule | None:
    """The rule of an aggregation type; None for NONE (not aggregated)."""
    return RULES.get(Aggregation(aggregation))


def across_units(aggregation: str, parts: Sequence[tuple[float, float]]) -> float | None:
    """Values of several units combined by the rule across units; None when there are none.

    ``parts``: (share, value) of each unit, the share of it that counts (1 for a whole unit;
    less for a unit divided by a reform). A sum adds the shares of the values, a mean
    weighs each value by its share, an extreme takes the extreme. NONE is not combined:
    a single whole unit's value is itself, anything else None.
    """
    if not parts:
        return None
    rule = rule_of(aggregation)
    if rule is None:
        return parts[0][1] if len(parts) == 1 and parts[0][0] >= WHOLE else None
    values = [value for _, value in parts]
    if rule.units is Over.SUM:
        return exact.total(exact.multiply(value, share) for share, value in parts)
    if rule.units is Over.MEAN:
        return exact.weighted_mean((value, share) for share, value in parts)
    return min(values) if rule.units is Over.MIN else max(values)


WHOLE = 1 - 1e-9
"""A share this close to 1 is a whole unit."""
