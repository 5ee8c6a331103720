"""A metric's values for some units and periods, read from the roll-ups.

For each unit asked about, its territory is a few pieces (see :mod:`territory`); for each
period, the pieces' roll-up rows are combined:

0. where units of more than one level hold values (a province's row beside its districts'),
   a unit's own figures stand over its parts' (:mod:`overlaps`): every unit beneath the
   piece is read from its observations, its figures held by a unit above it left out; read a
   second time without the target's own figures (and each series by its finest figures,
   below), for what its parts give;
0. where a unit read from its observations has figures that hold others (a half-year beside
   its quarters, a total beside its breakdown), its series is also read by the figures that
   hold none, for what they give;
1. within an era (one map), by the metric's rule across units: their sums are added, a
   mean divides by the cells behind it, an extreme takes the extreme; a piece counted for
   part of its territory adds that fraction of its sums (and makes the value estimated);
2. across eras, when a period spans a reform, by the metric's rule across time: sums add,
   means are weighted by the days each era's values cover, LAST takes the later era.

No observation is read but a unit's own: the cost is the number of pieces × periods asked
(and, for a piece holding values of its own, such as a commune, the values of those
periods).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy.orm import Session

from hub.aggregation import exact
from hub.aggregation.catalog import MetricInfo, RollupState
from hub.aggregation.hierarchy import Hierarchy
from hub.aggregation.observations import readings_between
from hub.aggregation.overlaps import may_overlap
from hub.aggregation.reporters import Reporters
from hub.aggregation.rules import Over, Rule
from hub.aggregation.series import ALL_CELLS, PeriodKey, RowKey, key_period, own_stats
from hub.aggregation.stats import Stat
from hub.aggregation.store import read_rows
from hub.aggregation.territory import Piece, territory
from hub.periods import CALENDAR_FREE, Calendar, Period, add_months

Group = tuple[tuple[str, str | None], ...]
"""The disaggregation a value is kept apart by: sorted (name, value) pairs; () for a total."""
DEFAULT_LEVELS = frozenset({"COMMUNE"})


@dataclass
class Cell:
    """One value of the answer, with how complete it is."""

    value: float | None = None
    reporting: int = 0
    expected: int = 0
    estimated: bool = False
    parts: float | None = None
    """What the figures the rule's ones stand over give, where the two disagree: the unit's
    parts (beside its own figure), a breakdown (beside its total), shorter periods (beside a
    longer one holding them)."""


DISAGREE = 0.005
"""Two figures for the same span disagree when they differ by more than half a percent."""


@dataclass
class _Parts:
    """The rows that make one value, by era."""

    eras: dict[int, Stat] = field(default_factory=dict)
    estimated_eras: set[int] = field(default_factory=set)

    def add(self, era: int, stat: Stat, piece: Piece) -> None:
        target = self.eras.get(era)
        if target is None:
            target = self.eras[era] = Stat()
        target.add(stat, piece.fraction)
        if piece.estimated and not stat.empty:
            self.estimated_eras.add(era)


Answer = dict[tuple[int, str], dict[Group, Cell]]
"""(unit id, period id) → the values of each group."""


def metric_answer(
    session: Session,
    metric: MetricInfo,
    state: RollupState | None,
    hierarchy: Hierarchy,
    targets: list[int],
    periods: list[Period],
    by: tuple[str, ...],
    as_of: date,
) -> Answer:
    """The metric's value for each target unit, period and group of ``by``."""
    rule = metric.rule
    assert rule is not None
    keys = {period.id: storage_key(period) for period in periods}
    reach = _reach(periods, metric, rule)
    pieces = {
        target: [
            piece
            for piece in hierarchy.cached(("territory", target, as_of), territory, target, as_of)
            if _overlaps(hierarchy, piece, reach)
        ]
        for target in targets
    }
    levels = state.levels if state and state.levels else DEFAULT_LEVELS
    source = _Source(hierarchy, levels, _calendars(state), reach)
    nested = len(levels) > 1 and not metric.levels_add_up
    parts, from_parts = _read_parts(session, metric, source, pieces, keys, by, nested)
    if nested:  # the targets' own figures left out, and each unit's series by its finest
        from_parts, _ = _read_parts(
            session, metric, source, pieces, keys, by, nested, frozenset(targets), finest=True
        )
    answer: Answer = {}
    for target in targets:
        made_of = tuple(pieces[target])
        reporters = hierarchy.cached(("reporters", made_of, levels), Reporters, made_of, levels)
        for period in periods:
            groups = parts.get((target, period.id), {})
            start = period.end if rule.time is Over.LAST else period.start
            expected = reporters.count(start, period.end)
            cells = {group: _cell(rule, made, expected) for group, made in groups.items()}
            for group, made in (from_parts or {}).get((target, period.id), {}).items():
                if group in cells:
                    cells[group].parts = _disagreeing(cells[group].value, _cell(rule, made, 0))
            answer[(target, period.id)] = cells or {(): Cell(expected=expected)}
    return answer


def _disagreeing(value: float | None, parts: Cell) -> float | None:
    """The parts' value, where it and ``value`` disagree (else None)."""
    if value is None or parts.value is None:
        return None
    if abs(value - parts.value) <= DISAGREE * max(abs(value), abs(parts.value)):
        return None
    return parts.value


def storage_key(period: Period) -> PeriodKey:
    """The key roll-ups keep a period under (days and weeks under GREGORIAN)."""
    calendar = Calendar.GREGORIAN if period.type in CALENDAR_FREE else period.calendar
    return (calendar.value, period.type.value, period.id)


def across_eras(rule: Rule, eras: dict[int, Stat]) -> tuple[float | None, list[int]]:
    """The value over a period from the values of each era, and the eras it used."""
    values = [
        (era, value, stat.mean_days)
        for era, stat in sorted(eras.items())
        if (value := stat.value(rule)) is not None
    ]
    if not values:
        return None, []
    used = [era for era, _, _ in values]
    numbers = [value for _, value, _ in values]
    if rule.time is Over.SUM:
        return exact.total(numbers), used
    if rule.time is Over.MEAN:
        weights = [days for _, _, days in values]
        if sum(weights) <= 0:
            weights = [1.0] * len(numbers)
        return exact.weighted_mean(zip(numbers, weights, strict=True)), used
    if rule.time is Over.LAST:
        return numbers[-1], used[-1:]
    return (min(numbers) if rule.time is Over.MIN else max(numbers)), used


def _cell(rule: Rule, made: _Parts, expected: int) -> Cell:
    if len(made.eras) == 1:  # the common case: no reform inside the period
        ((era, stat),) = made.eras.items()
        reported = stat.value(rule)
        return Cell(
            value=reported,
            reporting=round(stat.units) if reported is not None else 0,
            expected=expected,
            estimated=reported is not None and era in made.estimated_eras,
        )
    value, used = across_eras(rule, made.eras)
    return Cell(
        value=value,
        reporting=round(sum(made.eras[era].units for era in used)),
        expected=expected,
        estimated=any(era in made.estimated_eras for era in used),
    )


@dataclass(frozen=True)
class _Source:
    """Where a metric's rows can be: who holds values of their own, in what calendars, when."""

    hierarchy: Hierarchy
    levels: frozenset[str]
    calendars: frozenset[str]
    reach: tuple[date, date]

    def with_values(self, units: Iterable[int]) -> list[int]:
        """The units that may hold values of their own: of a level the metric is reported at."""
        return [u for u in units if self.hierarchy.units[u].level.value in self.levels]

    def with_below(self, units: Iterable[int]) -> list[int]:
        """The units that may hold ``below`` rows: those with units beneath them."""
        return [u for u in units if self.hierarchy.children.get(u)]


def _calendars(state: RollupState | None) -> frozenset[str]:
    kinds = state.period_kinds if state else frozenset()
    return frozenset(kind.split(":")[0] for kind in kinds)


Parts = dict[tuple[int, str], dict[Group, _Parts]]
"""(target, period id) → the rows making each group's value."""


def _read_parts(
    session: Session,
    metric: MetricInfo,
    source: _Source,
    pieces: dict[int, list[Piece]],
    keys: dict[str, PeriodKey],
    by: tuple[str, ...],
    nested: bool,
    leave_out: frozenset[int] = frozenset(),
    finest: bool = False,
) -> tuple[Parts, Parts | None]:
    """Every target's rows, per period and group; ``nested``: read from each unit beneath
    (figures of several levels may overlap), without the figures of ``leave_out``;
    ``finest``: each unit's series read by its finest figures (:func:`own_stats`).

    Second, where the figures of a unit read from its observations overlap (not ``nested``):
    the rows with that unit's series read by its finest figures instead (else None).
    """
    hierarchy = source.hierarchy
    whole_cells = not by or set(by) == set(metric.disaggregations)
    users: dict[Holder, list[tuple[int, Piece]]] = defaultdict(list)
    for target, target_pieces in pieces.items():
        for piece in target_pieces:
            if nested:  # every unit beneath, read with the figures above it in the piece
                for unit in source.with_values(hierarchy.subtree(piece.unit_id)):
                    users[(unit, piece.unit_id)].append((target, Piece(unit, piece.fraction)))
            elif whole_cells:
                users[piece.unit_id].append((target, piece))
            else:  # a partial `by`: from each unit's own cells, to count units exactly
                for unit in hierarchy.subtree(piece.unit_id):
                    users[unit].append((target, Piece(unit, piece.fraction)))
    periods = set(keys.values())
    instead: dict[Holder, list[tuple[Holder, RowKey, Stat]]] = {}
    if nested:
        found = _nested_rows(session, metric, source, list(users), periods, by, leave_out, finest)
    else:
        found, instead = _rows(session, metric, source, users, periods, by, whole_cells)
    grouped = whole_cells and not nested
    parts = _assembled(_grouped(found, by, grouped), users, keys)
    if not instead:
        return parts, None
    finer = [row for row in found if row[0] not in instead]
    finer += [row for rows in instead.values() for row in rows]
    return parts, _assembled(_grouped(finer, by, grouped), users, keys)


def _assembled(
    rows: list[tuple[Holder, PeriodKey, Group, int, Stat]],
    users: dict[Holder, list[tuple[int, Piece]]],
    keys: dict[str, PeriodKey],
) -> Parts:
    """The rows gathered by the targets (and periods, groups, eras) that use them."""
    period_of_key = {key: period_id for period_id, key in keys.items()}
    parts: Parts = defaultdict(dict)
    for holder, period_key, group, era, stat in rows:
        for target, piece in users[holder]:
            groups = parts[(target, period_of_key[period_key])]
            made = groups.get(group)
            if made is None:
                made = groups[group] = _Parts()
            made.add(era, stat, piece)
    return parts


Holder = int | tuple[int, int]
"""Whose rows: a unit; or, where figures of units above may stand over its own, a unit read
within a piece of territory (unit id, piece's unit id)."""


def _rows(
    session: Session,
    metric: MetricInfo,
    source: _Source,
    units: Iterable[int],
    periods: set[PeriodKey],
    by: tuple[str, ...],
    whole_cells: bool,
) -> tuple[list[tuple[Holder, RowKey, Stat]], dict[Holder, list[tuple[Holder, RowKey, Stat]]]]:
    """(unit, row key, stat) for every row the answer is made of; and, for each unit whose
    own figures overlap, its rows read by its finest figures.

    Roll-up rows (what is below a unit) are read as stored; a unit's own values over the
    periods are aggregated here, from its observations (time first): a commune's year is
    its months.
    """
    rule = metric.rule
    assert rule is not None
    cells = None if by else {ALL_CELLS if metric.has_cells else ""}
    found: list[tuple[Holder, RowKey, Stat]] = []
    if whole_cells:
        parents = source.with_below(units)
        found += read_rows(session, metric.id, parents, periods, cells)
    holders = source.with_values(units)
    values_of = readings_between(
        session, metric.id, holders, *source.reach, source.hierarchy, source.calendars
    )
    instead: dict[Holder, list[tuple[Holder, RowKey, Stat]]] = {}
    for unit, values in values_of.items():
        for finest in (False, True) if may_overlap(values) else (False,):
            stats = own_stats(
                values, rule, metric.carry_months, metric.has_cells, periods, finest=finest
            )
            rows: list[tuple[Holder, RowKey, Stat]] = [
                (unit, key, stat) for key, stat in stats.items() if cells is None or key[1] in cells
            ]
            if finest:
                instead[unit] = rows
            else:
                found += rows
    return found, instead


def _nested_rows(
    session: Session,
    metric: MetricInfo,
    source: _Source,
    holders: list[Holder],
    periods: set[PeriodKey],
    by: tuple[str, ...],
    leave_out: frozenset[int],
    finest: bool = False,
) -> list[tuple[Holder, RowKey, Stat]]:
    """Each unit's own rows within its piece, without what the figures above it hold (and,
    in the pieces of the units of ``leave_out``, as if those units had no figures);
    ``finest``: each unit's series read by its finest figures.

    A unit whose figure stands for units beneath it counts as those of them that could
    report: the figure is theirs.
    """
    rule = metric.rule
    assert rule is not None
    hierarchy = source.hierarchy
    units = {holder[0] for holder in holders if isinstance(holder, tuple)}
    values_of = readings_between(
        session, metric.id, units, *source.reach, hierarchy, source.calendars
    )
    found: list[tuple[Holder, RowKey, Stat]] = []
    for holder in holders:
        assert isinstance(holder, tuple)
        unit, root = holder
        values = values_of.get(unit)
        if not values or (unit == root and root in leave_out):
            continue
        above = [
            reading
            for ancestor in _ancestors_within(hierarchy, unit, root)
            if not (ancestor == root and root in leave_out)
            for reading in values_of.get(ancestor, ())
        ]
        stats = own_stats(
            values, rule, metric.carry_months, metric.has_cells, periods, above, finest
        )
        reporters = None
        for key, stat in stats.items():
            if not by and key[1] != (ALL_CELLS if metric.has_cells else ""):
                continue
            if not stat.empty and hierarchy.children.get(unit):
                reporters = reporters or Reporters(hierarchy, [Piece(unit, 1.0)], source.levels)
                period = key_period(key[0])
                start = period.end if rule.time is Over.LAST else period.start
                stat.units = max(reporters.count(start, period.end), 1)
            found.append((holder, key, stat))
    return found


def _ancestors_within(hierarchy: Hierarchy, unit: int, root: int) -> list[int]:
    """The units above ``unit`` up to ``root``, included (none when ``unit`` is ``root``)."""
    if unit == root:
        return []
    chain = []
    for ancestor in hierarchy.ancestors(unit):
        chain.append(ancestor)
        if ancestor == root:
            break
    return chain


def _grouped(
    found: list[tuple[Holder, RowKey, Stat]], by: tuple[str, ...], whole_cells: bool
) -> list[tuple[Holder, PeriodKey, Group, int, Stat]]:
    """(holder, period, group, era, stat): the rows by the groups of ``by``."""
    if not by:
        return [(unit, key[0], (), key[2], stat) for unit, key, stat in found]
    found = [(unit, key, stat) for unit, key, stat in found if key[1] != ALL_CELLS]
    if whole_cells:
        return [(unit, key[0], group_of(key[1], by), key[2], stat) for unit, key, stat in found]
    per_unit: dict[tuple[Holder, PeriodKey, Group, int], Stat] = {}
    for unit, key, stat in found:
        slot = (unit, key[0], group_of(key[1], by), key[2])
        total = per_unit.get(slot)
        if total is None:
            total = per_unit[slot] = Stat()
        total.add(stat)
    for stat in per_unit.values():
        stat.units = 1  # one unit, however many of its cells fall in the group
    return [(unit, key, group, era, stat) for (unit, key, group, era), stat in per_unit.items()]


def group_of(dims_key: str, by: tuple[str, ...]) -> Group:
    """The group of a cell: its values of the ``by`` dimensions (None where it has none)."""
    dims = dict(part.split("=", 1) for part in dims_key.split("|") if part)
    return tuple((name, dims.get(name)) for name in sorted(by))


def _reach(periods: list[Period], metric: MetricInfo, rule: Rule) -> tuple[date, date]:
    """The days whose data the answer can use (a stock may be carried from before)."""
    start = min(period.start for period in periods)
    if rule.time is Over.LAST and metric.carry_months:
        start = add_months(start, -metric.carry_months)
    return start, max(period.end for period in periods)


def _overlaps(hierarchy: Hierarchy, piece: Piece, reach: tuple[date, date]) -> bool:
    """Whether any unit of the piece existed during ``reach`` (else it holds no data for it)."""
    first, last = hierarchy.cached(("lifetime", piece.unit_id), _lifetime, piece.unit_id)
    return (first is None or first <= reach[1]) and (last is None or reach[0] <= last)


def _lifetime(hierarchy: Hierarchy, unit_id: int) -> tuple[date | None, date | None]:
    """The first and last day any unit of the subtree existed (None: open)."""
    units = [hierarchy.units[unit] for unit in hierarchy.subtree(unit_id)]
    starts = [unit.valid_from for unit in units]
    ends = [unit.valid_to for unit in units]
    first = None if None in starts else min(starts)  # type: ignore[type-var]
    last = None if None in ends else max(ends)  # type: ignore[type-var]
    return first, last
