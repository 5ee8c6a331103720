"""Which commune a request is about, from its own fields.

First ``unit_field`` (a field the portal fills with the commune: a GSO code, or a name or code
of its own listed in ``units``), then the address text: a name of ``units`` written in it
(``Thôn 3, Xã Đăk Hà, …``). A request placed by neither is left to the hub, which puts a
request with a point in the nearest commune and marks it approximate.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Any

GSO_CODE = re.compile(r"^\d{2,5}$")


@dataclass(frozen=True)
class Placement:
    """A unit code and how it was found: ``field`` or ``address``."""

    code: str
    found_by: str


def name_key(text: str) -> str:
    """A place name as it is matched: NFC, case-folded, single spaces."""
    return " ".join(unicodedata.normalize("NFC", text).casefold().split())


class UnitFinder:
    """Finds a request's unit code from ``unit_field`` and the address."""

    def __init__(self, unit_field: str | None, units: dict[str, str], match_address: bool) -> None:
        self.unit_field = unit_field
        self.units = {name_key(name): code for name, code in units.items()}
        self._names = (
            [(re.compile(rf"(?<!\w){re.escape(key)}(?!\w)"), key) for key in self.units]
            if match_address
            else []
        )

    def place(self, request: dict[str, Any]) -> Placement | None:
        """The request's unit, or None when its own fields do not say."""
        code = self._from_field(request)
        if code:
            return Placement(code, "field")
        code = self._from_address(request.get("address"))
        return Placement(code, "address") if code else None

    def _from_field(self, request: dict[str, Any]) -> str | None:
        if not self.unit_field:
            return None
        value = request.get(self.unit_field)
        if isinstance(value, bool) or not isinstance(value, str | int):
            return None
        text = name_key(str(value))
        if text in self.units:
            return self.units[text]
        return text if GSO_CODE.match(text) else None

    def _from_address(self, address: Any) -> str | None:
        if not self._names or not isinstance(address, str):
            return None
        text = name_key(address)
        spans = [
            (match.span(), self.units[key])
            for pattern, key in self._names
            for match in pattern.finditer(text)
        ]
        # A name inside a longer one ("Kon Tum" in "Phường Kon Tum") is the longer one.
        codes = {
            code
            for (start, end), code in spans
            if not any(s <= start and end <= e and (s, e) != (start, end) for (s, e), _ in spans)
        }
        return codes.pop() if len(codes) == 1 else None  # two places named: no guess
