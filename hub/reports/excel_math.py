"""Numbers as a spreadsheet computes them: binary floating point, read at 15 significant digits.

Excel and LibreOffice keep a cell's value as a binary double, but never let the last bits of
binary error show:

- ``ROUND`` (and ``ROUNDUP``, ``ROUNDDOWN``) round the decimal value at 15 significant digits,
  half away from zero: ``276/1920*100`` is 14.374999999999998 in binary, 14.375 to 15 digits,
  so ``ROUND(…,2)`` is 14.38; ``ROUND(1.005,2)`` is 1.01;
- comparisons treat two numbers as equal when they agree to about 15 significant digits
  (within 2⁻⁴⁸ of each other, relatively): ``1.1+2.2=3.3`` is TRUE;
- an addition or subtraction whose result is that close to zero is zero: ``0.1+0.2-0.3`` is 0;
- a number turned into text (``&``, ``LEN``, ``CONCATENATE``…) is written as the cell shows
  it, to 15 significant digits (:func:`hub.reports.cells.display`): ``(0.1+0.2)&""`` is "0.3";
- ``TRIM`` makes every run of spaces inside a text one space, as Excel's does.

:func:`install` puts these rules into the formula engine (the ``formulas`` package) in place
of its own, once, before the first formula is parsed. The conformance table in
tests/reports/test_excel_conformance.py checks them against LibreOffice.
"""

from __future__ import annotations

import functools
import math
from decimal import ROUND_DOWN, ROUND_HALF_UP, ROUND_UP, Decimal
from typing import Any

from hub.reports.cells import display

SIGNIFICANT_DIGITS = 15
_EPSILON = 2.0**-48
"""Relative difference under which two numbers are the same number (about 15 digits)."""
_installed = False


def decimal_value(x: float) -> Decimal:
    """The decimal value a spreadsheet sees in ``x``: its 15 significant digits."""
    return Decimal(f"{x:.{SIGNIFICANT_DIGITS}g}")


def round_number(x: float, digits: float, rounding: str = ROUND_HALF_UP) -> float:
    """``ROUND(x, digits)``: the decimal value rounded, half away from zero by default
    (``ROUND_UP`` away from zero is ROUNDUP, ``ROUND_DOWN`` toward zero is ROUNDDOWN)."""
    value = decimal_value(x)
    places = int(digits)  # a spreadsheet truncates the digits: ROUND(x, 1.9) = ROUND(x, 1)
    exponent = value.as_tuple().exponent
    if not isinstance(exponent, int) or exponent >= -places:
        return float(value)  # already no more decimals than asked (or not finite)
    return float(value.quantize(Decimal(1).scaleb(-places), rounding=rounding))


def approx_equal(a: float, b: float) -> bool:
    """Whether two numbers are the same to a spreadsheet (equal to about 15 digits)."""
    if a == b:
        return True
    if a == 0.0 or b == 0.0 or not math.isfinite(a - b):
        return False
    difference = abs(a - b)
    return difference < abs(a) * _EPSILON and difference < abs(b) * _EPSILON


def add(a: float, b: float) -> float:
    """``a + b``, exactly zero when the two cancel out but for binary error."""
    if ((a < 0.0 < b) or (b < 0.0 < a)) and approx_equal(a, -b):
        return 0.0
    return a + b


def subtract(a: float, b: float) -> float:
    """``a - b``, exactly zero when the two are equal but for binary error."""
    if ((a < 0.0 and b < 0.0) or (a > 0.0 and b > 0.0)) and approx_equal(a, b):
        return 0.0
    return a - b


def as_text(value: Any) -> str:
    """A value turned into text by a formula: TRUE/FALSE, a number as its cell shows it."""
    if isinstance(value, bool):
        return str(value).upper()
    if isinstance(value, int | float) and not isinstance(value, bool):
        return display(float(value))
    return str(value)


def trim(text: str) -> str:
    """``TRIM``: spaces taken off both ends, and every run of spaces inside made one space."""
    return " ".join(part for part in text.split(" ") if part)


def _compare(operator: Any) -> Any:
    """A comparison of (type, value) pairs in which numbers equal to 15 digits are equal."""

    def compare(x: tuple[int, Any], y: tuple[int, Any]) -> bool:
        if x[0] == y[0] == 0 and approx_equal(float(x[1]), float(y[1])):
            return bool(operator(0.0, 0.0))
        return bool(operator(x, y))

    return compare


def install() -> None:
    """Put the spreadsheet's rules into the formula engine in place of its own (once)."""
    global _installed
    if _installed:
        return
    import operator

    from formulas.functions import get_functions, operators, text, wrap_ufunc

    functions = get_functions()
    functions["ROUND"] = wrap_ufunc(round_number)
    functions["ROUNDUP"] = wrap_ufunc(functools.partial(round_number, rounding=ROUND_UP))
    functions["ROUNDDOWN"] = wrap_ufunc(functools.partial(round_number, rounding=ROUND_DOWN))
    functions["TRIM"] = wrap_ufunc(trim, **text._kw1)
    table = operators.OPERATORS
    table["+"] = operators.numeric_wrap(add)
    table["-"] = operators.numeric_wrap(subtract)
    for symbol, compare in {
        ">=": operator.ge,
        "<=": operator.le,
        "<>": operator.ne,
        "<": operator.lt,
        ">": operator.gt,
        "=": operator.eq,
    }.items():
        table[symbol] = operators.logic_wrap(_compare(compare))
    # Numbers become text where the engine writes them with Python's str(): 0.1+0.2 would
    # read "0.30000000000000004".
    text._str = as_text
    operators._str = as_text
    table["&"] = wrap_ufunc(
        lambda x, y: x + y,
        input_parser=lambda *a: map(as_text, a),
        args_parser=lambda *a: (operators.replace_empty(v, "") for v in a),
    )
    _installed = True
