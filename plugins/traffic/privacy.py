"""What becomes of a number plate: dropped, pseudonymised or kept (see README.md, "Privacy").

A plate identifies a vehicle and, through the registry, a person: it is personal data under
Decree 13/2023/NĐ-CP. By default the hub does not store it. A pseudonym (a keyed HMAC of the
normalised plate) lets analysts count repeat violators without holding plates; without the key
it cannot be reversed by trying every plate, which a plain hash of so small a space could.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from typing import Literal

PlateHandling = Literal["drop", "pseudonymise", "keep"]
PSEUDONYM_HEX_DIGITS = 20
_NOT_PLATE_CHARACTERS = re.compile(r"[^0-9A-Z]")


class PlatePolicy:
    """Turns a plate into the attributes the hub may store."""

    def __init__(self, handling: PlateHandling, key: bytes | None = None) -> None:
        if handling == "pseudonymise" and not key:
            raise ValueError("pseudonymising plates needs a key")
        self.handling = handling
        self._key = key or b""

    def attributes(self, plate: str | None) -> dict[str, str]:
        """``{"plate": …}``, ``{"plate_pseudonym": …}`` or nothing, as configured."""
        if not plate or self.handling == "drop":
            return {}
        if self.handling == "keep":
            return {"plate": plate}
        return {"plate_pseudonym": self.pseudonym(plate)}

    def pseudonym(self, plate: str) -> str:
        """The same for ``82A-123.45`` and ``82a 12345``; different under another key."""
        normal = _NOT_PLATE_CHARACTERS.sub("", plate.upper()).encode()
        return hmac.new(self._key, normal, hashlib.sha256).hexdigest()[:PSEUDONYM_HEX_DIGITS]
