"""Reading FHIR R4 data types out of resources as plain JSON (dicts and lists).

FHIR leaves most elements optional, and real resources leave them out: every reader here
returns None (or an empty list) for what is missing and never raises on a shape it does not
expect.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from hub.timestamps import TimestampError, parse_partial


def resource_key(resource: dict[str, Any]) -> str | None:
    """``Type/id``: how the resource is named in references, quarantine and the hub."""
    kind, identity = resource.get("resourceType"), resource.get("id")
    if isinstance(kind, str) and isinstance(identity, str) and identity:
        return f"{kind}/{identity}"
    return None


def describe(resource: dict[str, Any]) -> str:
    """The resource's key, or its type when it has no id (for messages)."""
    kind = resource.get("resourceType")
    return resource_key(resource) or f"{kind if isinstance(kind, str) else 'a resource'} (no id)"


def reference(value: Any) -> str | None:
    """The ``Type/id`` a Reference points to; None for a contained (``#x``) or absent one.

    Absolute references (``https://server/fhir/Organization/1``) are cut to ``Organization/1``,
    as are versioned ones (``Organization/1/_history/2``).
    """
    text = value.get("reference") if isinstance(value, dict) else None
    if not isinstance(text, str) or not text or text.startswith("#"):
        return None
    parts = text.split("/_history/")[0].rstrip("/").split("/")
    if len(parts) < 2 or not parts[-1] or not parts[-2][:1].isupper():
        return None
    return f"{parts[-2]}/{parts[-1]}"


def display(value: Any) -> str | None:
    """A Reference's ``display``."""
    text = value.get("display") if isinstance(value, dict) else None
    return text if isinstance(text, str) and text.strip() else None


@dataclass(frozen=True)
class Coding:
    """One coding of a CodeableConcept."""

    system: str | None
    code: str
    display: str | None = None

    def token(self) -> str:
        """``system|code``, as FHIR search writes a token."""
        return f"{self.system or ''}|{self.code}"


def codings(concept: Any) -> list[Coding]:
    """The codings of a CodeableConcept (or of a bare Coding), those that have a code."""
    if not isinstance(concept, dict):
        return []
    raw = concept.get("coding") if "coding" in concept else [concept]
    found = []
    for coding in raw if isinstance(raw, list) else []:
        if isinstance(coding, dict) and isinstance(coding.get("code"), str) and coding["code"]:
            system = coding.get("system") if isinstance(coding.get("system"), str) else None
            shown = coding.get("display") if isinstance(coding.get("display"), str) else None
            found.append(Coding(system, coding["code"].strip(), shown))
    return found


def concept_text(concept: Any) -> str | None:
    """What a CodeableConcept says in words: its text, else the first coding's display."""
    if not isinstance(concept, dict):
        return None
    text = concept.get("text")
    if isinstance(text, str) and text.strip():
        return text.strip()
    return next((c.display for c in codings(concept) if c.display), None)


def element(value: Any, *path: str) -> Any:
    """The element at ``path`` (``element(r, "period", "start")``); None where a step is missing."""
    for name in path:
        value = value.get(name) if isinstance(value, dict) else None
    return value


def first(values: Any) -> Any:
    """The first item of a list element (FHIR repeats many elements); None if none."""
    return values[0] if isinstance(values, list) and values else None


def as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


@dataclass(frozen=True)
class When:
    """A FHIR date or dateTime read as the moment something happened, or why it cannot be."""

    moment: datetime | None
    problem: str | None = None


def when(value: Any) -> When:
    """A ``date``/``dateTime`` precise to the day at least, read by the hub's one parser
    (:func:`~hub.timestamps.parse_partial`).

    A date (``2024-07-01``) is midnight of that day, a dateTime without a zone is local time
    (Vietnam's); a year or a month alone is not a day.
    """
    if not isinstance(value, str) or not value.strip():
        return When(None, "missing")
    text = value.strip()
    try:
        found = parse_partial(text)
    except TimestampError:
        return When(None, f"{text!r} is not a date")
    if found.precision in ("year", "month"):
        return When(None, f"{text!r} is not precise to the day")
    return When(found.start)
