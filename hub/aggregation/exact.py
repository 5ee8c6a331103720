"""Arithmetic on values as the decimals they stand for.

A stored value is a double, served back exactly (its shortest round-trip form). Values added
in binary pick up noise (2.2 + 2.6 is 4.800000000000001), so sums and means the hub
computes itself read each double as the shortest decimal that gives it back, compute in
decimal, and round once at the end: 2.2 + 2.6 is 4.8. Whole numbers, the common case, add
exactly in binary and skip the decimals.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal


def decimal(value: float) -> Decimal:
    """The shortest decimal that reads back as ``value``."""
    return Decimal(repr(value))


def add(a: float, b: float) -> float:
    """``a + b`` computed on their decimals."""
    if a == 0 or b == 0 or (a.is_integer() and b.is_integer()):
        return a + b
    return float(decimal(a) + decimal(b))


def total(values: Iterable[float]) -> float:
    """The sum of ``values`` computed on their decimals."""
    values = list(values)
    if all(value.is_integer() for value in values):
        return float(sum(values))
    return float(sum(map(decimal, values), Decimal(0)))


def weighted_mean(values: Iterable[tuple[float, float]]) -> float:
    """The mean of ``(value, weight)`` pairs, each value counting for its weight."""
    pairs = list(values)
    weights = sum((decimal(weight) for _, weight in pairs), Decimal(0))
    return float(sum((decimal(v) * decimal(w) for v, w in pairs), Decimal(0)) / weights)


def divide(a: float, b: float, factor: float = 1.0) -> float:
    """``factor × a / b`` computed on their decimals (``b`` not zero)."""
    return float(decimal(factor) * decimal(a) / decimal(b))


def multiply(a: float, b: float) -> float:
    """``a × b`` computed on their decimals."""
    if b == 1:
        return a
    return float(decimal(a) * decimal(b))
