"""Which commune an address lies in: from a unit-code extension, or from its place names.

Two ways, tried in this order:

1. **A unit-code extension** on the Address, such as the Vietnamese Ministry of Health's
   VN Core ``extension-administrative-address`` (province, district and ward as codes): the
   finest GSO code found in it (nested extensions included) must be a commune's (5 digits).
2. **Place names** listed in the config (``address_units``: name → commune code). The parts
   of the address are read from the most to the least specific — lines, ``city``,
   ``district``, ``state`` (or the comma-separated pieces of ``text`` when it has no parts) —
   and each part, and each part with the one after it (``"Thắng Lợi, Kon Tum"``), is looked up,
   compared without case, diacritics or extra spaces.

An address that is marked ``old`` is not used.
"""

from __future__ import annotations

import itertools
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from hub.units.codes import is_gso_code

from .fhir_values import as_list, codings

VN_CORE_ADDRESS = (
    "http://fhir.ehealth.gov.vn/core/StructureDefinition/extension-administrative-address"
)
COMMUNE_DIGITS = 5
LEVEL_NAMES = {2: "a province", 3: "a district"}


@dataclass(frozen=True)
class Placement:
    """A commune code, or why there is none."""

    unit: str | None
    problem: str | None = None


def fold(text: str) -> str:
    """A place name compared without case, diacritics or spacing: "Đắk Hà" → "dak ha"."""
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    bare = "".join(char for char in decomposed if not unicodedata.combining(char))
    return " ".join(bare.casefold().replace(".", " ").split())


class AddressReader:
    """Places FHIR Addresses in communes (see the module docstring)."""

    def __init__(self, extension_urls: Iterable[str], names: Mapping[str, str]) -> None:
        self.extension_urls = frozenset(extension_urls)
        self.names = {fold(name): code for name, code in names.items()}

    def commune(self, addresses: Any) -> Placement:
        """The commune of the first usable address in ``addresses`` (one Address or a list)."""
        candidates = addresses if isinstance(addresses, list) else [addresses]
        usable = [a for a in candidates if isinstance(a, dict) and a.get("use") != "old"]
        if not usable:
            return Placement(None, "no address")
        problems = []
        for address in usable:
            placement = self._place(address)
            if placement.unit:
                return placement
            problems.append(placement.problem)
        return Placement(None, problems[0])

    def _place(self, address: dict[str, Any]) -> Placement:
        coded = self._from_extensions(address)
        if coded is not None:
            return coded
        return self._from_names(address)

    def _from_extensions(self, address: dict[str, Any]) -> Placement | None:
        codes = [
            code
            for extension in as_list(address.get("extension"))
            if isinstance(extension, dict) and extension.get("url") in self.extension_urls
            for code in _codes_in(extension)
        ]
        if not codes:
            return None
        finest = max(codes, key=len)
        if len(finest) == COMMUNE_DIGITS:
            return Placement(finest)
        level = LEVEL_NAMES.get(len(finest), "not a GSO code")
        return Placement(None, f"address gives unit code {finest} ({level}), not a commune")

    def _from_names(self, address: dict[str, Any]) -> Placement:
        parts = _parts(address)
        if not parts:
            return Placement(None, "address has no unit-code extension and no place names")
        for candidate in _candidates(parts):
            code = self.names.get(fold(candidate))
            if code:
                return Placement(code)
        shown = ", ".join(parts)
        return Placement(
            None,
            f"address has no unit-code extension, and no part of {shown!r} is in address_units",
        )


def _codes_in(extension: dict[str, Any]) -> list[str]:
    """The GSO codes (2, 3 or 5 digits) an extension holds, nested extensions included."""
    values: list[str] = []
    for name in ("valueCode", "valueString", "valueId"):
        if isinstance(extension.get(name), str):
            values.append(extension[name])
    for name in ("valueCoding", "valueCodeableConcept"):
        values.extend(coding.code for coding in codings(extension.get(name)))
    codes = [value.strip() for value in values if is_gso_code(value.strip())]
    for nested in as_list(extension.get("extension")):
        if isinstance(nested, dict):
            codes.extend(_codes_in(nested))
    return codes


def _parts(address: dict[str, Any]) -> list[str]:
    """The address's place names, most specific first."""
    structured = [line for line in as_list(address.get("line")) if isinstance(line, str)]
    structured += [
        address[name]
        for name in ("city", "district", "state")
        if isinstance(address.get(name), str)
    ]
    if not structured and isinstance(address.get("text"), str):
        structured = [address["text"]]
    pieces = [piece.strip() for part in structured for piece in part.split(",")]
    return [piece for piece in pieces if piece]


def _candidates(parts: list[str]) -> list[str]:
    """Each part with the next one (the more precise), then each part alone."""
    pairs = [f"{a}, {b}" for a, b in itertools.pairwise(parts)]
    return pairs + parts
