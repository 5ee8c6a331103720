"""Cell addresses and cell values, as a spreadsheet has them.

A cell of a form is named by its spreadsheet address (``D9``), so that a form imported from a
workbook and exported again keeps every formula as it was written. A cell's value is a number,
a text (a formula may yield one, e.g. ``IFERROR(…, "")``), an Excel error such as ``#DIV/0!``,
or nothing (blank).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any

_ADDRESS = re.compile(r"^\$?([A-Z]{1,3})\$?([1-9][0-9]{0,6})$")
ERROR_CODES = ("#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A")


@dataclass(frozen=True, order=True)
class Address:
    """A cell's place: ``row`` from 1, ``column`` from 1 (A)."""

    row: int
    column: int

    @classmethod
    def parse(cls, text: str) -> Address:
        """``"D9"`` (or ``"$D$9"``) → Address(9, 4); ValueError if it is not an address."""
        match = _ADDRESS.match(text.strip().upper())
        if not match:
            raise ValueError(f"{text!r} is not a cell address (expected e.g. D9)")
        from openpyxl.utils.cell import column_index_from_string  # openpyxl loads slowly

        return cls(int(match[2]), column_index_from_string(match[1]))

    @property
    def letter(self) -> str:
        from openpyxl.utils.cell import get_column_letter

        return get_column_letter(self.column)

    def __str__(self) -> str:
        return f"{self.letter}{self.row}"


def address(text: str) -> str:
    """The canonical form of an address: ``"$d$9"`` → ``"D9"``."""
    return str(Address.parse(text))


def column_letter(text: str) -> str:
    """A column's canonical letter: ``"d"`` → ``"D"``; ValueError if it is not one."""
    letter = text.strip().upper()
    if not re.fullmatch(r"[A-Z]{1,3}", letter):
        raise ValueError(f"{text!r} is not a column letter")
    return letter


@dataclass(frozen=True)
class CellError:
    """An Excel error value, e.g. ``#DIV/0!``: shown in its cell, never raised."""

    code: str

    def __str__(self) -> str:
        return self.code


CellValue = float | str | CellError | None
"""A number, a text, an error, or blank (None)."""


def to_json(value: CellValue) -> Any:
    """A value as stored in a report's JSON: errors become ``{"error": "#DIV/0!"}``."""
    if isinstance(value, CellError):
        return {"error": value.code}
    return value


def from_json(value: Any) -> CellValue:
    if isinstance(value, dict):
        return CellError(str(value.get("error", "#VALUE!")))
    if isinstance(value, bool):
        return float(value)
    if isinstance(value, int | float):
        return float(value)
    return value


def parse_number(value: Any) -> float | None:
    """A value typed into a numeric cell, as a number; None clears the cell.

    Numbers and numeric strings are accepted; anything else raises ValueError saying why.
    """
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        raise ValueError(f"{value!r} is not a number")
    try:
        number = float(value.strip() if isinstance(value, str) else value)
    except (TypeError, ValueError):
        raise ValueError(f"{value!r} is not a number") from None
    if not math.isfinite(number):
        raise ValueError(f"{value!r} is not a finite number")
    return number


def number_or_none(value: CellValue) -> float | None:
    """The value if it is a number; a text, an error or a blank has no numeric value."""
    return value if isinstance(value, float) else None


def display(value: CellValue) -> str:
    """The value as a spreadsheet shows it without a number format: every digit of a whole
    number (1234567, not 1.23457e+06), a fraction to 15 significant digits (0.1 + 0.2 shows
    0.3), an exponent only past 15 digits or below 0.0001 (``1E-05``, ``1.5E+20``)."""
    if value is None:
        return ""
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return f"{value:.15G}"
    return str(value)
