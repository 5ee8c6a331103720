"""The day's stock figures per unit: open incidents (by severity) and hosts monitored.

Counting events cannot give a stock, so the connector reports these itself, as observations of
the day (Vietnam time) in which its alerts' clock stands: when that day ends (the closing
figures) and at each checkpoint in between (the figures so far, overwritten by later ones).

- ``security_incidents_open``: incidents open at that moment, per unit and severity, zero
  included (a stock must be able to fall to zero), for every unit the host table names;
- ``security_hosts_monitored``: distinct hosts that sent at least one alert that day.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from hub.connectors.records import Observation

from .severity import LABELS, Severity

OPEN_INCIDENTS = "security_incidents_open"
HOSTS_MONITORED = "security_hosts_monitored"
MAX_HOSTS_PER_DAY = 2000
"""Hosts remembered per day in the state; beyond, the day's count stops growing."""


@dataclass
class DailyFigures:
    """The day the figures are for, and the hosts (by short digest) that reported on it."""

    day: date | None = None
    hosts: dict[str, set[str]] = field(default_factory=dict)  # unit → host digests

    def saw(self, unit: str | None, host: str) -> None:
        """Note that ``host`` (owned by ``unit``) sent an alert today."""
        if unit is None or self._remembered() >= MAX_HOSTS_PER_DAY:
            return
        self.hosts.setdefault(unit, set()).add(_digest(host))

    def observations(
        self, units: Iterable[str], open_incidents: Iterable[tuple[str | None, Severity]]
    ) -> list[Observation]:
        """The day's figures for ``units`` (and any unit with an open incident or a host)."""
        if self.day is None:
            return []
        counted = Counter((unit, severity.label) for unit, severity in open_incidents if unit)
        every_unit = sorted({*units, *self.hosts, *(unit for unit, _ in counted)})
        period, place = self.day.isoformat(), f"figures of {self.day.isoformat()}"
        figures = [
            Observation(
                OPEN_INCIDENTS,
                unit,
                period,
                counted[(unit, label)],
                dims={"severity": label},
                place=place,
            )
            for unit in every_unit
            for label in LABELS
        ]
        figures += [
            Observation(HOSTS_MONITORED, unit, period, len(self.hosts.get(unit, ())), place=place)
            for unit in every_unit
        ]
        return figures

    def to_state(self) -> dict[str, Any]:
        return {
            "date": self.day.isoformat() if self.day else None,
            "hosts": {unit: sorted(digests) for unit, digests in sorted(self.hosts.items())},
        }

    @classmethod
    def from_state(cls, state: dict[str, Any] | None) -> DailyFigures:
        if not state or not state.get("date"):
            return cls()
        hosts = {unit: set(digests) for unit, digests in state.get("hosts", {}).items()}
        return cls(date.fromisoformat(state["date"]), hosts)

    def _remembered(self) -> int:
        return sum(len(digests) for digests in self.hosts.values())


def _digest(host: str) -> str:
    """Eight hex digits stand for a host name in the state: short, and distinct enough for a
    province's few thousand hosts."""
    return hashlib.blake2b(host.encode(), digest_size=4).hexdigest()
