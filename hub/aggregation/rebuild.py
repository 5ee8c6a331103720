"""Building a metric's roll-ups from all its observations, and knowing when that is due.

A metric's roll-ups follow its definition (aggregation, carry-forward horizon,
disaggregations) and the unit hierarchy (parents, reforms). Both are summed up in a
signature stored with them; when the signature no longer matches, the roll-ups are rebuilt
before they are used, by the next ingest or query that needs them.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.aggregation.catalog import MetricInfo, RollupState, metrics_by_id, rollup_states
from hub.aggregation.hierarchy import Hierarchy
from hub.aggregation.observations import all_readings
from hub.aggregation.series import RowKey, own_stats, period_types_of
from hub.aggregation.setwise import rebuild_in_database
from hub.aggregation.stats import Stat
from hub.aggregation.store import delete_metric, insert_rows
from hub.connectors.locks import advisory_key
from hub.model import Metric, RollupMetric
from hub.model.base import utcnow


def rebuild_metric(
    session: Session, metric: MetricInfo, hierarchy: Hierarchy, in_database: bool = True
) -> None:
    """Replace every roll-up row of ``metric`` with rows computed from its observations.

    The database computes them where it can (:mod:`hub.aggregation.setwise`); Python does
    otherwise, or always with ``in_database=False``.
    """
    found = rebuild_in_database(session, metric, hierarchy) if in_database else None
    if found is not None:
        save_state(session, metric, hierarchy, *found, replace=True)
        return
    delete_metric(session, metric.id)
    rule = metric.rule
    kinds: set[str] = set()
    levels: set[str] = set()
    if rule is not None:
        below: dict[int, dict[RowKey, Stat]] = defaultdict(dict)
        for unit_id, readings in all_readings(session, metric.id, hierarchy):
            stats = own_stats(readings, rule, metric.carry_months, metric.has_cells)
            push_up(below, hierarchy.ancestors(unit_id), stats)
            kinds |= period_types_of(readings)
            if readings and unit_id in hierarchy.units:
                levels.add(hierarchy.units[unit_id].level.value)
        if not rule.needs_extremes:  # kept only where a query uses them (as on ingest)
            for rows in below.values():
                for stat in rows.values():
                    stat.low = stat.high = None
        insert_rows(session, metric.id, below)
    save_state(session, metric, hierarchy, kinds, levels, replace=True)


def push_up(
    below: dict[int, dict[RowKey, Stat]], ancestors: Iterable[int], rows: dict[RowKey, Stat]
) -> None:
    """Add a unit's rows (or changes to them) to the ``below`` rows of its ancestors."""
    for ancestor in ancestors:
        target = below[ancestor]
        for key, stat in rows.items():
            known = target.get(key)
            if known is None:
                target[key] = known = Stat()
            known.add(stat)


def save_state(
    session: Session,
    metric: MetricInfo,
    hierarchy: Hierarchy,
    kinds: set[str],
    levels: set[str],
    replace: bool,
) -> None:
    """Record the signature the roll-ups now follow and what the observations hold."""
    row = session.get(RollupMetric, metric.id)
    if row is None:
        row = RollupMetric(metric_id=metric.id, period_kinds=[], levels=[])
        session.add(row)
    if not replace:
        kinds = kinds | set(row.period_kinds or ())
        levels = levels | set(row.levels or ())
    row.signature = metric.signature(hierarchy)
    row.period_kinds, row.levels = sorted(kinds), sorted(levels)
    row.updated_at = utcnow()
    session.flush()


def is_current(metric: MetricInfo, state: RollupState | None, hierarchy: Hierarchy) -> bool:
    return state is not None and state.signature == metric.signature(hierarchy)


def stale_metrics(
    session: Session, metrics: Iterable[MetricInfo], hierarchy: Hierarchy
) -> list[MetricInfo]:
    """The metrics whose roll-ups no longer follow their definition or the hierarchy."""
    metrics = list(metrics)
    states = rollup_states(session, [metric.id for metric in metrics])
    return [m for m in metrics if not is_current(m, states.get(m.id), hierarchy)]


def bring_current(session: Session, ids: Iterable[int]) -> list[str]:
    """Rebuild the roll-ups of those metrics that are stale; the codes of those rebuilt."""
    hierarchy = Hierarchy.current(session)
    ids = sorted(set(ids))
    lock_metrics(session, ids)
    metrics = metrics_by_id(session, ids).values()
    stale = stale_metrics(session, metrics, hierarchy)  # again, now no one else can build
    for metric in stale:
        rebuild_metric(session, metric, hierarchy)
    return [metric.code for metric in stale]


def rebuild_all(session: Session, codes: Iterable[str] | None = None) -> list[str]:
    """Rebuild the roll-ups of the given metrics (all when None); the codes rebuilt."""
    query = select(Metric.id)
    if codes is not None:
        query = query.where(Metric.code.in_(list(codes)))
    ids = sorted(session.scalars(query))
    hierarchy = Hierarchy.current(session)
    lock_metrics(session, ids)
    metrics = metrics_by_id(session, ids)
    for metric_id in ids:
        rebuild_metric(session, metrics[metric_id], hierarchy)
    return [metrics[metric_id].code for metric_id in ids]


def lock_metrics(session: Session, ids: Iterable[int]) -> None:
    """On PostgreSQL, hold each metric's roll-up lock until the transaction ends.

    Two transactions that update the same metric's roll-ups then do so one after the other,
    each seeing what the other committed. (SQLite lets one transaction write at a time.)
    """
    if session.get_bind().dialect.name != "postgresql":
        return
    keys = sorted(advisory_key(f"iochub.rollups:{metric_id}") for metric_id in set(ids))
    if keys:  # one round trip; the statements run one after the other, in this order
        locks = ";".join(f"SELECT pg_advisory_xact_lock({key})" for key in keys)
        session.connection().exec_driver_sql(locks)
