"""Aggregation by administrative level and by time, on a hierarchy that changes.

- :func:`aggregate` answers the ``aggregate`` query of API.md from the roll-ups;
- :func:`note_changes` is how the ingest path keeps the roll-ups up to date;
- :func:`rebuild` builds a metric's roll-ups again from its observations.

docs/aggregation.md describes the semantics and the roll-up tables.
"""

from hub.aggregation.errors import AggregationError
from hub.aggregation.expressions import Expression, ExpressionError
from hub.aggregation.maintenance import note_changes
from hub.aggregation.query import aggregate, aggregate_in
from hub.aggregation.rebuild import rebuild_all as rebuild
from hub.aggregation.request import AggregateRequest, AggregateValue, Limits

__all__ = [
    "AggregateRequest",
    "AggregateValue",
    "AggregationError",
    "Expression",
    "ExpressionError",
    "Limits",
    "aggregate",
    "aggregate_in",
    "note_changes",
    "rebuild",
]
