"""Raises alerts as data arrive, in the same transaction as the data that raised them.

Each alert is stored once per rule and cause (``event:<id>``, or ``<unit id>:<period>``), so
re-reading the same data, or a retry, never raises it twice.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.ingest.writer import insert_new
from hub.model import Alert, Event
from hub.model.base import utcnow
from hub.plugins.definitions import AlertRule


class AlertRaiser:
    """Checks new and changed events against the event rules."""

    def __init__(self, rules: list[AlertRule]) -> None:
        self.by_kind: dict[str, list[AlertRule]] = {}
        for rule in rules:
            if rule.event_kind:
                self.by_kind.setdefault(rule.event_kind, []).append(rule)

    def events_written(self, session: Session, source: str, events: list[dict[str, Any]]) -> int:
        """Raise the alerts these (just written) events call for; return how many are new."""
        kinds = {event["kind"] for event in events} & self.by_kind.keys()
        if not kinds:
            return 0
        ids = [event["source_id"] for event in events if event["kind"] in kinds]
        rows = session.execute(
            select(Event.id, Event.kind, Event.severity, Event.title, Event.unit_id).where(
                Event.source == source, Event.source_id.in_(ids)
            )
        ).all()
        alerts = [
            _event_alert(rule, row)
            for row in rows
            for rule in self.by_kind[row.kind]
            if rule.min_severity is None or (row.severity or 0) >= rule.min_severity
        ]
        return insert_new(session, Alert.__table__, alerts, ("rule", "cause"))


def _event_alert(rule: AlertRule, event: Any) -> dict[str, Any]:
    return {
        "rule": rule.code,
        "cause": f"event:{event.id}",
        "severity": rule.severity,
        "message": f"{rule.name}: {event.title or event.kind}",
        "unit_id": event.unit_id,
        "event_id": event.id,
        "period": None,
        "value": None,
        "raised_at": utcnow(),
    }
