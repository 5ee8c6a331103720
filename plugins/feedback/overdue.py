"""Cases overdue — open past their deadline — as a daily snapshot.

Overdue is a stock: it holds at a moment, and a case becomes overdue without anything changing
in the portal, so it cannot be counted from events as they change. Instead, each sync that
makes a whole pass counts, at the moment the pass began, the open cases past their deadline
among those it read in the revisit span, and writes one observation per unit, category and
agency for that day (``LAST`` across time: a month's value is its last day's). A later sync the
same day overwrites the day's values. Every combination met in the pass gets a value, zero
included, so that a case resolved since an earlier sync of the day leaves no stale count.

Limits (README.md): only cases requested within ``revisit_days`` are followed, so one open for
longer is not counted; a case the hub could place only by its point (no unit in its own fields)
is left out, since the connector cannot know the commune the hub will choose.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from datetime import datetime, tzinfo

from hub.connectors.records import Observation

from .cases import Case

METRIC = "feedback_cases_overdue"

Key = tuple[str, str | None, str | None]  # unit, category, agency


class OverdueTally:
    """Counts overdue cases per unit, category and agency at one moment."""

    def __init__(self, moment: datetime, zone: tzinfo) -> None:
        self.moment = moment
        self.day = moment.astimezone(zone).date().isoformat()
        self._cases: dict[str, tuple[Key | None, bool]] = {}

    def add(self, case: Case) -> None:
        """Count ``case``; a case read again (a retried window) replaces its earlier reading."""
        key = (case.placement.code, case.category, case.agency) if case.placement else None
        self._cases[case.id] = (key, case.overdue_at(self.moment))

    @property
    def unplaced(self) -> int:
        """Overdue cases left out: placed only by their point."""
        return sum(overdue for key, overdue in self._cases.values() if key is None)

    def counts(self) -> Counter[Key]:
        counted: Counter[Key] = Counter()
        for key, overdue in self._cases.values():
            if key is not None:
                counted[key] += overdue  # zero is a value: this combination has no overdue case
        return counted

    def observations(self) -> Iterator[Observation]:
        for (unit, category, agency), count in sorted(self.counts().items(), key=str):
            dims = {
                name: value
                for name, value in (("category", category), ("agency", agency))
                if value is not None
            }
            yield Observation(METRIC, unit, self.day, count, dims=dims, place=f"overdue {unit}")
