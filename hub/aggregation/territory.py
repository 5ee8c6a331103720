"""A unit's territory as pieces of every map: what data counts for it, and for what share.

Roll-ups keep each value under the unit it was recorded on and that unit's own parents.
A unit asked about on one map (``asOf``) also owns data recorded on other maps, before or
after a reform. The successions say how much:

- **earlier maps**: a predecessor that went whole into the unit (or into units beneath it)
  counts whole; a divided one counts for the declared weight of the part it gave;
- **later maps**: a successor made whole of the unit's territory counts whole; one made of
  several units' territories counts for the unit's share of it, the weight of the unit's
  parts over the weight of all its parts (equal for whole communes, as the data gives no
  areas or populations of the old communes). Only the finest units (communes) are divided
  like this; a larger successor counts only when it lies whole inside the unit.

Pieces that lie whole inside the unit are gathered up into their parents where every child
is a whole piece, so that Kon Tum's 102 legacy communes read as the legacy province 62: one
roll-up row per period instead of 102. A piece counted for less than its whole makes the
values it contributes *estimated*.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from hub.aggregation.hierarchy import Hierarchy, Link

WHOLE = 1 - 1e-9
MAX_HOPS = 10  # reforms chained one after another; a guard, never reached


@dataclass(frozen=True, slots=True)
class Piece:
    """A unit whose roll-ups count for a territory, and the share of it that does."""

    unit_id: int
    fraction: float

    @property
    def estimated(self) -> bool:
        return self.fraction < WHOLE


def territory(hierarchy: Hierarchy, unit_id: int, as_of: date) -> list[Piece]:
    """The pieces whose roll-ups make up the territory of ``unit_id`` as it was on ``as_of``."""
    on_map = [unit.id for unit in hierarchy.on_map(unit_id, as_of)]
    found: dict[int, float] = defaultdict(float)
    _walk(hierarchy, unit_id, on_map, found, _earlier)
    _walk(hierarchy, unit_id, on_map, found, _later)
    whole = _gather_up(hierarchy, unit_id, {u for u, share in found.items() if share >= WHOLE})
    pieces = [Piece(unit_id, 1.0)] + [Piece(u, 1.0) for u in sorted(whole)]
    covered = set(whole)
    for other, share in sorted(found.items()):
        if other in covered or any(a in covered for a in hierarchy.ancestors(other)):
            continue
        pieces.append(Piece(other, min(share, 1.0)))
    return pieces


Step = Callable[[Hierarchy, int], list[tuple[int, float]]]
"""From a unit to the units of the next map (earlier or later) and the share of each."""


def _walk(
    hierarchy: Hierarchy, root: int, start: list[int], found: dict[int, float], step: Step
) -> None:
    """Follow successions one map at a time from ``start``, adding up shares in ``found``."""
    frontier = {unit: 1.0 for unit in start}
    for _ in range(MAX_HOPS):
        reached: dict[int, float] = defaultdict(float)
        for unit, share in frontier.items():
            for other, part in step(hierarchy, unit):
                if not hierarchy.is_within(other, root):
                    reached[other] += share * part
        if not reached:
            return
        for other, share in reached.items():
            found[other] += share
        frontier = dict(reached)


def _earlier(hierarchy: Hierarchy, unit: int) -> list[tuple[int, float]]:
    """The predecessors of ``unit`` and the part of each that went into it."""
    return [(link.other, link.weight) for link in hierarchy.predecessors.get(unit, ())]


def _later(hierarchy: Hierarchy, unit: int) -> list[tuple[int, float]]:
    """The successors of ``unit`` and the share of each that came from it."""
    found = []
    for link in hierarchy.successors.get(unit, ()):
        parts: list[Link] = hierarchy.predecessors.get(link.other, [])
        whole = sum(part.weight for part in parts) or link.weight
        share = link.weight / whole
        is_finest = not hierarchy.children.get(link.other)
        if is_finest or share >= WHOLE:
            found.append((link.other, share))
    return found


def _gather_up(hierarchy: Hierarchy, root: int, whole: set[int]) -> set[int]:
    """``whole`` with every unit whose children are all whole replaced by that unit."""
    whole = set(whole)
    changed = True
    while changed:
        changed = False
        parents = {hierarchy.units[u].parent_id for u in whole} - {None}
        for parent in parents:
            assert parent is not None
            if hierarchy.is_within(parent, root) or hierarchy.is_within(root, parent):
                continue
            children = hierarchy.children.get(parent, [])
            if children and all(child in whole for child in children):
                whole -= set(children)
                whole.add(parent)
                changed = True
    return {u for u in whole if not any(a in whole for a in hierarchy.ancestors(u))}
