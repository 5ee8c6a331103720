"""The aggregation rules computed plainly, to check the hub against.

Nothing here uses ``hub.aggregation``: a value is a (unit, first day, last day, cell, value)
and a period is a first and a last day. The rules are DESIGN.md's, written the obvious way:
for each unit and cell, its values lying inside the period are combined over time; then the
results of every unit and cell are combined across units.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta

ACROSS_TIME = {
    "SUM": "sum",
    "AVERAGE": "mean",
    "AVERAGE_SUM_UNITS": "mean",
    "LAST": "last",
    "LAST_AVERAGE_UNITS": "last",
    "MIN": "min",
    "MAX": "max",
}
ACROSS_UNITS = {
    "SUM": "sum",
    "AVERAGE": "mean",
    "AVERAGE_SUM_UNITS": "sum",
    "LAST": "sum",
    "LAST_AVERAGE_UNITS": "mean",
    "MIN": "min",
    "MAX": "max",
}


@dataclass(frozen=True)
class Value:
    unit: str
    start: date
    end: date
    value: float
    cell: tuple[tuple[str, str], ...] = ()

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1


@dataclass
class Expected:
    value: float | None
    reporting: int
    cells: dict[tuple[tuple[str, str], ...], float] = field(default_factory=dict)


def over_time(how: str, values: list[Value]) -> float:
    if how == "sum":
        return sum(v.value for v in values)
    if how == "mean":
        return sum(v.value * v.days for v in values) / sum(v.days for v in values)
    if how == "last":
        return max(values, key=lambda v: v.end).value
    return min(v.value for v in values) if how == "min" else max(v.value for v in values)


def across(how: str, numbers: list[float]) -> float:
    if how == "sum":
        return sum(numbers)
    if how == "mean":
        return sum(numbers) / len(numbers)
    return min(numbers) if how == "min" else max(numbers)


def months_before(day: date, months: int) -> date:
    """The same day ``months`` months earlier (the month's last day if it has fewer days)."""
    index = day.year * 12 + day.month - 1 - months
    year, month = index // 12, index % 12 + 1
    last = (date(year + month // 12, month % 12 + 1, 1) - timedelta(days=1)).day
    return date(year, month, min(day.day, last))


def expected(
    aggregation: str,
    values: Iterable[Value],
    units: set[str],
    start: date,
    end: date,
    carry_months: int = 0,
    keep: Iterable[str] = (),
) -> Expected:
    """The value over ``units`` for the period ``start``–``end``; per group if ``keep``."""
    keep = tuple(sorted(keep))
    series: dict[tuple[str, tuple[tuple[str, str], ...]], list[Value]] = defaultdict(list)
    for value in values:
        if value.unit in units:
            series[(value.unit, value.cell)].append(value)
    per_unit: dict[tuple[str, ...], dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
    how = ACROSS_TIME[aggregation]
    for (unit, cell), unit_values in series.items():
        inside = [v for v in unit_values if v.start >= start and v.end <= end]
        if how == "last" and carry_months and not inside:
            window = months_before(end, carry_months)  # at most that old at the period's end
            inside = [v for v in unit_values if window <= v.end < start]
        if inside:
            group = tuple(value for name, value in cell if name in keep)
            per_unit[group][unit].append(over_time(how, inside))
    groups = {}
    for group, by_unit in per_unit.items():
        numbers = [number for numbers in by_unit.values() for number in numbers]
        groups[group] = (across(ACROSS_UNITS[aggregation], numbers), len(by_unit))
    if not keep:
        value, reporting = groups.get((), (None, 0))
        return Expected(value, reporting)
    return Expected(None, 0, {group: value for group, (value, _) in groups.items()})
