"""GSO codes and unit identities.

A GSO code is zero-padded to a fixed width per level: province 2 digits, district 3,
commune 5. Sources write them as padded strings ("00097"), plain integers ("97") or even
floats ("97.0"); every one is normalised here.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated

from pydantic import AfterValidator

from hub.model.units import AdminLevel

CODE_WIDTH: dict[AdminLevel, int] = {
    AdminLevel.PROVINCE: 2,
    AdminLevel.DISTRICT: 3,
    AdminLevel.COMMUNE: 5,
}

LEVEL_RANK: dict[AdminLevel, int] = {
    AdminLevel.PROVINCE: 0,
    AdminLevel.DISTRICT: 1,
    AdminLevel.COMMUNE: 2,
}


def code_number(value: str | int | float) -> int:
    """The number a code stands for: ``"00097"``, ``97``, ``"97.0"`` and ``97.0`` are all 97.

    Raises ValueError for anything that is not a non-negative whole number.
    """
    if isinstance(value, bool):
        raise ValueError(f"not a GSO code: {value!r}")
    try:
        number = float(value.strip()) if isinstance(value, str) else value
    except ValueError:
        raise ValueError(f"not a GSO code: {value!r}") from None
    if isinstance(number, float):
        if not number.is_integer():
            raise ValueError(f"not a GSO code: {value!r}")
        number = int(number)
    if number < 0:
        raise ValueError(f"not a GSO code: {value!r}")
    return number


def pad_code(value: str | int | float, level: AdminLevel) -> str:
    """The canonical, zero-padded code of a unit of ``level``; ValueError if it cannot be one."""
    width = CODE_WIDTH[level]
    digits = str(code_number(value))
    if len(digits) > width:
        raise ValueError(f"not a {level.lower()} code: {value!r} has more than {width} digits")
    return digits.zfill(width)


def is_gso_code(value: object, level: AdminLevel | None = None) -> bool:
    """Whether ``value`` is a canonical GSO code as configs write them: digits, zero-padded
    to a level's width (2, 3 or 5; only ``level``'s width when one is given)."""
    widths = (CODE_WIDTH[level],) if level else tuple(CODE_WIDTH.values())
    return isinstance(value, str) and value.isascii() and value.isdigit() and len(value) in widths


def check_gso_code(value: str, level: AdminLevel | None = None) -> str:
    """``value`` if it is a GSO code (of ``level``), else a ValueError saying what one is."""
    if not is_gso_code(value, level):
        if level is None:
            raise ValueError(f"{value!r} is not a GSO code (2, 3 or 5 digits, zero-padded)")
        width = CODE_WIDTH[level]
        raise ValueError(f"{value!r} is not a {level.lower()} code ({width} digits, zero-padded)")
    return value


GsoCode = Annotated[str, AfterValidator(check_gso_code)]
"""A config field holding a GSO code: province 2 digits, district 3, commune 5, zero-padded."""
CommuneCode = Annotated[
    str, AfterValidator(lambda value: check_gso_code(value, AdminLevel.COMMUNE))
]
"""A config field holding a commune's GSO code (5 digits)."""


def unit_identity(code: str, valid_from: date | None) -> str:
    """The natural key of a unit: ``code@valid_from``, or ``code@`` when the start is unknown."""
    return f"{code}@{valid_from.isoformat() if valid_from else ''}"
