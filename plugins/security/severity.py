"""One severity scale for every source: low, medium, high, critical (1 to 4 on ``Event.severity``).

Each source grades its alerts its own way; the hub compares them on one scale:

======================  =======  ==========  ========  ==========
source                  low (1)  medium (2)  high (3)  critical (4)
======================  =======  ==========  ========  ==========
Wazuh ``rule.level``    0–6      7–11        12–14     15–16
CEF ``Severity``        0–3      4–6         7–8       9–10
======================  =======  ==========  ========  ==========

Sources of the bands: for Wazuh, the bands of the Wazuh dashboard's "Last 24 hours alerts"
panel (Low: rule level 0 to 6, Medium: 7 to 11, High: 12 to 14, Critical: 15 or higher); for
CEF, the ArcSight CEF implementation standard (0–3 Low, 4–6 Medium, 7–8 High, 9–10 Very-High,
which we call critical). CEF also allows the words ``Unknown``, ``Low``, ``Medium``, ``High``
and ``Very-High``; ``Unknown`` counts as low.
"""

from __future__ import annotations

from enum import IntEnum

WAZUH_LEVELS = range(0, 17)
CEF_LEVELS = range(0, 11)
CEF_WORDS = {"unknown": 0, "low": 0, "medium": 4, "high": 7, "very-high": 9}


class Severity(IntEnum):
    """The hub's severity of a security alert or incident: its value is ``Event.severity``."""

    LOW = 1
    MEDIUM = 2
    HIGH = 3
    CRITICAL = 4

    @property
    def label(self) -> str:
        """``low``, ``medium``, ``high`` or ``critical``: the disaggregation value of metrics."""
        return self.name.lower()


LABELS = tuple(severity.label for severity in Severity)


def from_wazuh_level(level: int) -> Severity:
    """The severity of a Wazuh rule level (0–16); ValueError outside that range."""
    if level not in WAZUH_LEVELS:
        raise ValueError(f"a Wazuh rule level runs from 0 to 16, not {level}")
    if level >= 15:
        return Severity.CRITICAL
    if level >= 12:
        return Severity.HIGH
    if level >= 7:
        return Severity.MEDIUM
    return Severity.LOW


def cef_level(value: str) -> int:
    """The CEF ``Severity`` header field as a number 0–10 (a word stands for its band's floor)."""
    text = value.strip()
    if text.lstrip("-").isdigit():
        number = int(text)
        if number not in CEF_LEVELS:
            raise ValueError(f"a CEF severity runs from 0 to 10, not {number}")
        return number
    if text.lower() in CEF_WORDS:
        return CEF_WORDS[text.lower()]
    raise ValueError(
        f"CEF severity {value!r} is neither 0–10 nor Unknown, Low, Medium, High or Very-High"
    )


def from_cef_level(level: int) -> Severity:
    """The severity of a CEF level 0–10."""
    if level not in CEF_LEVELS:
        raise ValueError(f"a CEF severity runs from 0 to 10, not {level}")
    if level >= 9:
        return Severity.CRITICAL
    if level >= 7:
        return Severity.HIGH
    if level >= 4:
        return Severity.MEDIUM
    return Severity.LOW
