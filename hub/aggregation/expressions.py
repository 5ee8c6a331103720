"""Indicator expressions: arithmetic over metric codes and ``days``, evaluated safely.

An expression is parsed with Python's own parser, then only a few node types are allowed:
numbers, names, ``+ - * /``, unary minus and parentheses. Nothing is ever passed to
``eval``; a name is only ever looked up in the values given.

    >>> Expression.parse("hospital_beds * days").evaluate({"hospital_beds": 10, "days": 31})
    310.0
"""

from __future__ import annotations

import ast
import operator
from collections.abc import Callable, Mapping
from dataclasses import dataclass

DAYS = "days"
"""The number of days of the period, available to every expression."""

_BINARY: dict[type[ast.operator], Callable[[float, float], float]] = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
}
_UNARY: dict[type[ast.unaryop], Callable[[float], float]] = {
    ast.USub: operator.neg,
    ast.UAdd: operator.pos,
}


class ExpressionError(ValueError):
    """An expression that is not arithmetic over names and numbers."""


@dataclass(frozen=True)
class Expression:
    """A parsed expression and the names it uses."""

    text: str
    tree: ast.expr
    names: frozenset[str]

    @classmethod
    def parse(cls, text: str) -> Expression:
        """Parse ``text``; ExpressionError says what is not allowed."""
        try:
            tree = ast.parse(text.strip(), mode="eval").body
        except SyntaxError:
            raise ExpressionError(f"{text!r} is not an arithmetic expression") from None
        names: set[str] = set()
        _check(tree, text, names)
        return cls(text, tree, frozenset(names))

    def evaluate(self, values: Mapping[str, float | None]) -> float | None:
        """The value, or None when a name has no value or a division is by zero."""
        try:
            return _evaluate(self.tree, values)
        except (_Missing, ZeroDivisionError):
            return None


def unknown_names(expression: Expression, known: set[str]) -> list[str]:
    """The names an expression uses that are neither in ``known`` nor ``days``."""
    return sorted(expression.names - known - {DAYS})


class _Missing(Exception):
    pass


def _check(node: ast.AST, text: str, names: set[str]) -> None:
    if isinstance(node, ast.BinOp) and type(node.op) in _BINARY:
        _check(node.left, text, names)
        _check(node.right, text, names)
    elif isinstance(node, ast.UnaryOp) and type(node.op) in _UNARY:
        _check(node.operand, text, names)
    elif isinstance(node, ast.Name):
        names.add(node.id)
    elif not (_is_number(node)):
        raise ExpressionError(
            f"{text!r}: only numbers, metric codes, days, + - * / and parentheses are allowed"
        )


def _is_number(node: ast.AST) -> bool:
    return (
        isinstance(node, ast.Constant)
        and isinstance(node.value, int | float)
        and not isinstance(node.value, bool)
    )


def _evaluate(node: ast.expr, values: Mapping[str, float | None]) -> float:
    if isinstance(node, ast.BinOp):
        left, right = _evaluate(node.left, values), _evaluate(node.right, values)
        return _BINARY[type(node.op)](left, right)
    if isinstance(node, ast.UnaryOp):
        return _UNARY[type(node.op)](_evaluate(node.operand, values))
    if isinstance(node, ast.Name):
        value = values.get(node.id)
        if value is None:
            raise _Missing(node.id)
        return float(value)
    return float(node.value)  # type: ignore[attr-defined]


def indicator_problems(
    indicators: Mapping[str, tuple[str | None, str | None]],
    aggregations: Mapping[str, str],
) -> list[str]:
    """What is wrong with indicators' expressions, one line each (for the start-up check).

    ``indicators``: code → (numerator, denominator); ``aggregations``: metric code → its
    aggregation type. Each name must be a metric that aggregates, or ``days``.
    """
    problems = []
    for code, parts in sorted(indicators.items()):
        for role, text in zip(("numerator", "denominator"), parts, strict=True):
            if text is None:
                continue
            where = f"indicator {code!r}: {role} {text!r}"
            try:
                expression = Expression.parse(text)
            except ExpressionError:
                problems.append(
                    f"{where} is not arithmetic over metric codes, days, numbers, + - * / "
                    "and parentheses"
                )
                continue
            for name in unknown_names(expression, set(aggregations)):
                problems.append(f"{where} uses {name!r}, which no plugin or config defines")
            for name in sorted(expression.names & set(aggregations)):
                if aggregations[name] == "NONE":
                    problems.append(f"{where} uses {name!r}, which is not aggregated (NONE)")
    return problems
