"""Folding repeated alerts into incidents: one per rule and host while the alerts keep coming.

An incident opens with an alert of a (rule, host) pair that has no open incident, counts every
alert of that pair that follows less than the *quiet period* after the previous one, and is
resolved once the quiet period has passed without one — at its last alert, so that its time to
resolve is how long the trouble lasted. Time here is the alerts' own time (the latest seen so
far), never the wall clock: reading the same alerts again, in one run or in many, gives the
same incidents with the same counts.

Why counts are never doubled: the book of open incidents travels in the connector's state,
saved in the same transaction as the source position it belongs to. A retry or a later run
starts from that position *with* the counts as they were there, so every alert is counted
exactly once. The book only holds open incidents, and at most ``limit`` of them: when a new one
would exceed it, the one quiet for longest is resolved early.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from .alerts import Alert
from .severity import Severity

TITLE_IN_STATE = 120


@dataclass
class Incident:
    """Alerts of one rule on one host, close together in time."""

    key: str
    rule: str
    host: str
    title: str
    first_seen: datetime
    last_seen: datetime
    count: int
    severity: Severity
    level: int
    resolved: bool = False

    @classmethod
    def open(cls, alert: Alert, host: str) -> Incident:
        opened = alert.occurred_at.astimezone(UTC)
        return cls(
            key=f"{alert.rule}@{host}@{opened:%Y%m%dT%H%M%SZ}",
            rule=alert.rule,
            host=host,
            title=alert.title[:TITLE_IN_STATE],
            first_seen=alert.occurred_at,
            last_seen=alert.occurred_at,
            count=1,
            severity=alert.severity,
            level=alert.level,
        )

    def add(self, alert: Alert) -> None:
        """Count one more alert (which may arrive a little out of order)."""
        self.count += 1
        self.first_seen = min(self.first_seen, alert.occurred_at)
        self.last_seen = max(self.last_seen, alert.occurred_at)
        self.severity = max(self.severity, alert.severity)
        self.level = max(self.level, alert.level)

    @property
    def resolve_hours(self) -> float:
        """Hours from the first alert to the last: how long the trouble lasted."""
        return round((self.last_seen - self.first_seen).total_seconds() / 3600, 4)

    def to_state(self) -> list[Any]:
        return [
            self.key,
            self.rule,
            self.host,
            self.title,
            _stamp(self.first_seen),
            _stamp(self.last_seen),
            self.count,
            int(self.severity),
            self.level,
        ]

    @classmethod
    def from_state(cls, item: list[Any]) -> Incident:
        key, rule, host, title, first, last, count, severity, level = item
        return cls(
            key, rule, host, title, _time(first), _time(last), count, Severity(severity), level
        )


class IncidentBook:
    """The open incidents, by (rule, host)."""

    def __init__(self, quiet: timedelta, limit: int, incidents: Iterable[Incident] = ()) -> None:
        self.quiet = quiet
        self.limit = limit
        self._open = {(incident.rule, incident.host): incident for incident in incidents}
        self._due = self._earliest_due()  # never later than the first incident falls due

    def __len__(self) -> int:
        return len(self._open)

    def open_incidents(self) -> list[Incident]:
        return list(self._open.values())

    def fold(self, alert: Alert, host: str) -> tuple[Incident, list[Incident]]:
        """The incident the alert joins or opens, and any resolved early to make room."""
        incident = self._open.get((alert.rule, host))
        if incident is not None:
            incident.add(alert)
            return incident, []
        evicted = self._make_room()
        incident = Incident.open(alert, host)
        self._open[(alert.rule, host)] = incident
        due = incident.last_seen + self.quiet
        self._due = due if self._due is None else min(self._due, due)
        return incident, evicted

    def expire(self, now: datetime) -> list[Incident]:
        """Resolve the incidents quiet for the whole quiet period at ``now``."""
        if self._due is None or now < self._due:
            return []  # the common case, without looking at every incident
        due = [i for i in self._open.values() if now - i.last_seen >= self.quiet]
        resolved = [self._resolve(incident) for incident in sorted(due, key=_by_last_seen)]
        self._due = self._earliest_due()
        return resolved

    def to_state(self) -> list[list[Any]]:
        return [incident.to_state() for incident in self._open.values()]

    @classmethod
    def from_state(
        cls, state: list[list[Any]] | None, quiet: timedelta, limit: int
    ) -> IncidentBook:
        return cls(quiet, limit, [Incident.from_state(item) for item in state or []])

    def _earliest_due(self) -> datetime | None:
        if not self._open:
            return None
        return min(incident.last_seen for incident in self._open.values()) + self.quiet

    def _make_room(self) -> list[Incident]:
        if len(self._open) < self.limit:
            return []
        quietest = min(self._open.values(), key=_by_last_seen)
        return [self._resolve(quietest)]

    def _resolve(self, incident: Incident) -> Incident:
        del self._open[(incident.rule, incident.host)]
        incident.resolved = True
        return incident


def _by_last_seen(incident: Incident) -> tuple[datetime, str]:
    return incident.last_seen, incident.key


def _stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat()


def _time(text: str) -> datetime:
    return datetime.fromisoformat(text)
