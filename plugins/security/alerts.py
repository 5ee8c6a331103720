"""An alert as every source's parser hands it over: one shape for Wazuh and CEF alike."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from .severity import Severity

MAX_TEXT = 500
"""Longest free text kept in an attribute (a full log line can be kilobytes)."""


class AlertError(ValueError):
    """A source record that cannot become an alert; the message says why (for quarantine)."""


@dataclass(frozen=True)
class Alert:
    """One security alert, normalised.

    ``rule`` identifies what fired, scoped by its source (``wazuh:5712``,
    ``Fortinet|FortiGate|13056``); ``level`` is the source's own grading (Wazuh 0–16, CEF
    0–10) and ``severity`` its place on the hub's scale. ``hosts`` are the names and addresses
    by which the monitored host may be known, most telling first: the host table decides
    which one names it (see :mod:`hosts`).
    """

    id: str
    occurred_at: datetime
    rule: str
    title: str
    level: int
    severity: Severity
    hosts: tuple[str, ...]
    origin: str  # "wazuh" or "cef"
    details: dict[str, Any] = field(default_factory=dict)


def clipped(text: Any) -> Any:
    """Long text cut to MAX_TEXT characters; anything else as it is."""
    if isinstance(text, str) and len(text) > MAX_TEXT:
        return text[: MAX_TEXT - 1] + "…"
    return text


def compact(values: dict[str, Any]) -> dict[str, Any]:
    """The entries that hold something, long texts clipped."""
    return {key: clipped(value) for key, value in values.items() if value not in (None, "", [])}
