"""Whole responses to dashboard queries, kept until the database changes.

A wall of dashboards asks the same few ``aggregate`` queries every few seconds, while the
data under them changes every few minutes. The values themselves are cheap to find again
(:mod:`hub.aggregation.remembered`), but graphql-core still resolves every field of every
value: for a tile of a few hundred values, most of the time the query takes. So the response
itself is kept, for an operation that is a query of ``aggregate`` fields only and that was
answered without an error, under everything it depends on:

- the document, the operation's name and the variables;
- the caller's scope: who asks is checked on every request (a revoked token or a spent rate
  limit is refused as ever), but only what they may see makes the answer;
- today in Vietnam, the default ``asOf``;
- the database's data version (:mod:`hub.model.data_version`), read before the response is
  made: a commit anywhere makes a new key, so a response is never older than the data.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Hashable
from typing import Any

import anyio.to_thread
from graphql import ExecutionResult, FieldNode, OperationType
from graphql.utilities import get_operation_ast
from strawberry.extensions import SchemaExtension

from hub.graphql.access import caller_of
from hub.graphql.context import HubContext
from hub.graphql.errors import ApiError
from hub.memory import LeastRecentlyUsed
from hub.observability import metrics

KEPT_FIELD = "aggregate"
"""The root field of the queries whose responses are kept (``__typename`` may come along)."""


MAX_KEPT_VALUES = 5000
"""Values in a response at most, for it to be kept: a tile, not an export."""


class ResponseCache(LeastRecentlyUsed[Hashable, dict[str, Any]]):
    """Responses' data by their keys, the least recently used forgotten first.

    A response of more than ``max_values`` values (the items of its root lists) is not
    kept: ``size`` responses then hold a bounded amount of memory.
    """

    def __init__(self, size: int, max_values: int = MAX_KEPT_VALUES) -> None:
        super().__init__(size)
        self.max_values = max_values

    def put(self, key: Hashable, value: dict[str, Any]) -> None:
        if (
            sum(len(field) for field in value.values() if isinstance(field, list))
            <= self.max_values
        ):
            super().put(key, value)


class KeptResponses(SchemaExtension):
    """Answer a query from ``cache`` when it can be; keep the response when it may be."""

    def __init__(self, *, cache: ResponseCache) -> None:
        self.cache = cache

    async def on_execute(self) -> AsyncIterator[None]:
        key = await self._key()
        found = self.cache.get(key) if key is not None else None
        if key is not None:
            metrics.cache_lookup(hit=found is not None)
        if found is not None:
            self.execution_context.result = ExecutionResult(data=found)
        yield
        result = self.execution_context.result
        if key is not None and found is None and _answered(result):
            self.cache.put(key, result.data)  # type: ignore[union-attr]

    async def _key(self) -> Hashable | None:
        """The key of this request's response; None when it must not be kept."""
        execution = self.execution_context
        context = execution.context
        if not isinstance(context, HubContext) or not _only_kept_fields(execution):
            return None
        try:  # first: a token's first use is written down (and moves the data version)
            _, scope = await caller_of(context)
        except ApiError:
            return None  # the execution reports it, as for any other query
        version = await anyio.to_thread.run_sync(context.hub.db.data_version.current)
        if version is None:
            return None
        variables = json.dumps(execution.variables or {}, sort_keys=True, default=str)
        return (execution.query, execution.operation_name, variables, scope, context.today, version)


def _only_kept_fields(execution: Any) -> bool:
    """Whether the operation is a query of :data:`KEPT_FIELD` only (and ``__typename``)."""
    if execution.graphql_document is None:
        return False
    operation = get_operation_ast(execution.graphql_document, execution.operation_name)
    if operation is None or operation.operation != OperationType.QUERY:
        return False
    names = [
        selection.name.value if isinstance(selection, FieldNode) else None
        for selection in operation.selection_set.selections
    ]
    return KEPT_FIELD in names and set(names) <= {KEPT_FIELD, "__typename"}


def _answered(result: object) -> bool:
    return isinstance(result, ExecutionResult) and not result.errors and result.data is not None
