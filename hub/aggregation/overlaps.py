"""Which figures count when figures overlap: the one rule every path reads values by.

Statistics offices publish a province's figure beside its districts', a total beside its
breakdown, a half-year beside quarters. A figure *stands over* another when it holds it:

- **in time**: its period holds the other's period whole (a quarter over its months);
- **in cells**: its disaggregation is the other's or a total of it (no ``sex``, or SDMX's
  ``_T``, which the ingest stores as no ``sex``, over ``sex=F``);
- **in space**: it is the other's unit or a unit above it (a province over its districts;
  there the same period and cell is enough).

The answer over a period combines the figures inside it that no other figure inside it
stands over: the year from H1, Q3 and Q4; a province from its own row where it has one,
from its districts where not. docs/aggregation.md has the table.

:func:`covers_of` finds, once per unit, the figures standing over each of its readings;
:func:`standing` then keeps those of one period that nothing inside it stands over.

The other way round, :func:`finest` keeps the figures that stand over nothing: the parts of
every figure that has parts (the quarters of a half-year, the F and M of a total). What they
give is the answer's ``partsValue`` where it disagrees with the rule's.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol, TypeVar

from hub.aggregation.keys import PeriodKey, enclosing_keys, period_key
from hub.periods import Period, enclosing


def cell_holds(outer: str, inner: str) -> bool:
    """Whether the cell ``outer`` (a dims key) is ``inner`` or a total of it."""
    if outer == inner or not outer:
        return True
    return set(outer.split("|")) <= set(inner.split("|"))


@dataclass
class Cover:
    """The periods of the figures standing over one reading."""

    same_cell: list[Period] = field(default_factory=list)
    """Figures of its own cell (the breakdown a ``by`` reads)."""
    any_cell: list[Period] = field(default_factory=list)
    """Figures of its cell or of a total of it (what a value without ``by`` reads)."""


class Figure(Protocol):
    """What :func:`covers_of` needs of a reading."""

    period: Period
    dims_key: str


F = TypeVar("F", bound=Figure)


def covers_of(
    readings: Sequence[F], above: Sequence[Figure] = (), among_own: bool = True
) -> dict[F, Cover]:
    """For each reading that something stands over, what does.

    ``above``: the figures of units above the readings' unit, which stand over its figures
    of the same period too. Readings are one per period and cell (the source chosen).
    ``among_own``: whether the readings stand over one another (else only ``above`` counts).
    """
    if not above and not (among_own and may_overlap(readings)):
        return {}
    own: dict[PeriodKey, list[str]] = defaultdict(list)
    for reading in readings if among_own else ():
        own[period_key(reading.period)].append(reading.dims_key)
    higher: dict[PeriodKey, list[str]] = defaultdict(list)
    for figure in above:
        higher[period_key(figure.period)].append(figure.dims_key)
    found: dict[F, Cover] = {}
    for reading in readings:
        itself = period_key(reading.period)
        cover = Cover()
        for key, outer in _keys_holding(reading.period):
            for dims_key in own.get(key, ()):
                if key != itself or dims_key != reading.dims_key:
                    _note(cover, dims_key, reading.dims_key, outer)
            for dims_key in higher.get(key, ()):
                _note(cover, dims_key, reading.dims_key, outer)
        if cover.any_cell:
            found[reading] = cover
    return found


def standing(
    readings: Sequence[F], covers: dict[F, Cover], key: PeriodKey, across_cells: bool
) -> list[F]:
    """The readings (of the period ``key``) that nothing inside it stands over.

    ``across_cells``: a total stands over its breakdown (for a value of every cell
    together); otherwise only figures of the same cell count (for the breakdown itself).
    """
    if not covers:
        return list(readings)
    kept = []
    for reading in readings:
        cover = covers.get(reading)
        if cover is not None:
            periods = cover.any_cell if across_cells else cover.same_cell
            if any(key in enclosing_keys(period) for period in periods):
                continue
        kept.append(reading)
    return kept


def finest(readings: Sequence[F], across_cells: bool) -> list[F]:
    """The readings (of one period) that hold no other of them: the figures a longer period's
    figure is made of instead of it, and, ``across_cells``, a breakdown instead of its total."""
    if len(readings) < 2:
        return list(readings)
    inside: dict[PeriodKey, list[tuple[PeriodKey, str]]] = defaultdict(list)
    for reading in readings:
        itself = period_key(reading.period)
        for key in enclosing_keys(reading.period):
            inside[key].append((itself, reading.dims_key))
    kept = []
    for reading in readings:
        itself, cell = period_key(reading.period), reading.dims_key
        holds = any(
            (key != itself or other != cell)
            and (other == cell or (across_cells and cell_holds(cell, other)))
            for key, other in inside[itself]
        )
        if not holds:
            kept.append(reading)
    return kept


def _note(cover: Cover, outer_cell: str, inner_cell: str, period: Period) -> None:
    if outer_cell == inner_cell:
        cover.same_cell.append(period)
        cover.any_cell.append(period)
    elif cell_holds(outer_cell, inner_cell):
        cover.any_cell.append(period)


def _keys_holding(period: Period) -> list[tuple[PeriodKey, Period]]:
    return [(period_key(outer), outer) for outer in enclosing(period)]


def may_overlap(readings: Sequence[Figure]) -> bool:
    """Whether any reading may hold another: several period types, or a total and its parts.

    Two periods of one type never hold one another (a Gregorian and a Decree 09 month
    overlap without either holding the other).
    """
    if len({reading.period.type for reading in readings}) > 1:
        return True
    cells = {reading.dims_key for reading in readings}
    return len(cells) > 1 and any(
        cell_holds(outer, inner) for outer in cells for inner in cells if outer != inner
    )
