"""Keeping roll-ups up to date on ingest, in the transaction that wrote the observations.

The writer tells :func:`note_changes` which observations a batch upserted or retracted.
Just before that transaction commits, the roll-ups they touch are brought up to date, inside
it, so the data and its roll-ups are committed together or not at all. For each touched unit:

1. its own values of the changed periods (``own`` rows: one per period and cell, the source
   chosen) are taken again from the observations;
2. its aggregates over every period holding them (the month's quarter, half-year and year;
   the periods a carried-forward stock reaches) are computed before and after, from its
   values, and the difference is added to the ``below`` rows of each of its ancestors (so
   the cost does not grow with the number of units below a province, and concurrent
   additions commute);
3. for MIN and MAX metrics, the extremes of the ``below`` rows touched are recomputed.

Doing this once per commit rather than once per batch means that a load of many months,
checkpointed every 50,000 records, works out a unit's year a few times, not once per batch
of a thousand.

A large load does better still by not keeping a metric's roll-ups up to date at every
checkpoint at all: once a run has written more of a metric than ``[aggregation]
rebuild_after`` (unit, period) pairs, it *defers* the metric (:func:`defer_rollups`). Its
commits then mark the metric's roll-ups stale, in the same transaction as the observations
(so no reader ever uses roll-ups that miss committed data: a stale metric is rebuilt before
it is read), and the run rebuilds them once, at its end (:func:`rebuild_deferred`), mostly
inside the database (:mod:`hub.aggregation.setwise`).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

from sqlalchemy import event, func, select
from sqlalchemy.orm import Session

from hub.aggregation.catalog import MetricInfo, metrics_by_id, rollup_states
from hub.aggregation.hierarchy import Hierarchy
from hub.aggregation.observations import readings_in
from hub.aggregation.rebuild import (
    bring_current,
    is_current,
    lock_metrics,
    push_up,
    rebuild_metric,
    save_state,
)
from hub.aggregation.series import (
    PeriodKey,
    Reading,
    RowKey,
    key_period,
    own_stats,
    period_types_of,
    touched_periods,
)
from hub.aggregation.stats import Stat
from hub.aggregation.store import (
    OWN,
    UnitRows,
    add_below,
    chunks,
    read_values,
    set_extremes,
    write_values,
)
from hub.model import Rollup, RollupMetric
from hub.model.base import utcnow
from hub.periods import Period, add_months, parse_period

PENDING = "iochub.rollups.pending"
DEFERRED = "iochub.rollups.deferred"
STALE = ""
"""The signature of roll-ups known not to follow their observations."""

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
    periods: dict[tuple[str, str], Period] = {}
    deferred = session.info.get(DEFERRED, ())
    for row in rows:
        units = pending[row["metric_id"]]
        if row["metric_id"] in deferred:  # its roll-ups only go stale: no need to know where
            continue
        key = (row["period"], row["calendar"])
        period = periods.get(key)
        if period is None:
            period = periods[key] = parse_period(*key)
        units[row["unit_id"]].add(period)


def defer_rollups(session: Session, metric_ids: Iterable[int]) -> None:
    """From now on, this session's commits mark these metrics' roll-ups stale instead of
    updating them; :func:`rebuild_deferred` brings them up to date."""
    deferred: set[int] = session.info.setdefault(DEFERRED, set())
    deferred.update(metric_ids)


def stored_values(session: Session, metric_id: int) -> int:
    """How many values (``own`` rows) the metric's roll-ups hold."""
    query = select(func.count()).where(Rollup.metric_id == metric_id, Rollup.scope == OWN)
    return session.scalar(query) or 0


def deferred_metrics(session: Session) -> set[int]:
    """The metrics whose roll-ups this session defers."""
    return set(session.info.get(DEFERRED, ()))


def rebuild_deferred(session: Session, metric_ids: Iterable[int]) -> list[str]:
    """Rebuild the roll-ups of deferred metrics left stale; the codes of those rebuilt."""
    return bring_current(session, metric_ids)


def update_rollups(session: Session, changes: Changes) -> None:
    """Bring the roll-ups touched by ``changes`` up to date, in the session's transaction."""
    if not changes:
        return
    hierarchy = Hierarchy.current(session)
    lock_metrics(session, changes)
    metrics = metrics_by_id(session, changes)
    states = rollup_states(session, changes)
    deferred = deferred_metrics(session)
    for metric_id in sorted(changes):
        metric = metrics.get(metric_id)
        if metric is None or metric.rule is None:
            continue
        if metric_id in deferred:
            _mark_stale(session, metric_id)
        elif is_current(metric, states.get(metric_id), hierarchy):
            _update_metric(session, metric, changes[metric_id], hierarchy)
        else:
            rebuild_metric(session, metric, hierarchy)


def _mark_stale(session: Session, metric_id: int) -> None:
    state = session.get(RollupMetric, metric_id)
    if state is None:
        state = RollupMetric(metric_id=metric_id, period_kinds=[], levels=[])
        session.add(state)
    state.signature, state.updated_at = STALE, utcnow()
    session.flush()


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
    below: UnitRows = defaultdict(dict)
    extremes: dict[int, set[RowKey]] = defaultdict(set)
    kinds: set[str] = set()
    levels: set[str] = set()
    for unit_chunk in chunks(sorted(units)):
        touched = {unit_id: units[unit_id] for unit_id in unit_chunk}
        wanted = {
            unit_id: set().union(
                *(touched_periods(period, rule, metric.carry_months) for period in periods)
            )
            for unit_id, periods in touched.items()
        }
        start, end = _span(wanted.values(), metric.carry_months)
        stored = read_values(session, metric.id, unit_chunk, start, end)
        fresh = readings_in(session, metric.id, touched, hierarchy)
        changed: dict[int, list[Reading]] = {}
        removed: dict[int, list[Reading]] = {}
        for unit_id in unit_chunk:
            before = stored.get(unit_id, [])
            now = fresh.get(unit_id, [])
            after = _replaced(before, touched[unit_id], now, changed, removed, unit_id)
            deltas = _differences(
                own_stats(before, rule, metric.carry_months, metric.has_cells, wanted[unit_id]),
                own_stats(after, rule, metric.carry_months, metric.has_cells, wanted[unit_id]),
            )
            ancestors = hierarchy.ancestors(unit_id)
            push_up(below, ancestors, deltas)
            if rule.needs_extremes and deltas:
                for ancestor in ancestors:
                    extremes[ancestor] |= set(deltas)
            kinds |= period_types_of(now)
            if now and unit_id in hierarchy.units:
                levels.add(hierarchy.units[unit_id].level.value)
        write_values(session, metric.id, changed, removed)
    add_below(session, metric.id, below)
    if extremes:
        _refresh_extremes(session, metric, extremes, hierarchy)
    save_state(session, metric, hierarchy, kinds, levels, replace=False)


def _replaced(
    before: list[Reading],
    periods: set[Period],
    now: list[Reading],
    changed: dict[int, list[Reading]],
    removed: dict[int, list[Reading]],
    unit_id: int,
) -> list[Reading]:
    """A unit's values with those of ``periods`` replaced by ``now``; the changes recorded."""
    kept = [reading for reading in before if reading.period not in periods]
    old = {(r.period, r.dims_key): r for r in before if r.period in periods}
    new = {(r.period, r.dims_key): r for r in now}
    different = [r for cell, r in new.items() if old.get(cell) != r]
    gone = [r for cell, r in old.items() if cell not in new or new[cell].era != r.era]
    if different:
        changed[unit_id] = different
    if gone:
        removed[unit_id] = gone
    return kept + now


def _differences(old: dict[RowKey, Stat], new: dict[RowKey, Stat]) -> dict[RowKey, Stat]:
    """What changed between a unit's values over some periods, before and after."""
    deltas = {
        key: stat.minus(old.get(key)) for key, stat in new.items() if not stat.same_as(old.get(key))
    }
    for key in old.keys() - new.keys():
        deltas[key] = Stat().minus(old[key])
    return deltas


def _refresh_extremes(
    session: Session, metric: MetricInfo, keys: dict[int, set[RowKey]], hierarchy: Hierarchy
) -> None:
    """Recompute the lowest and highest value under each unit for these ``below`` rows.

    Extremes cannot move by differences (when the lowest value goes up, the next one is
    needed): a MIN or MAX metric's touched rows take them from the values beneath again.
    """
    rule = metric.rule
    assert rule is not None
    found: dict[int, dict[RowKey, tuple[float | None, float | None]]] = {}
    for ancestor, ancestor_keys in keys.items():
        periods = {key[0] for key in ancestor_keys}
        start, end = _span([periods], metric.carry_months)
        beneath = hierarchy.subtree(ancestor)[1:]
        extremes: dict[RowKey, Stat] = {key: Stat() for key in ancestor_keys}
        for readings in read_values(session, metric.id, beneath, start, end).values():
            stats = own_stats(readings, rule, metric.carry_months, metric.has_cells, periods)
            for key, stat in stats.items():
                if key in extremes:
                    extremes[key].add(stat)
        found[ancestor] = {key: (stat.low, stat.high) for key, stat in extremes.items()}
    set_extremes(session, metric.id, found)


def _span(wanted: Iterable[set[PeriodKey]], carry_months: int | None) -> tuple[date, date]:
    """The days whose observations the wanted periods are computed from."""
    periods = [key_period(key) for keys in wanted for key in keys]
    start = min(period.start for period in periods)
    if carry_months:
        start = add_months(start, -carry_months)
    return start, max(period.end for period in periods)
