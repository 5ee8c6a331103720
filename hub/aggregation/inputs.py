"""The version of exactly what an aggregate reads, for caches of whole answers.

An answer for a metric (or an indicator) depends on the unit tables, on the definitions of
the metrics it reads, and on their observations, whose roll-up state (``rollup_metrics``)
has an ``updated_at`` that every write touching them moves, in any process. Read before an
answer is made, this version tells a cache whether a kept answer still holds: a camera event
or a GRDP figure of another metric leaves it as it was, while a write to the metric, a
changed definition or changed units (new, moved, renamed) make a new one.

It is read on every ask of a kept response, so it is one statement for metrics (the
hierarchy's version with each metric's definition and roll-up state, as plain columns); an
indicator adds the reads of its definition and of its parts.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Sequence
from typing import Any

from sqlalchemy import Row, bindparam, select
from sqlalchemy.orm import Session

from hub.aggregation.catalog import indicator_by_code
from hub.aggregation.hierarchy import VERSION, version_columns, version_of
from hub.model import Metric, RollupMetric

DEFINITION = (
    Metric.code,
    Metric.id,
    Metric.aggregation,
    Metric.carry_forward_months,
    Metric.disaggregations,
    Metric.levels_add_up,
)
"""What aggregation reads of a metric's definition (as in ``catalog.MetricInfo``)."""
STATE = (RollupMetric.signature, RollupMetric.period_kinds, RollupMetric.levels)
"""What it reads of its roll-ups' state, besides ``updated_at``."""
METRICS = (
    select(*version_columns(), *DEFINITION, *STATE, RollupMetric.updated_at)
    .select_from(Metric)
    .outerjoin(RollupMetric, RollupMetric.metric_id == Metric.id)
    .where(Metric.code.in_(bindparam("codes", expanding=True)))
)
"""The hierarchy's version beside each metric's definition and state (built once: a
statement built anew costs more than running it)."""


def inputs_version(session: Session, codes: Iterable[str]) -> Hashable:
    """The version of what aggregates of these metric or indicator ``codes`` read."""
    wanted = sorted(set(codes))
    hierarchy, metrics = _metrics(session, wanted)
    indicators = []
    for code in wanted:
        if code in metrics:
            continue
        indicator = indicator_by_code(session, code)
        if indicator is None:
            metrics[code] = None  # unknown: the answer is an error, never kept
            continue
        indicators.append(indicator.definition)
        parts = [part for part in indicator.metric_codes if part not in metrics]
        metrics.update({part: None for part in parts})
        metrics.update(_metrics(session, parts)[1])
    return hierarchy, tuple(indicators), tuple(sorted(metrics.items(), key=lambda kv: kv[0]))


def _metrics(
    session: Session, codes: Sequence[str]
) -> tuple[tuple[int, int], dict[str, tuple[Any, ...] | None]]:
    """The hierarchy's version, and the definition and roll-up state of each metric found."""
    connection = session.connection()
    rows: Sequence[Row[Any]] = []
    if codes:
        rows = connection.execute(METRICS, {"codes": list(codes)}).all()
    if not rows:
        return version_of(*connection.execute(VERSION).one()), {}
    found = {row.code: _plain(tuple(row[2:])) for row in rows}
    return version_of(rows[0][0], rows[0][1]), found


def _plain(values: tuple[Any, ...]) -> tuple[Any, ...]:
    """Values as hashable ones (JSON lists as tuples)."""
    return tuple(tuple(value) if isinstance(value, list) else value for value in values)
