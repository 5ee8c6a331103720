"""Time first: one unit's own series aggregated over each period that holds its values.

The input is a unit's observations of one metric (one value per cell and period, the source
already chosen); the output is one :class:`Stat` per (period, cell, era): what the unit
adds to the roll-up rows of its ancestors, and its own answer to a query. For a metric with
disaggregations, each (period, era) also gets the cell ``*``: every cell of the unit
together.

Rules, per DESIGN.md:

- **sum** adds the values; **min**/**max** take the extreme;
- **mean** weighs each value by the days its period covers; a period without a value
  counts for nothing (missing is not zero);
- **last** takes the value whose period ends last; with a carry-forward horizon of ``h``
  months, an earlier value counts too if it is at most ``h`` months old at the period's end
  (a stock reported rarely still stands until it is that old).

Where a unit's figures overlap (a quarter and its months, a total and its breakdown, or a
figure of a unit above it), :mod:`hub.aggregation.overlaps` says which stand: the year of
H1, Q3 and Q4 is their sum, not H1's alone nor all of them added.

Values are kept apart by **era**, the map they were recorded on (0 before the first reform,
1 after it, …), so that a period spanning a reform can be read on either side of it.
"""

from __future__ import annotations

from bisect import bisect_left
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from hub.aggregation import exact
from hub.aggregation.keys import PeriodKey, enclosing_keys, period_key
from hub.aggregation.overlaps import Cover, covers_of, finest, may_overlap, standing
from hub.aggregation.rules import Over, Rule
from hub.aggregation.stats import Stat
from hub.periods import RANK, Calendar, Period, add_months, enclosing, next_period
from hub.periods import parse_period as _parse

ALL_CELLS = "*"

RowKey = tuple[PeriodKey, str, int]
"""(period key, dims key, era)."""


@dataclass(frozen=True, slots=True)
class Reading:
    """One observation as the roll-ups see it."""

    period: Period
    dims_key: str
    value: float
    era: int
    days: int = field(init=False)
    rank: int = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "days", self.period.days)
        object.__setattr__(self, "rank", RANK[self.period.type])


def key_period(key: PeriodKey) -> Period:
    return _parse(key[2], Calendar(key[0]))


def touched_periods(period: Period, rule: Rule, carry_months: int | None) -> set[PeriodKey]:
    """The roll-up periods whose values an observation of ``period`` can change."""
    keys = set()
    for outer in enclosing(period):
        keys.add(period_key(outer))
        if rule.time is Over.LAST and carry_months:
            keys.update(period_key(later) for later in _carried_into(outer, period, carry_months))
    return keys


def own_stats(
    readings: Iterable[Reading],
    rule: Rule,
    carry_months: int | None,
    with_all_cells: bool,
    wanted: set[PeriodKey] | None = None,
    above: Sequence[Reading] = (),
    finest: bool = False,
) -> dict[RowKey, Stat]:
    """One unit's series over each period holding its values: all of them, or ``wanted``.

    ``above``: figures of units above this one, which stand over its figures they hold.
    ``finest``: where its own figures overlap, read those that stand over no other instead
    of those nothing stands over (the quarters, not the half-year holding two of them; the
    breakdown, not its total): what its parts give (:func:`~overlaps.finest`).
    """
    readings = list(readings)
    covers = covers_of(readings, above, among_own=not finest)
    overlapping = finest and may_overlap(readings)
    inside: dict[PeriodKey, list[Reading]] = defaultdict(list)
    for reading in readings:
        for key in enclosing_keys(reading.period):
            inside[key].append(reading)
    carry = carry_months if rule.time is Over.LAST else None
    keys = wanted if wanted is not None else _keys_with_values(inside, carry)
    history = _history(inside) if carry else {}
    rows: dict[RowKey, Stat] = {}
    totals: dict[RowKey, Stat] = {}
    for key in keys:
        found = inside.get(key, [])
        looked_back = _looked_back(history, key, carry) if carry else []
        by_cell = _counted(found, covers, key, False, overlapping) + looked_back
        for (dims_key, era), chosen in _by_cell(by_cell).items():
            rows[(key, dims_key, era)] = _over_time(chosen, rule.time)
        if with_all_cells and (covers or overlapping):
            whole = _counted(found, covers, key, True, overlapping) + looked_back
            cells = {
                (key, dims_key, era): _over_time(chosen, rule.time)
                for (dims_key, era), chosen in _by_cell(whole).items()
            }
            totals.update(all_cells(cells))
    if with_all_cells:
        rows.update(totals if (covers or overlapping) else all_cells(rows))
    return rows


def _counted(
    found: list[Reading],
    covers: dict[Reading, Cover],
    key: PeriodKey,
    across_cells: bool,
    finest_only: bool,
) -> list[Reading]:
    """The readings of one period that count: those nothing stands over, or (``finest_only``)
    of those nothing above the unit stands over, the ones that stand over none."""
    counted = standing(found, covers, key, across_cells)
    return finest(counted, across_cells) if finest_only else counted


def all_cells(rows: dict[RowKey, Stat]) -> dict[RowKey, Stat]:
    """The ``*`` rows: each (period, era)'s cells of one unit together, one unit reporting."""
    together: dict[RowKey, Stat] = {}
    for (key, dims_key, era), stat in rows.items():
        if dims_key == ALL_CELLS:
            continue
        target = together.setdefault((key, ALL_CELLS, era), Stat())
        target.add(stat)
    for stat in together.values():
        stat.units = 1
    return together


def _keys_with_values(
    inside: dict[PeriodKey, list[Reading]], carry_months: int | None
) -> set[PeriodKey]:
    keys = set(inside)
    if carry_months:
        for key, readings in inside.items():
            latest = max(readings, key=lambda reading: reading.period.end).period
            keys.update(
                period_key(later) for later in _carried_into(key_period(key), latest, carry_months)
            )
    return keys


def _carried_into(outer: Period, period: Period, carry_months: int) -> list[Period]:
    """The periods after ``outer`` (of its kind) that a value of ``period`` may be carried to.

    A superset: :func:`_looked_back` decides exactly.
    """
    horizon = add_months(period.end, carry_months)
    later, found = next_period(outer), []
    while later.start <= horizon:
        found.append(later)
        later = next_period(later)
    return found


def _by_cell(readings: list[Reading]) -> dict[tuple[str, int], list[Reading]]:
    """Readings grouped by (cell, era)."""
    grouped: dict[tuple[str, int], list[Reading]] = defaultdict(list)
    for reading in readings:
        grouped[(reading.dims_key, reading.era)].append(reading)
    return grouped


History = dict[tuple[str, str], list[tuple[Period, list[Reading]]]]
"""Per kind of period, its periods holding readings, in order."""


def _history(inside: dict[PeriodKey, list[Reading]]) -> History:
    history: History = defaultdict(list)
    for key, readings in inside.items():
        history[key[:2]].append((key_period(key), readings))
    for periods in history.values():
        periods.sort(key=lambda item: item[0].start)
    return history


def _looked_back(history: History, key: PeriodKey, carry_months: int) -> list[Reading]:
    """Readings of earlier periods of the same kind at most ``carry_months`` old at its end."""
    period = key_period(key)
    window_start = add_months(period.end, -carry_months)
    periods = history.get(key[:2], [])
    found = []
    for index in range(bisect_left(periods, period.start, key=lambda i: i[0].start) - 1, -1, -1):
        earlier, readings = periods[index]
        if earlier.end < window_start:  # and so are all before it
            break
        found += [r for r in readings if r.period.end >= window_start]
    return found


def _over_time(readings: list[Reading], over: Over) -> Stat:
    if over is Over.LAST:
        latest = max(readings, key=lambda r: (r.period.end, r.rank))
        return Stat.of(latest.value, latest.days)
    days = sum(r.days for r in readings)
    if len(readings) == 1:
        value = readings[0].value
    elif over is Over.SUM:
        value = exact.total(r.value for r in readings)
    elif over is Over.MEAN:
        value = exact.weighted_mean((r.value, r.days) for r in readings)
    elif over is Over.MIN:
        value = min(r.value for r in readings)
    else:
        value = max(r.value for r in readings)
    return Stat.of(value, days)


def period_types_of(readings: Iterable[Reading]) -> set[str]:
    """The ``CALENDAR:TYPE`` pairs of these readings, as observed."""
    return {f"{r.period.calendar.value}:{r.period.type.value}" for r in readings}
