"""The hub events the plugin writes: ``security.alert`` and ``security.incident``."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from hub.connectors.records import Event

from .alerts import Alert
from .incidents import Incident

if TYPE_CHECKING:  # the plugin's definitions import this module: not the config's kit
    from .config import HostOwner

SECTOR = "security"
ALERT = "security.alert"
INCIDENT = "security.incident"
OPEN, RESOLVED = "open", "resolved"


def alert_event(
    alert: Alert, host: str, owner: HostOwner | None, incident: str, place: str | None
) -> Event:
    """One alert, linked to the incident it was folded into."""
    attributes = {
        **alert.details,
        "origin": alert.origin,
        "rule": alert.rule,
        "level": alert.level,
        "severity_label": alert.severity.label,
        "host": host,
        "agency": owner.agency if owner else None,
        "incident": incident,
    }
    return Event(
        kind=ALERT,
        source_id=alert.id,
        occurred_at=alert.occurred_at,
        sector=SECTOR,
        unit=owner.unit if owner else None,
        title=alert.title,
        severity=int(alert.severity),
        attributes=attributes,
        place=place,
    )


def incident_event(incident: Incident, owner: HostOwner | None, alerts_stored: bool) -> Event:
    """An incident as it stands: open with its count so far, or resolved."""
    attributes: dict[str, Any] = {
        "rule": incident.rule,
        "rule_title": incident.title,
        "host": incident.host,
        "agency": owner.agency if owner else None,
        "count": incident.count,
        "first_seen": utc(incident.first_seen),
        "last_seen": utc(incident.last_seen),
        "level": incident.level,
        "severity_label": incident.severity.label,
        "alerts_stored": alerts_stored,
    }
    if incident.resolved:
        attributes["resolved_at"] = utc(incident.last_seen)
        attributes["resolve_hours"] = incident.resolve_hours
    return Event(
        kind=INCIDENT,
        source_id=incident.key,
        occurred_at=incident.first_seen,
        sector=SECTOR,
        unit=owner.unit if owner else None,
        title=f"{incident.title} — {incident.host}",
        status=RESOLVED if incident.resolved else OPEN,
        severity=int(incident.severity),
        attributes=attributes,
        place=f"incident {incident.key}",
    )


def utc(moment: datetime) -> str:
    """A time as ISO 8601 in UTC: the same text however the time was read."""
    return moment.astimezone(UTC).isoformat()
