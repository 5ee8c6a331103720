"""Lists of plain objects completed in one pass, not field by field.

graphql-core completes every field of every object of a list through its general machinery
(a path, a resolve info, the resolver, the null and type checks, the scalar's coercion):
5–10 µs a field, most of the time of a dashboard answer made anew (400 values of three
fields: 1,600 fields). A resolver that returns a :class:`PlainList` says that its items are
plain objects: the execution context here (:class:`PlainListCompletion`) then plans the
list's selection once — which attribute each response name reads, how each scalar is
written, the nested objects' own plans — and builds the list's response in one pass, each
nested object (a value's unit) rendered once however many items share it.

The plan covers fields without a resolver, arguments or field extensions, whose type is a
scalar, an enum or such an object (nullable or not), selected directly, through fragments,
aliases or ``@skip``/``@include``. Anything else — a field with a resolver (a unit's
``parent``), a list or abstract type, a deferred fragment, a field middleware — and any value
the plan does not take as it is (a null in a non-null field, a float a Float would refuse, an
attribute that raises) sends the whole list back to graphql-core's path: the response, its
errors included, is exactly what graphql-core makes.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any, TypeVar

from graphql import (
    GraphQLBoolean,
    GraphQLField,
    GraphQLFloat,
    GraphQLID,
    GraphQLLeafType,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLResolveInfo,
    GraphQLString,
    Undefined,
    is_leaf_type,
    is_list_type,
    is_non_null_type,
    is_object_type,
)
from graphql.execution.collect_fields import FieldDetailsList
from graphql.pyutils import Path
from strawberry.resolvers import is_default_resolver
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext
from strawberry.schema.schema_converter import GraphQLCoreConverter
from strawberry.types.field import StrawberryField

Item = TypeVar("Item")
Render = Callable[[Any], Any]


class PlainList(list[Item]):
    """A resolver's list whose items' selected fields are plain attributes (see module)."""


class NotPlain(Exception):
    """The plan does not cover this selection or value: graphql-core completes the list."""


PLAIN_SCALARS: dict[object, type] = {
    GraphQLString: str,
    GraphQLID: str,
    GraphQLBoolean: bool,
    GraphQLFloat: float,
}
"""Built-in scalars, and the Python type whose values each writes unchanged (graphql-core's
coercion returns these very objects; a float only if finite). Any other value, an Int's
included (its range is checked), goes through the scalar's own coercion."""


class PlainListCompletion(StrawberryGraphQLCoreExecutionContext):
    """Strawberry's execution context, completing a :class:`PlainList` in one pass."""

    def complete_value(
        self,
        return_type: GraphQLOutputType,
        field_details_list: FieldDetailsList,
        info: GraphQLResolveInfo,
        path: Path,
        result: Any,
        position_context: Any,
    ) -> Any:
        if type(result) is PlainList:
            result = list(result)
            try:
                return self._rendered_list(return_type, field_details_list, result)
            except NotPlain:
                pass  # graphql-core's path, below, makes the response and its errors
        return super().complete_value(
            return_type, field_details_list, info, path, result, position_context
        )

    def _rendered_list(
        self, return_type: GraphQLOutputType, fields: FieldDetailsList, items: list[Any]
    ) -> list[Any]:
        if self.middleware_manager and self.middleware_manager.middlewares:
            raise NotPlain("a middleware wraps every field")
        list_type = return_type.of_type if is_non_null_type(return_type) else return_type
        if not is_list_type(list_type):
            raise NotPlain("not a list")
        item_type = list_type.of_type
        nullable = not is_non_null_type(item_type)
        object_type = item_type if nullable else item_type.of_type
        if not is_object_type(object_type):
            raise NotPlain("not a list of objects")
        render = self._object_plan(object_type, fields)
        written = []
        for item in items:
            if item is not None and item is not Undefined:
                written.append(render(item))
            elif nullable:
                written.append(None)
            else:
                raise NotPlain("null item in a list of non-null items")
        return written

    def _object_plan(self, object_type: GraphQLObjectType, fields: FieldDetailsList) -> Render:
        """How an object of ``object_type`` selected by ``fields`` is written."""
        if object_type.is_type_of is not None:
            raise NotPlain("the type checks its objects")
        grouped, deferred, _ = self.collect_subfields(object_type, fields)
        if deferred:
            raise NotPlain("a deferred fragment")
        readers: list[tuple[str, Render]] = []
        for response_name, details in grouped.items():
            name = details[0].node.name.value
            if name == "__typename":
                readers.append((response_name, _constant(object_type.name)))
                continue
            field = object_type.fields.get(name)
            if field is None:
                raise NotPlain(f"no field {name}")
            readers.append((response_name, self._field_reader(field, details)))

        def render(source: Any) -> dict[str, Any]:
            written = {}
            for response_name, read in readers:
                written[response_name] = read(source)
            return written

        return render

    def _field_reader(self, field: GraphQLField, details: FieldDetailsList) -> Render:
        """How a field's value is read from its object and written."""
        definition = field.extensions.get(GraphQLCoreConverter.DEFINITION_BACKREF)
        if not isinstance(definition, StrawberryField) or not definition.is_basic_field:
            raise NotPlain("a field with a resolver or extensions")
        if field.args or not is_default_resolver(field.resolve):
            raise NotPlain("a field with arguments or its own resolver")
        nullable = not is_non_null_type(field.type)
        inner = field.type if nullable else field.type.of_type  # type: ignore[union-attr]
        if is_leaf_type(inner):
            write = self._leaf_writer(inner)  # type: ignore[arg-type]
        elif is_object_type(inner):
            write = _once_per_object(self._object_plan(inner, details))  # type: ignore[arg-type]
        else:
            raise NotPlain("a list or abstract field")
        attribute, resolve = definition.python_name, definition.default_resolver
        plain = PLAIN_SCALARS.get(inner)  # None for any other type

        def read(source: Any) -> Any:
            try:
                value = resolve(source, attribute)
            except Exception as exc:
                raise NotPlain("an attribute that raises") from exc
            kind = type(value)
            if kind is plain and (kind is not float or -math.inf < value < math.inf):
                return value  # most fields of most values: written as they are
            if isinstance(value, Exception):
                raise NotPlain("an error in place of a value")
            if value is None or value is Undefined:
                if nullable:
                    return None
                raise NotPlain("null in a non-null field")
            return write(value)

        return read

    def _leaf_writer(self, leaf_type: GraphQLLeafType) -> Render:
        """A scalar's or enum's value as graphql-core writes it."""

        def write(value: Any) -> Any:
            try:
                return self.complete_leaf_value(leaf_type, value)
            except Exception as exc:
                raise NotPlain("a value the scalar refuses") from exc

        return write


def _constant(value: str) -> Render:
    return lambda _source: value


def _once_per_object(render: Render) -> Render:
    """``render``, remembered per object: a unit shared by many values is written once."""
    written: dict[int, tuple[Any, Any]] = {}

    def write(source: Any) -> Any:
        found = written.get(id(source))
        if found is None:  # the object is kept beside its rendering: its id stays its own
            found = written[id(source)] = (source, render(source))
        return found[1]

    return write
