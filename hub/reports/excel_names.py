"""Function names as a workbook file stores them.

Excel writes the functions it added after Excel 2007 with a ``_xlfn.`` prefix in the file
(``_xlfn.IFS``, ``_xlfn.STDEV.S``; FILTER and SORT as ``_xlfn._xlws.FILTER``), and shows them
without it. A file whose formula says ``IFS(`` bare is read by Excel and LibreOffice as an
unknown function: ``#NAME?``. A form keeps its formulas as people write them; the prefixes
are added when a workbook is written (:func:`to_workbook`) and taken off when one is read
(:func:`from_workbook`).

Which names need the prefix: those not among the functions of the file format's first
edition, as openpyxl lists them (:data:`openpyxl.utils.formulas.FORMULAE`).
"""

from __future__ import annotations

import re
from collections.abc import Callable

from openpyxl.utils.formulas import FORMULAE

from hub.reports.engine import from_engine

FUTURE = "_xlfn."
WORKSHEET = "_xlws."
WORKSHEET_ONLY = frozenset({"FILTER", "SORT"})
"""Functions stored with a second prefix: ``_xlfn._xlws.FILTER``."""

_CALL = re.compile(r"(?<![A-Za-z0-9_.])([A-Za-z_][A-Za-z0-9_.]*)(\s*\()")
_PREFIXES = re.compile(r"(?<![A-Za-z0-9_.])_xlfn\.(?:_xlws\.)?", re.I)


def stored_name(name: str) -> str:
    """A function's name as the file stores it (``IFS`` → ``_xlfn.IFS``)."""
    upper = name.upper()
    if upper.startswith(FUTURE.upper()) or upper in FORMULAE:
        return name
    if upper in WORKSHEET_ONLY:
        return f"{FUTURE}{WORKSHEET}{name}"
    return f"{FUTURE}{name}"


def to_workbook(engine_text: str) -> str:
    """A formula as the engine has it (``=IFS(PREV!D9>0,1)``), as a workbook file stores it
    (``=_xlfn.IFS(PREV!D9>0,1)``)."""
    return _outside_strings(engine_text, lambda part: _CALL.sub(_prefixed, part))


def from_workbook(text: str) -> str:
    """A formula read from a workbook file, in the form's own notation: without the file's
    prefixes, and with ``PREV(D9)`` for ``PREV!D9``."""
    return from_engine(_outside_strings(text, lambda part: _PREFIXES.sub("", part)))


def _prefixed(match: re.Match[str]) -> str:
    return stored_name(match[1]) + match[2]


def _outside_strings(text: str, change: Callable[[str], str]) -> str:
    parts = text.split('"')
    return '"'.join(change(part) if index % 2 == 0 else part for index, part in enumerate(parts))
