"""Who could have reported: the units behind ``unitsExpected``."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from datetime import date

from hub.aggregation.hierarchy import Hierarchy, Unit
from hub.aggregation.territory import Piece


class Reporters:
    """The units of a territory that could report a metric, to count those of a period.

    They are the units of a level the metric is reported at with no such unit beneath them
    (a district counts only where it has no communes), that existed during the period. For a
    stock, the period is its last day: the units whose stock the value is.
    """

    def __init__(
        self, hierarchy: Hierarchy, pieces: Iterable[Piece], levels: frozenset[str]
    ) -> None:
        units = hierarchy.units
        candidates = {
            unit
            for piece in pieces
            for unit in hierarchy.subtree(piece.unit_id)
            if units[unit].level.value in levels
        }
        # Most units share one of a few validity intervals: count them by interval.
        self.alone: Counter[tuple[date | None, date | None]] = Counter()
        self.above: list[tuple[Unit, list[Unit]]] = []
        for unit in candidates:
            beneath = [units[b] for b in hierarchy.subtree(unit)[1:] if b in candidates]
            if beneath:
                self.above.append((units[unit], beneath))
            else:
                self.alone[(units[unit].valid_from, units[unit].valid_to)] += 1

    def count(self, start: date, end: date) -> int:
        found = sum(
            n
            for (first, last), n in self.alone.items()
            if (first is None or first <= end) and (last is None or start <= last)
        )
        return found + sum(
            1
            for unit, beneath in self.above
            if unit.valid_during(start, end)
            and not any(below.valid_during(start, end) for below in beneath)
        )
