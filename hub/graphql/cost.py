"""What a request would cost, counted before it runs, and the limit ``[server] max_cost``.

A field costs its expected size times one plus the cost of what it selects; a scalar costs
nothing. So the cost counts the objects an answer would hold, multiplied along each path
and summed over the fields and aliases of a selection. The expected sizes (:class:`Sizes`):

- ``children`` of a unit: the most children a unit of its level has in the hierarchy (the
  level known along the path: ``adminUnit(code:)`` gives it, ``children`` and ``parent``
  move it down and up); ``successors``, ``predecessors``: the most a unit has;
- ``adminUnits``: the units of the level inside ``within`` on the day (all units without
  a level);
- ``aggregate``: its units (``units``, or those of ``level`` inside ``within``) times its
  periods, at most ``[aggregation] max_values``;
- a page (``events``, ``alerts``, ``quarantine``, ``auditLog``): ``first`` (its ``edges``
  then count once); a connector's
  ``runs``: ``last``; ``metrics``, ``indicators``, ``connectors``: how many there are;
- any other list: :data:`DEFAULT_LIST_SIZE`.

A request over the limit is refused with BAD_USER_INPUT naming its cost and the limit.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import AsyncIterator, Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from functools import cached_property
from typing import TYPE_CHECKING, Any

import anyio.to_thread
from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLSchema,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
    get_named_type,
    get_operation_ast,
    value_from_ast_untyped,
)
from strawberry.extensions import SchemaExtension

from hub.aggregation.checks import period_range
from hub.aggregation.hierarchy import Hierarchy
from hub.aggregation.request import AggregateRequest
from hub.aggregation.targets import targets_in, units_of_level
from hub.graphql.errors import BadUserInput, refuse
from hub.model import AdminLevel
from hub.periods.periods import Calendar, PeriodType

if TYPE_CHECKING:
    from hub.core import Hub

DEFAULT_LIST_SIZE = 20
Levels = frozenset[AdminLevel] | None
"""The levels a unit along a path may be of (None: not known)."""


@dataclass(frozen=True)
class UnitShape:
    """How wide the hierarchy is, level by level (read once per version of the hierarchy)."""

    most_children: dict[AdminLevel, int]
    child_levels: dict[AdminLevel, frozenset[AdminLevel]]
    parent_levels: dict[AdminLevel, frozenset[AdminLevel]]
    most_links: int
    """The most successors or predecessors one unit has."""

    @classmethod
    def of(cls, hierarchy: Hierarchy) -> UnitShape:
        most: dict[AdminLevel, int] = defaultdict(int)
        below: dict[AdminLevel, set[AdminLevel]] = defaultdict(set)
        above: dict[AdminLevel, set[AdminLevel]] = defaultdict(set)
        for parent_id, children in hierarchy.children.items():
            level = hierarchy.units[parent_id].level
            most[level] = max(most[level], len(children))
            for child in children:
                below[level].add(hierarchy.units[child].level)
                above[hierarchy.units[child].level].add(level)
        links = [*hierarchy.successors.values(), *hierarchy.predecessors.values()]
        return cls(
            most_children=dict(most),
            child_levels={level: frozenset(found) for level, found in below.items()},
            parent_levels={level: frozenset(found) for level, found in above.items()},
            most_links=max((len(found) for found in links), default=0),
        )

    def children(self, levels: Levels) -> tuple[int, Levels]:
        """The most children a unit of these levels has, and their levels."""
        chosen = self.most_children.keys() if levels is None else levels
        size = max((self.most_children.get(level, 0) for level in chosen), default=0)
        return size, _union(self.child_levels.get(level, frozenset()) for level in chosen)

    def parents(self, levels: frozenset[AdminLevel]) -> Levels:
        return _union(self.parent_levels.get(level, frozenset()) for level in levels)


def _union(sets: Iterable[frozenset[AdminLevel]]) -> frozenset[AdminLevel]:
    return frozenset().union(*sets)


@dataclass
class Sizes:
    """The expected size of each list field, on the hub's data as it is now."""

    hub: Hub
    today: date

    @cached_property
    def hierarchy(self) -> Hierarchy:
        """The units, read only by a request that asks for some (kept while unchanged)."""
        with self.hub.db.sessions() as session:
            return Hierarchy.current(session)

    @property
    def shape(self) -> UnitShape:
        return self.hierarchy.cached("cost:shape", UnitShape.of)

    def units_listed(self, args: Mapping[str, Any]) -> int:
        """How many units ``adminUnits(level, within, asOf)`` lists."""
        day = _day(args.get("asOf"), self.today)
        level = _level(args.get("level"))
        within = args.get("within")
        if level is None:
            if within is None:
                return sum(1 for unit in self.hierarchy.units.values() if unit.valid_on(day))
            return max(
                (len(self.hierarchy.on_map(u.id, day)) for u in self._units(within)), default=0
            )
        try:
            return len(units_of_level(self.hierarchy, level, _text(within), day))
        except ValueError:  # no such unit or level: the query says so
            return 0

    def aggregate_values(self, args: Mapping[str, Any]) -> int:
        """How many values an ``aggregate`` gives: its units times its periods."""
        settings = self.hub.settings.aggregation
        try:
            request = AggregateRequest(
                metric=str(args.get("metric")),
                period_type=PeriodType(args.get("periodType")),
                start=str(args.get("from")),
                end=str(args.get("to")),
                calendar=Calendar(args.get("calendar") or Calendar.GREGORIAN),
                level=_level(args.get("level")),
                within=_text(args.get("within")),
                units=tuple(str(code) for code in args["units"]) if args.get("units") else None,
                as_of=_day(args.get("asOf"), self.today),
            )
            units = targets_in(self.hierarchy, request, request.as_of, settings.default_within)
            periods = period_range(
                request.start,
                request.end,
                request.period_type,
                request.calendar,
                settings.max_values,
            )
        except (ValueError, TypeError):  # AggregationError, PeriodError included
            return 1  # a mistake the aggregate itself will report
        return min(len(units) * len(periods), settings.max_values)

    def _units(self, code: Any) -> list[Any]:
        return self.hierarchy.with_code(str(code))


def _day(value: Any, default: date) -> date:
    try:
        return date.fromisoformat(value) if isinstance(value, str) else default
    except ValueError:
        return default


def _level(value: Any) -> AdminLevel | None:
    try:
        return AdminLevel(value) if value is not None else None
    except ValueError:
        return None


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


class CostCounter:
    """Counts the cost of one operation of a parsed document (see the module's docstring)."""

    def __init__(
        self,
        schema: GraphQLSchema,
        fragments: dict[str, FragmentDefinitionNode],
        variables: Mapping[str, Any],
        sizes: Sizes,
    ) -> None:
        self.schema = schema
        self.fragments = fragments
        self.variables = variables
        self.sizes = sizes

    def operation(self, operation: OperationDefinitionNode) -> int:
        """The cost of one operation of the document."""
        root = self.schema.get_root_type(operation.operation)
        if root is None:
            return 0
        return self.selections(operation.selection_set, root, None)

    def selections(self, selection_set: SelectionSetNode, parent: Any, levels: Levels) -> int:
        total = 0
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                total += self.field(selection, parent, levels)
            elif isinstance(selection, FragmentSpreadNode):
                fragment = self.fragments.get(selection.name.value)
                if fragment is not None:
                    on = self.schema.get_type(fragment.type_condition.name.value)
                    total += self.selections(fragment.selection_set, on, levels)
            elif isinstance(selection, InlineFragmentNode):
                condition = selection.type_condition
                on = parent if condition is None else self.schema.get_type(condition.name.value)
                total += self.selections(selection.selection_set, on, levels)
        return total

    def field(self, node: FieldNode, parent: Any, levels: Levels) -> int:
        """A field's expected size times one plus the cost of what it selects."""
        name = node.name.value
        if name.startswith("__") or not isinstance(parent, GraphQLObjectType):
            return 0
        definition = parent.fields.get(name)
        if definition is None:
            return 0
        target = get_named_type(definition.type)
        if node.selection_set is None:
            return 0
        args = self.arguments(node)
        size, levels = self.size(parent.name, name, args, _is_list(definition.type), levels)
        inner = self.selections(node.selection_set, target, levels)
        return size * (1 + inner)

    def arguments(self, node: FieldNode) -> dict[str, Any]:
        return {
            argument.name.value: value_from_ast_untyped(argument.value, self.variables)
            for argument in node.arguments or ()
        }

    def size(
        self, parent: str, name: str, args: dict[str, Any], is_list: bool, levels: Levels
    ) -> tuple[int, Levels]:
        """The expected size of a field and the levels of the units it gives."""
        sizes = self.sizes
        match parent, name:
            case ("AdminUnit", "children"):
                return sizes.shape.children(levels)
            case ("AdminUnit", "parent"):
                return 1, None if levels is None else sizes.shape.parents(levels)
            case ("AdminUnit", "successors" | "predecessors"):
                return sizes.shape.most_links, levels
            case (_, "adminUnit"):
                units = sizes.hierarchy.with_code(str(args.get("code")))
                return 1, frozenset(unit.level for unit in units) or None
            case (_, "adminUnits"):
                level = _level(args.get("level"))
                return sizes.units_listed(args), None if level is None else frozenset({level})
            case (_, "aggregate"):
                return sizes.aggregate_values(args), None
            case (_, "metrics"):
                return len(sizes.hub.definitions.metrics), levels
            case (_, "indicators"):
                return len(sizes.hub.definitions.indicators), levels
            case (_, "connectors"):
                return len(sizes.hub.settings.connectors), levels
            case (_, "reportingComplianceHistory"):
                return _count(args.get("count"), 6), levels
            case ("Connector", "runs"):
                return _count(args.get("last"), 10), levels
            case (_, "events" | "alerts" | "quarantine" | "auditLog") if parent != "Subscription":
                return _count(args.get("first"), 50), levels
            case (_, "edges"):
                return 1, levels  # the page, counted by its connection's `first`
            case ("AggregateValue", "unit"):
                return 1, None
        return (DEFAULT_LIST_SIZE if is_list else 1), levels


def _count(value: Any, default: int) -> int:
    return value if isinstance(value, int) and value >= 0 else default


def _is_list(kind: Any) -> bool:
    while isinstance(kind, GraphQLNonNull):
        kind = kind.of_type
    return isinstance(kind, GraphQLList)


def request_cost(
    hub: Hub,
    schema: GraphQLSchema,
    document: Any,
    operation_name: str | None,
    variables: Mapping[str, Any] | None,
    today: date,
) -> int:
    """The cost of the operation a request runs (0 if the document names none)."""
    operation = get_operation_ast(document, operation_name)
    if operation is None:
        return 0
    fragments = {
        definition.name.value: definition
        for definition in document.definitions
        if isinstance(definition, FragmentDefinitionNode)
    }
    values = {
        definition.variable.name.value: value_from_ast_untyped(definition.default_value)
        for definition in operation.variable_definitions or ()
        if definition.default_value is not None
    }
    if isinstance(variables, Mapping):  # else graphql reports the mistake
        values.update(variables)
    sizes = Sizes(hub, today)
    return CostCounter(schema, fragments, values, sizes).operation(operation)


class CostLimit(SchemaExtension):
    """Refuse an operation whose cost is over ``[server] max_cost`` before it runs."""

    def __init__(self, *, max_cost: int) -> None:
        self.max_cost = max_cost

    async def on_execute(self) -> AsyncIterator[None]:
        context = self.execution_context
        hub_context = context.context
        # A response answered from those kept (hub.graphql.response_cache) was made under
        # this limit, for the same request on the same units: its cost was counted then.
        answered = context.result is not None
        if context.graphql_document is not None and self.max_cost > 0 and not answered:
            cost = await anyio.to_thread.run_sync(
                request_cost,
                hub_context.hub,
                context.schema._schema,
                context.graphql_document,
                context.operation_name,
                context.variables,
                hub_context.today,
            )
            if cost > self.max_cost:
                refuse(
                    context,
                    BadUserInput(
                        f"this request would cost {cost:,}, over the limit of {self.max_cost:,} "
                        "([server] max_cost): ask for fewer units, periods, levels or aliases, "
                        "or page with first/after"
                    ),
                )
        yield
