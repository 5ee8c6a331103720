"""Texts written in a query document itself, checked as the JSON around them is
(:mod:`hub.graphql.bodies`): a string literal holding the NUL character is refused."""

from __future__ import annotations

from typing import Any

from graphql import GraphQLError, StringValueNode, ValidationRule

from hub.graphql.bodies import NUL, NUL_REFUSED


class TextsWithoutNul(ValidationRule):
    """A validation rule: ``"\\u0000"`` in a literal is a mistake of the document."""

    def enter_string_value(self, node: StringValueNode, *_args: Any) -> None:
        if NUL in node.value:
            self.report_error(GraphQLError(NUL_REFUSED, node))
