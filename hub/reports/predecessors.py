"""Other periods across a reform: a unit's PREV, LASTYEAR and YTD from its predecessors' reports.

A commune of the 2025 map (valid since 1 July 2025) has no report of its own for a period that
ended before it existed. What ``PREV``, ``LASTYEAR`` and ``YTD`` read for such a period comes
from the reports of the units it was made of, through the succession table, as the aggregation
module reads data across the reform (hub/aggregation/territory.py):

- a predecessor that went whole into the unit (a merge or a continuation, weight 1) counts
  whole; one that was divided counts for the declared weight of the part the unit got, and the
  values it contributes are then **estimated**;
- the cells typed in, rolled up or read from metrics add up across the predecessors by the
  row's aggregation across units (``hub.aggregation.rules.across_units``: a sum weighted by
  the parts, a mean weighted by them, an extreme; nothing for NONE unless one whole
  predecessor alone reported);
- formulas are computed again on those combined values, so a ratio is the ratio of the sums,
  never a sum of ratios; a formula that itself reads another period (``=PREV(D9)``) takes the
  predecessors' stored values, combined by the row's rule;
- one predecessor that went whole into the unit is read as it is.

Predecessors valid at the asked period's cut-off are used, following successions back through
several reforms if need be. A predecessor without a report contributes nothing (missing is not
zero); with none, the period reads as blank.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Hashable
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.aggregation.hierarchy import Hierarchy
from hub.aggregation.rules import WHOLE, across_units
from hub.memory import LeastRecentlyUsed
from hub.model import AdminUnit, Report, ReportTemplateRow
from hub.periods import Period
from hub.plugins.definitions import Aggregation
from hub.reports.cells import CellValue, from_json, number_or_none
from hub.reports.engine import LASTYEAR, PREV, YTD
from hub.reports.graph import FormulaGraph
from hub.reports.template import CellKind, Template

MAX_HOPS = 10
"""Reforms followed back one after another; a guard, never reached."""
CACHE_SIZE = 512


@dataclass(frozen=True)
class Inherited:
    """A period's values read from the predecessors' reports."""

    values: dict[str, CellValue]
    estimated: bool
    """Some of them come from a divided unit, by its declared weight."""
    unit_ids: tuple[int, ...]
    """The predecessors whose reports were read."""


def predecessor_shares(hierarchy: Hierarchy, unit_id: int, day: date) -> dict[int, float]:
    """The units valid on ``day`` that ``unit_id`` was made of, and the share of each."""
    found: dict[int, float] = defaultdict(float)
    frontier = {unit_id: 1.0}
    for _ in range(MAX_HOPS):
        earlier: dict[int, float] = defaultdict(float)
        for unit, share in frontier.items():
            for link in hierarchy.predecessors.get(unit, ()):
                other = hierarchy.units.get(link.other)
                if other is None:
                    continue
                if other.valid_on(day):
                    found[other.id] += share * link.weight
                elif other.valid_from is not None and other.valid_from > day:
                    earlier[other.id] += share * link.weight
        if not earlier:
            break
        frontier = dict(earlier)
    return dict(found)


def inherited_values(
    session: Session, row: ReportTemplateRow, template: Template, unit: AdminUnit, period: Period
) -> Inherited | None:
    """The values a unit that did not exist at ``period``'s cut-off inherits for it.

    None when the unit existed then (its own report counts), or no predecessor reported.
    """
    if unit.valid_from is None or unit.valid_from <= period.end:
        return None
    shares = predecessor_shares(Hierarchy.current(session), unit.id, period.end)
    if not shares:
        return None
    reports = list(
        session.scalars(
            select(Report)
            .where(
                Report.template_id == row.id,
                Report.period == period.id,
                Report.unit_id.in_(list(shares)),
            )
            .order_by(Report.unit_id)
        )
    )
    if not reports:
        return None
    key = (
        row.id,
        row.updated_at,
        period.id,
        tuple((report.id, report.version, shares[report.unit_id]) for report in reports),
    )
    found = _CACHE.get(key)
    if found is None:
        parts = [
            (shares[r.unit_id], {k: from_json(v) for k, v in r.values.items()}) for r in reports
        ]
        found = Inherited(
            values=combine(template, parts),
            estimated=any(share < WHOLE for share, _ in parts),
            unit_ids=tuple(report.unit_id for report in reports),
        )
        _CACHE.put(key, found)
    return found


def combine(
    template: Template, parts: list[tuple[float, dict[str, CellValue]]]
) -> dict[str, CellValue]:
    """One report's values from the predecessors' (share, values): see the module's rules."""
    from hub.reports.sheet import OtherPeriods, compute

    if len(parts) == 1 and parts[0][0] >= WHOLE:
        return dict(parts[0][1])
    bound = reads_other_periods(template)
    combined: dict[str, CellValue] = {}
    for address, cell in template.cells.items():
        if cell.kind is not CellKind.FORMULA or address in bound:
            combined[address] = across(template.row_of(address).aggregation, parts, address)
    computed = compute(template, combined, OtherPeriods()).values
    return {
        address: combined[address] if address in combined else computed.get(address)
        for address in template.cells
    }


def across(
    aggregation: Aggregation, parts: list[tuple[float, dict[str, CellValue]]], address: str
) -> CellValue:
    """One cell's value over the predecessors, by the row's aggregation and their shares."""
    numbers = [
        (share, number)
        for share, values in parts
        if (number := number_or_none(values.get(address))) is not None
    ]
    return across_units(aggregation, numbers)


def reads_other_periods(template: Template) -> frozenset[str]:
    """The formula cells whose value depends, directly or not, on another period's values."""
    graph = FormulaGraph(template)
    bound: set[str] = set()
    for node in graph.order():
        references = graph.references.get(node, [])
        if (
            node.startswith(f"{YTD}!")
            or any(reference.sheet in (PREV, LASTYEAR, YTD) for reference in references)
            or any(dependency in bound for dependency in graph.dependencies(node))
        ):
            bound.add(node)
    return frozenset(node for node in bound if not node.startswith(f"{YTD}!"))


_CACHE: LeastRecentlyUsed[Hashable, Inherited] = LeastRecentlyUsed(CACHE_SIZE)
"""Combined values of predecessors' reports (which rarely change)."""
