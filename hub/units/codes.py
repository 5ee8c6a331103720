"""GSO codes and unit identities.

A GSO code is zero-padded to a fixed width per level: province 2 digits, district 3,
commune 5. Sources write them as padded strings ("00097"), plain integers ("97") or even
floats ("97.0"); every one is normalised here.
"""

from __future__ import annotations

from datetime import date

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


def unit_identity(code: str, valid_from: date | None) -> str:
    """The natural key of a unit: ``code@valid_from``, or ``code@`` when the start is unknown."""
    return f"{code}@{valid_from.isoformat() if valid_from else ''}"
