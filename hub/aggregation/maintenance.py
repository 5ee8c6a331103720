"""Keeping roll-ups up to date on ingest, in the transaction that wrote the observations.

The writer tells :func:`note_changes` which observations a batch upserted or retracted.
Just before that transaction commits, the roll-ups they touch are brought up to date, inside
it, so the data and its roll-ups are committed together or not at all:

1. for each touched unit series, its ``own`` rows of the periods the changes fall in (and of
   the periods a carried-forward stock reaches) are computed again from the observations;
2. the difference between the new and the stored ``own`` rows is added to the ``below``
   rows of every ancestor of the unit (so the cost does not grow with the number of units
   below a province, and concurrent additions commute);
3. for MIN and MAX metrics, the extremes of the ``below`` rows touched are recomputed.

Doing this once per commit rather than once per batch means that a load of many months,
checkpointed every 50,000 records, recomputes a unit's yearly value a few times, not once
per batch of a thousand.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import Session

from hub.aggregation.catalog import MetricInfo, metrics_by_id, rollup_states
from hub.aggregation.hierarchy import Hierarchy
from hub.aggregation.observations import readings_of
from hub.aggregation.rebuild import is_current, lock_metrics, push_up, rebuild_metric, save_state
from hub.aggregation.series import (
    PeriodKey,
    RowKey,
    key_period,
    own_stats,
    period_types_of,
    touched_periods,
)
from hub.aggregation.stats import Stat
from hub.aggregation.store import OWN, UnitRows, add_below, chunks, read_rows, write_own
from hub.aggregation.store import refresh_extremes as store_extremes
from hub.periods import Period, add_months, parse_period

PENDING = "iochub.rollups.pending"

Changes = dict[int, dict[int, set[Period]]]
"""Metric id → unit id → the periods of the observations written or retracted."""


def note_changes(session: Session, rows: Iterable[Mapping[str, Any]]) -> None:
    """Remember which observations were written or retracted; roll-ups follow at commit.

    ``rows`` are observation rows (or their natural keys): ``metric_id``, ``unit_id``,
    ``calendar`` and ``period`` are read.
    """
    pending: Changes | None = session.info.get(PENDING)
    if pending is None:
        pending = session.info[PENDING] = defaultdict(lambda: defaultdict(set))
        event.listen(session, "before_commit", _before_commit)
        event.listen(session, "after_rollback", _after_rollback)
    for row in rows:
        period = parse_period(row["period"], row["calendar"])
        pending[row["metric_id"]][row["unit_id"]].add(period)


def update_rollups(session: Session, changes: Changes) -> None:
    """Bring the roll-ups touched by ``changes`` up to date, in the session's transaction."""
    if not changes:
        return
    hierarchy = Hierarchy.current(session)
    lock_metrics(session, changes)
    metrics = metrics_by_id(session, changes)
    states = rollup_states(session, changes)
    for metric_id in sorted(changes):
        metric = metrics.get(metric_id)
        if metric is None or metric.rule is None:
            continue
        if is_current(metric, states.get(metric_id), hierarchy):
            _update_metric(session, metric, changes[metric_id], hierarchy)
        else:
            rebuild_metric(session, metric, hierarchy)


def _before_commit(session: Session) -> None:
    pending: Changes | None = session.info.get(PENDING)
    if pending:
        changes = {metric: dict(units) for metric, units in pending.items()}
        pending.clear()
        update_rollups(session, changes)


def _after_rollback(session: Session) -> None:
    pending: Changes | None = session.info.get(PENDING)
    if pending:
        pending.clear()


def _update_metric(
    session: Session, metric: MetricInfo, units: dict[int, set[Period]], hierarchy: Hierarchy
) -> None:
    rule = metric.rule
    assert rule is not None
    affected = {
        unit_id: set().union(
            *(touched_periods(period, rule, metric.carry_months) for period in periods)
        )
        for unit_id, periods in units.items()
    }
    below: UnitRows = defaultdict(dict)
    extremes: dict[int, set[RowKey]] = defaultdict(set)
    kinds: set[str] = set()
    levels: set[str] = set()
    for unit_chunk in chunks(sorted(affected)):
        wanted = {unit_id: affected[unit_id] for unit_id in unit_chunk}
        start, end = _span(wanted.values(), metric.carry_months)
        readings = readings_of(session, metric.id, unit_chunk, start, end, hierarchy)
        old = _stored(session, metric.id, wanted)
        changed: UnitRows = {}
        removed: dict[int, list[RowKey]] = {}
        for unit_id in unit_chunk:
            unit_readings = readings.get(unit_id, [])
            new = own_stats(
                unit_readings, rule, metric.carry_months, metric.has_cells, wanted[unit_id]
            )
            deltas = _differences(old.get(unit_id, {}), new, changed, removed, unit_id)
            ancestors = hierarchy.ancestors(unit_id)
            push_up(below, ancestors, deltas)
            if rule.needs_extremes:
                for ancestor in ancestors:
                    extremes[ancestor] |= set(deltas)
            kinds |= period_types_of(unit_readings)
            if unit_readings and unit_id in hierarchy.units:
                levels.add(hierarchy.units[unit_id].level.value)
        write_own(session, metric.id, changed, removed)
    add_below(session, metric.id, below)
    if extremes:
        subtrees = {unit_id: hierarchy.subtree(unit_id) for unit_id in extremes}
        store_extremes(session, metric.id, extremes, subtrees)
    save_state(session, metric, hierarchy, kinds, levels, replace=False)


def _differences(
    old: dict[RowKey, Stat],
    new: dict[RowKey, Stat],
    changed: UnitRows,
    removed: dict[int, list[RowKey]],
    unit_id: int,
) -> dict[RowKey, Stat]:
    """Record what changed in one unit's ``own`` rows; the changes, to add to its ancestors."""
    deltas: dict[RowKey, Stat] = {}
    for key, stat in new.items():
        known = old.get(key)
        if not stat.same_as(known):
            changed.setdefault(unit_id, {})[key] = stat
            deltas[key] = stat.minus(known)
    gone = [key for key in old if key not in new]
    if gone:
        removed[unit_id] = gone
        for key in gone:
            deltas[key] = Stat().minus(old[key])
    return deltas


def _stored(
    session: Session, metric_id: int, wanted: dict[int, set[PeriodKey]]
) -> dict[int, dict[RowKey, Stat]]:
    periods = set().union(*wanted.values())
    stored: dict[int, dict[RowKey, Stat]] = defaultdict(dict)
    for unit_id, _scope, key, stat in read_rows(session, metric_id, wanted, periods, (OWN,)):
        if key[0] in wanted[unit_id]:
            stored[unit_id][key] = stat
    return stored


def _span(wanted: Iterable[set[PeriodKey]], carry_months: int | None) -> tuple[date, date]:
    """The days whose observations the wanted periods are computed from."""
    periods = [key_period(key) for keys in wanted for key in keys]
    start = min(period.start for period in periods)
    if carry_months:
        start = add_months(start, -carry_months)
    return start, max(period.end for period in periods)
