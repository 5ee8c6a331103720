"""The version of exactly what an aggregate reads, for caches of whole answers.

An answer for a metric (or an indicator) depends on the unit tables, on the definitions of
the metrics it reads, and on their observations, whose roll-up state (``rollup_metrics``)
has an ``updated_at`` that every write touching them moves, in any process. Read before an
answer is made, this version tells a cache whether a kept answer still holds: a camera event
or a GRDP figure of another metric leaves it as it was, while a write to the metric, a
changed definition or new units make a new one.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable

from sqlalchemy.orm import Session

from hub.aggregation.catalog import (
    MetricInfo,
    indicator_by_code,
    metric_by_code,
    rollup_states,
)
from hub.aggregation.hierarchy import Hierarchy


def inputs_version(session: Session, codes: Iterable[str]) -> Hashable:
    """The version of what aggregates of these metric or indicator ``codes`` read."""
    metrics: dict[str, MetricInfo | None] = {}
    indicators = []
    for code in sorted(set(codes)):
        metric = metric_by_code(session, code)
        indicator = indicator_by_code(session, code) if metric is None else None
        if indicator is None:
            metrics[code] = metric
            continue
        indicators.append(indicator.definition)
        for part in indicator.metric_codes:
            metrics.setdefault(part, metric_by_code(session, part))
    known = {code: info for code, info in metrics.items() if info is not None}
    states = rollup_states(session, [info.id for info in known.values()])
    return (
        Hierarchy.current(session).version,
        tuple(indicators),
        tuple((code, info, info and states.get(info.id)) for code, info in metrics.items()),
    )
