"""Whole responses to dashboard queries, kept until what they read changes.

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
- the version of exactly what its aggregates read (:mod:`hub.aggregation.inputs`: the unit
  tables, the metrics' definitions and roll-up state), read before the response is made and
  compared at each ask: a write to one metric, from any process, is seen by the next ask of
  it, while the responses of other metrics stay kept, however busy the database is.

Concurrent asks of one response that is not kept compute it once: the others wait for it
(single flight), so a wall of screens refreshing together after a write costs one answer.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Hashable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

from graphql import ExecutionResult, FieldNode, OperationType, StringValueNode, VariableNode
from graphql.utilities import get_operation_ast
from strawberry.extensions import SchemaExtension

from hub.aggregation.inputs import inputs_version
from hub.graphql.access import caller_reading
from hub.graphql.context import HubContext
from hub.graphql.errors import ApiError
from hub.memory import LeastRecentlyUsed

KEPT_FIELD = "aggregate"
"""The root field of the queries whose responses are kept (``__typename`` may come along)."""
ROOT_FIELDS = frozenset({KEPT_FIELD, "__typename"})


MAX_KEPT_VALUES = 5000
"""Values in a response at most, for it to be kept: a tile, not an export."""


@dataclass(frozen=True)
class KeptResponse:
    """A response's data, and the version of what it read when it was made."""

    version: Hashable
    data: dict[str, Any]


class ResponseCache(LeastRecentlyUsed[Hashable, KeptResponse]):
    """Responses by their requests, the least recently used forgotten first.

    A response of more than ``max_values`` values (the items of its root lists) is not
    kept: ``size`` responses then hold a bounded amount of memory. ``hits`` and ``misses``
    count the asks answered from it and those that were not.
    """

    def __init__(self, size: int, max_values: int = MAX_KEPT_VALUES) -> None:
        super().__init__(size)
        self.max_values = max_values
        self.hits = 0
        self.misses = 0
        self.flights = SingleFlight()

    def put(self, key: Hashable, value: KeptResponse) -> None:
        lists = (field for field in value.data.values() if isinstance(field, list))
        if sum(len(field) for field in lists) <= self.max_values:
            super().put(key, value)

    def current(self, key: Hashable, version: Hashable) -> dict[str, Any] | None:
        """The data kept for ``key`` if it was made on ``version``."""
        found = self.get(key)
        return found.data if found is not None and found.version == version else None


class SingleFlight:
    """One computation at a time for each key; whoever waited finds its result kept."""

    def __init__(self) -> None:
        self._locks: dict[Hashable, tuple[asyncio.Lock, int]] = {}

    @asynccontextmanager
    async def turn(self, key: Hashable) -> AsyncIterator[None]:
        lock, waiting = self._locks.get(key, (asyncio.Lock(), 0))
        self._locks[key] = (lock, waiting + 1)
        try:
            async with lock:
                yield
        finally:
            lock, waiting = self._locks[key]
            if waiting == 1:
                del self._locks[key]
            else:
                self._locks[key] = (lock, waiting - 1)


class KeptResponses(SchemaExtension):
    """Answer a query from ``cache`` when it can be; keep the response when it may be."""

    def __init__(self, *, cache: ResponseCache) -> None:
        self.cache = cache

    async def on_execute(self) -> AsyncIterator[None]:
        kept = await self._key()
        if kept is None:
            yield
            return
        key, version = kept
        found = self.cache.current(key, version)
        if found is None:
            async with self.cache.flights.turn(key):
                found = self.cache.current(key, version)  # made while this ask waited
                if found is None:
                    self.cache.misses += 1
                    yield
                    if _answered(self.execution_context.result):
                        data = self.execution_context.result.data  # type: ignore[union-attr]
                        self.cache.put(key, KeptResponse(version, data))
                    return
        self.cache.hits += 1
        self.execution_context.result = ExecutionResult(data=found)
        yield

    async def _key(self) -> tuple[Hashable, Hashable] | None:
        """This request's key and the version of what it reads; None when it is not kept."""
        execution = self.execution_context
        context = execution.context
        if not isinstance(context, HubContext):
            return None
        codes = _aggregated_codes(execution)
        if not codes:
            return None
        try:  # first: a token's first use is written down; the version in the same hop
            _, scope, version = await caller_reading(
                context, lambda session: inputs_version(session, codes)
            )
        except ApiError:
            return None  # the execution reports it, as for any other query
        variables = json.dumps(execution.variables or {}, sort_keys=True, default=str)
        key = (execution.query, execution.operation_name, variables, scope, context.today)
        return key, version


def _aggregated_codes(execution: Any) -> list[str] | None:
    """The metrics and indicators asked by an operation that is a query of
    :data:`KEPT_FIELD` only (and ``__typename``); None for any other operation."""
    if execution.graphql_document is None:
        return None
    operation = get_operation_ast(execution.graphql_document, execution.operation_name)
    if operation is None or operation.operation != OperationType.QUERY:
        return None
    selections = operation.selection_set.selections
    if not all(isinstance(s, FieldNode) and s.name.value in ROOT_FIELDS for s in selections):
        return None
    variables = execution.variables or {}
    codes = [
        _metric_argument(field, variables)
        for field in selections
        if isinstance(field, FieldNode) and field.name.value == KEPT_FIELD
    ]
    return codes if codes and all(isinstance(code, str) for code in codes) else None


def _metric_argument(field: FieldNode, variables: dict[str, Any]) -> Any:
    for argument in field.arguments or ():
        if argument.name.value != "metric":
            continue
        if isinstance(argument.value, StringValueNode):
            return argument.value.value
        if isinstance(argument.value, VariableNode):
            return variables.get(argument.value.name.value)
    return None


def _answered(result: object) -> bool:
    return isinstance(result, ExecutionResult) and not result.errors and result.data is not None
