"""Excel formulas, computed by a real formula engine (the ``formulas`` package).

A form's formulas are Excel formulas, plus three functions of the hub that reach into the same
unit's reports of other periods:

- ``PREV(D9)`` — cell D9 of the previous period's report (``PREV(D9:D12)`` for a range);
- ``LASTYEAR(D9)`` — cell D9 of the same period one year earlier (ranges too);
- ``YTD(D9)`` — year to date: D9 summed over this year's periods up to and including this one.

The hub rewrites each of them into a reference to a sheet of that name (``PREV!D9``) before
the engine sees the formula, and supplies those sheets' values itself. An exported workbook
carries the same sheets, so Excel or LibreOffice computes exactly what the hub computed.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from hub.reports.cells import CellError, CellValue

PREV, LASTYEAR, YTD = "PREV", "LASTYEAR", "YTD"
PERIOD_SHEETS = (PREV, LASTYEAR, YTD)

FORBIDDEN_FUNCTIONS = frozenset(
    {"INDIRECT", "OFFSET", "NOW", "TODAY", "RAND", "RANDBETWEEN", "RANDARRAY", "CELL", "INFO"}
)
"""Known to Excel, but volatile or reaching cells by text: a form's results must not depend
on when it is opened or on cells its references do not name."""

_REF = r"\$?[A-Za-z]{1,3}\$?[0-9]+"
_PERIOD_CALL = re.compile(
    rf"(?<![A-Za-z0-9_.])(PREV|LASTYEAR|YTD)\s*\(\s*({_REF}(?:\s*:\s*{_REF})?)\s*\)", re.I
)
_ANY_PERIOD_CALL = re.compile(r"(?<![A-Za-z0-9_.])(PREV|LASTYEAR|YTD)\s*\(", re.I)
_SHEET_REF = re.compile(rf"'?(PREV|LASTYEAR|YTD)'?!({_REF}(?::{_REF})?)", re.I)
_CALL = re.compile(r"(?<![A-Za-z0-9_.])([A-Za-z_][A-Za-z0-9_.]*)\s*\(")
_EXPONENT = re.compile(
    r"(?<![A-Za-z0-9_.$])([0-9]+(?:\.[0-9]*)?|\.[0-9]+)[eE]([0-9]+)(?![A-Za-z0-9_(])"
)
"""A number written with an exponent without its sign (``1E6``), as Excel accepts it."""


_LOCK = threading.RLock()
"""The engine keeps state while it parses, compiles and runs formulas: one call at a time."""

# The engine (and numpy under it) is imported where first needed: it takes a second to load,
# and most commands of the hub never compute a form.


class FormulaError(ValueError):
    """A formula the hub cannot accept; the message says why."""


@dataclass(frozen=True)
class Formula:
    """A compiled formula: what it reads and which functions it calls."""

    text: str
    """As written on the form, with PREV/LASTYEAR/YTD as functions."""
    engine_text: str
    """As the engine (and an exported workbook) has it, with PREV!D9 sheet references."""
    inputs: tuple[str, ...]
    """The references the engine asks for: ``D9``, ``D9:D12``, ``PREV!D9``…"""
    functions: frozenset[str]
    compiled: Any
    reference: str | None = None
    """Set when the whole formula is one cell reference (``=PREV!D9``): its value is the
    referenced value as the engine converts it, without a run of the engine (a speed-up:
    most cells of a form are such references, and a run costs about a millisecond)."""


def to_engine(text: str) -> str:
    """``=D9/PREV(D9)`` → ``=D9/PREV!D9``, leaving string literals alone."""
    parts = text.split('"')
    for index in range(0, len(parts), 2):  # the even parts lie outside string literals
        rewritten = _PERIOD_CALL.sub(_as_sheet_reference, parts[index])
        leftover = _ANY_PERIOD_CALL.search(rewritten)
        if leftover:
            name = leftover[1].upper()
            raise FormulaError(
                f"{name} takes one cell reference{'' if name == YTD else ' or range'}, "
                f"e.g. {name}(D9)"
            )
        parts[index] = rewritten
    return '"'.join(parts)


def from_engine(text: str) -> str:
    """``=D9/PREV!D9`` (or ``'PREV'!D9``) → ``=D9/PREV(D9)``: the form's own notation."""
    parts = text.split('"')
    for index in range(0, len(parts), 2):
        parts[index] = _SHEET_REF.sub(lambda m: f"{m[1].upper()}({m[2].upper()})", parts[index])
    return '"'.join(parts)


def _as_sheet_reference(match: re.Match[str]) -> str:
    reference = re.sub(r"\s+", "", match[2]).upper()
    return f"{match[1].upper()}!{reference}"


def compile_formula(text: str) -> Formula:
    """Parse and compile a formula (``=…``); FormulaError if it is not one the hub computes."""
    text = text.strip()
    if not text.startswith("="):
        raise FormulaError("a formula starts with '='")
    return _compile(text)


@lru_cache(maxsize=4096)
def _compile(text: str) -> Formula:
    import formulas

    from hub.reports.excel_math import install

    engine_text = _outside_strings(to_engine(text), lambda part: _EXPONENT.sub(r"\1E+\2", part))
    with _LOCK:  # the engine's parser is not thread-safe: two requests parsing at once fail
        install()
        _check_functions(_called(engine_text) & FORBIDDEN_FUNCTIONS)
        try:
            tokens, builder = formulas.Parser().ast(engine_text)
            compiled = builder.compile()
        except Exception as exc:  # the engine's parse errors carry %-templates, not a message
            raise FormulaError(f"not a valid formula: {text}") from exc
        functions = frozenset(
            token.name.upper() for token in tokens if type(token).__name__ == "Function"
        )
        _check_functions(functions)
    inputs = tuple(compiled.inputs)
    alone = len(tokens) == 1 and type(tokens[0]).__name__ == "Range" and len(inputs) == 1
    return Formula(text, engine_text, inputs, functions, compiled, inputs[0] if alone else None)


def _outside_strings(text: str, change: Callable[[str], str]) -> str:
    """``text`` with ``change`` applied to what lies outside its string literals."""
    parts = text.split('"')
    return '"'.join(change(part) if index % 2 == 0 else part for index, part in enumerate(parts))


def _called(text: str) -> frozenset[str]:
    """The names of the functions a formula calls, as written (the engine reads some, such as
    INDIRECT, as references, not as calls)."""
    names: set[str] = set()
    for index, part in enumerate(text.split('"')):
        if index % 2 == 0:  # outside string literals
            names.update(match[1].upper() for match in _CALL.finditer(part))
    return frozenset(names)


def _check_functions(functions: frozenset[str]) -> None:
    from formulas.functions import get_functions, not_implemented

    known = get_functions()
    for name in sorted(functions):
        if name in FORBIDDEN_FUNCTIONS:
            raise FormulaError(f"{name} is not allowed on a form (volatile or indirect)")
        if name not in known or known[name] is not_implemented:
            raise FormulaError(f"unknown function {name}")


def evaluate(formula: Formula, inputs: dict[str, Any]) -> CellValue:
    """The formula's value, given a value (or a 2-D grid, for a range) for each input.

    Blank cells are None. Excel errors (``#DIV/0!``, ``#VALUE!``…) come back as CellError,
    never raised: IFERROR catches them as in Excel.
    """
    if formula.reference is not None:
        value = inputs[formula.reference]
        if isinstance(value, list):
            value = value[0][0] if len(value) == 1 and len(value[0]) == 1 else CellError("#VALUE!")
        return _from_engine_value(_to_engine_value(value))
    arguments = [_to_engine_value(inputs[name]) for name in formula.inputs]
    with _LOCK:
        try:
            result = formula.compiled(*arguments)
        except Exception:  # an engine failure on odd input: the cell shows #VALUE!, as Excel
            return CellError("#VALUE!")
    return _from_engine_value(result)


def _to_engine_value(value: Any) -> Any:
    import numpy as np
    import schedula

    if isinstance(value, list):
        grid = [[_to_engine_value(cell) for cell in row] for row in value]
        array = np.empty((len(grid), len(grid[0]) if grid else 0), dtype=object)
        for r, row in enumerate(grid):
            for c, cell in enumerate(row):
                array[r, c] = cell
        return array
    if value is None:
        return schedula.EMPTY
    if isinstance(value, CellError):
        return _engine_error(value.code)
    return value


def _engine_error(code: str) -> Any:
    from formulas.tokens.operand import Error

    return Error.errors.get(code, Error.errors["#VALUE!"])


def _from_engine_value(result: Any) -> CellValue:
    import math

    import numpy as np
    import schedula
    from formulas.tokens.operand import XlError

    if isinstance(result, np.ndarray):
        if result.size != 1:
            return CellError("#VALUE!")  # a range as a cell's result: Excel shows #VALUE!
        result = result.ravel()[0]
    if result is schedula.EMPTY:
        return 0.0  # =D9 of a blank D9 is 0 in Excel
    if isinstance(result, XlError):
        return CellError(str(result))
    if isinstance(result, bool | np.bool_):
        return 1.0 if result else 0.0
    if isinstance(result, int | float | np.integer | np.floating):
        number = float(result)
        return number if math.isfinite(number) else CellError("#NUM!")
    return str(result)
