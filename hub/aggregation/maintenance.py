"""Keeping roll-ups up to date on ingest, in the transaction that wrote the observations.

The writer tells :func:`note_changes` which observations a batch is about to upsert or
retract, and :func:`note_changes` remembers what each of them held before (the first time
the transaction touches it). Just before that transaction commits, the roll-ups they touch
are brought up to date, inside it, so the data and its roll-ups are committed together or
not at all. For each touched unit:

1. its values over every period holding the changed ones (the month's quarter, half-year
   and year; the periods a carried-forward stock reaches) are read from the observations,
   as they are now and as they were (the same rows, with what the transaction replaced
   put back), the source chosen in each;
2. its aggregates over those periods are computed from both, and the difference is added
   to the ``below`` rows of each of its ancestors (so the cost does not grow with the
   number of units below a province);
3. for MIN and MAX metrics, the extremes of the ``below`` rows touched are recomputed.

What other transactions commit meanwhile is in both readings, so it cancels out: each
transaction adds only its own difference. (Two runs of the same source, the only writers
of the same observations, never overlap: see :mod:`hub.connectors.locks`.)

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

from sqlalchemy import event
from sqlalchemy.orm import Session

from hub.aggregation.catalog import MetricInfo, RollupState, metrics_by_id, rollup_states
from hub.aggregation.hierarchy import Hierarchy
from hub.aggregation.observations import (
    Stored,
    StoredKey,
    choose,
    readings_between,
    stored_between,
    stored_keys,
)
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
    RowKey,
    key_period,
    own_stats,
    period_types_of,
    touched_periods,
)
from hub.aggregation.stats import Stat
from hub.aggregation.store import UnitRows, add_below, chunks, set_extremes
from hub.model import RollupMetric
from hub.model.base import utcnow
from hub.periods import Period, add_months, parse_period

PENDING = "iochub.rollups.pending"
REPLACED = "iochub.rollups.replaced"
DEFERRED = "iochub.rollups.deferred"
STALE = ""
"""The signature of roll-ups known not to follow their observations."""

Changes = dict[int, dict[int, set[Period]]]
"""Metric id → unit id → the periods of the observations written or retracted."""
Replaced = dict[int, dict[int, dict[StoredKey, Stored | None]]]
"""Metric id → unit id → what each observation the transaction wrote held before it (None:
it was new)."""


def note_changes(session: Session, rows: Iterable[Mapping[str, Any]]) -> None:
    """Remember which observations are about to be written or retracted, and what they
    held; the roll-ups follow at commit. Call it *before* writing them.

    ``rows`` are observation rows (or their natural keys): ``metric_id``, ``unit_id``,
    ``calendar``, ``period``, ``dims_key`` and ``source`` are read.
    """
    pending: Changes | None = session.info.get(PENDING)
    if pending is None:
        pending = session.info[PENDING] = defaultdict(lambda: defaultdict(set))
        session.info[REPLACED] = defaultdict(lambda: defaultdict(dict))
        event.listen(session, "before_commit", _before_commit)
        event.listen(session, "after_rollback", _after_rollback)
    replaced: Replaced = session.info[REPLACED]
    periods: dict[tuple[str, str], Period] = {}
    deferred = session.info.get(DEFERRED, ())
    first_seen: set[tuple[int, StoredKey]] = set()
    for row in rows:
        metric_id, unit_id = row["metric_id"], row["unit_id"]
        units = pending[metric_id]
        if metric_id in deferred:  # its roll-ups only go stale: no need to know where
            continue
        key = (row["period"], row["calendar"])
        period = periods.get(key)
        if period is None:
            period = periods[key] = parse_period(*key)
        units[unit_id].add(period)
        stored_key = (unit_id, row["calendar"], row["period"], row["dims_key"], row["source"])
        if stored_key not in replaced[metric_id][unit_id]:
            first_seen.add((metric_id, stored_key))
    _remember_replaced(session, replaced, first_seen)


def _remember_replaced(
    session: Session, replaced: Replaced, keys: set[tuple[int, StoredKey]]
) -> None:
    """Keep what these observations hold now, before the transaction first writes them."""
    if not keys:
        return
    found = stored_keys(session, {metric_id for metric_id, _ in keys}, keys)
    for metric_id, key in keys:
        replaced[metric_id][key[0]][key] = found.get((metric_id, key))


def defer_rollups(session: Session, metric_ids: Iterable[int]) -> None:
    """From now on, this session's commits mark these metrics' roll-ups stale instead of
    updating them; :func:`rebuild_deferred` brings them up to date."""
    deferred: set[int] = session.info.setdefault(DEFERRED, set())
    deferred.update(metric_ids)


def deferred_metrics(session: Session) -> set[int]:
    """The metrics whose roll-ups this session defers."""
    return set(session.info.get(DEFERRED, ()))


def rebuild_deferred(session: Session, metric_ids: Iterable[int]) -> list[str]:
    """Rebuild the roll-ups of deferred metrics left stale; the codes of those rebuilt."""
    return bring_current(session, metric_ids)


def update_rollups(session: Session, changes: Changes, replaced: Replaced) -> None:
    """Bring the roll-ups touched by ``changes`` up to date, in the session's transaction.

    ``replaced``: what the transaction's writes replaced, as :func:`note_changes` kept it.
    """
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
            _mark_stale(session, metric_id, states.get(metric_id))
        elif is_current(metric, states.get(metric_id), hierarchy):
            was = replaced.get(metric_id, {})
            _update_metric(session, metric, changes[metric_id], was, hierarchy)
        else:
            rebuild_metric(session, metric, hierarchy)


def _mark_stale(session: Session, metric_id: int, known: RollupState | None) -> None:
    """Mark the metric's roll-ups as not following its observations (once is enough:
    ``known`` was read under the metric's lock, so no one can have rebuilt them since)."""
    if known is not None and known.signature == STALE:
        return
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
        replaced: Replaced = session.info[REPLACED]
        was = {metric: dict(units) for metric, units in replaced.items()}
        pending.clear()
        replaced.clear()
        update_rollups(session, changes, was)


def _after_rollback(session: Session) -> None:
    pending: Changes | None = session.info.get(PENDING)
    if pending:
        pending.clear()
        session.info[REPLACED].clear()


def _update_metric(
    session: Session,
    metric: MetricInfo,
    units: dict[int, set[Period]],
    replaced: dict[int, dict[StoredKey, Stored | None]],
    hierarchy: Hierarchy,
) -> None:
    rule = metric.rule
    assert rule is not None
    below: UnitRows = defaultdict(dict)
    extremes: dict[int, set[RowKey]] = defaultdict(set)
    kinds: set[str] = set()
    levels: set[str] = set()
    for unit_chunk in chunks(sorted(units)):
        wanted = {
            unit_id: set().union(
                *(touched_periods(period, rule, metric.carry_months) for period in units[unit_id])
            )
            for unit_id in unit_chunk
        }
        start, end = _span(wanted.values(), metric.carry_months)
        stored = stored_between(session, metric.id, unit_chunk, start, end)
        for unit_id in unit_chunk:
            now = stored.get(unit_id, [])
            before = choose(_as_before(now, replaced.get(unit_id, {})), hierarchy)
            after = choose(now, hierarchy)
            deltas = _differences(
                own_stats(before, rule, metric.carry_months, metric.has_cells, wanted[unit_id]),
                own_stats(after, rule, metric.carry_months, metric.has_cells, wanted[unit_id]),
            )
            ancestors = hierarchy.ancestors(unit_id)
            push_up(below, ancestors, deltas)
            if rule.needs_extremes and deltas:
                for ancestor in ancestors:
                    extremes[ancestor] |= set(deltas)
            written = [reading for reading in after if reading.period in units[unit_id]]
            kinds |= period_types_of(written)
            if written and unit_id in hierarchy.units:
                levels.add(hierarchy.units[unit_id].level.value)
    add_below(session, metric.id, below)
    if extremes:
        _refresh_extremes(session, metric, extremes, hierarchy)
    save_state(session, metric, hierarchy, kinds, levels, replace=False)


def _as_before(now: list[Stored], replaced: dict[StoredKey, Stored | None]) -> list[Stored]:
    """A unit's observations as they were before the transaction wrote any of them."""
    if not replaced:
        return now
    kept = [row for row in now if row.key not in replaced]
    return kept + [row for row in replaced.values() if row is not None]


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
        values = readings_between(session, metric.id, beneath, start, end, hierarchy)
        for readings in values.values():
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
