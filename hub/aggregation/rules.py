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

from dataclasses import dataclass
from enum import StrEnum

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
