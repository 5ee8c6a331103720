"""A GeoReport v2 request → a feedback case → a ``feedback.case`` event.

:func:`read_case` checks a request and reads it into a :class:`Case` (or says why it cannot);
:meth:`Case.event` gives the event the hub stores, with what the metrics count:

- ``occurred_at``: ``requested_datetime`` (cases received count on that day);
- ``status``: the normalised status; ``source_status`` keeps the portal's label;
- ``deadline``: ``expected_datetime``;
- ``resolved_at``: when a case is resolved or closed, its ``updated_datetime`` (the portal's
  last change, which for a finished case is when it was finished);
- ``days_to_resolve``: from ``requested_datetime`` to ``resolved_at``, in days (2 decimals);
- ``on_time``: resolved by its deadline; absent when it has no deadline;
- ``status_history``: the statuses seen, with when (the request only tells its first and its
  current status; at most ``history_limit`` entries are kept).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from typing import Any

from hub.connectors.records import BadRecord, Event

from .documents import Entry
from .places import Placement, UnitFinder
from .statuses import CaseStatus, StatusMap
from .timestamps import BadTimestamp, parse_timestamp

KIND = "feedback.case"
SECTOR = "feedback"
TITLE_CHARS = 120
TEXT_FIELDS = (
    "description",
    "status_notes",
    "address",
    "address_id",
    "zipcode",
    "media_url",
    "service_notice",
)


@dataclass(frozen=True)
class CaseRules:
    """How requests are read: the connector's config, prepared once."""

    statuses: StatusMap
    units: UnitFinder
    zone: tzinfo
    history_limit: int = 10
    catalogue: dict[str, Entry] = field(default_factory=dict)
    """service_code → the portal's service entry (name, group)."""


@dataclass(frozen=True)
class Case:
    """One citizen's report or petition, as the portal states it now."""

    id: str
    requested_at: datetime
    updated_at: datetime | None
    status: CaseStatus
    source_status: str
    deadline: datetime | None
    category: str | None
    category_name: str | None
    category_group: str | None
    agency: str | None
    placement: Placement | None
    point: tuple[float, float] | None
    texts: dict[str, str]

    @property
    def resolved_at(self) -> datetime | None:
        if not self.status.is_done:
            return None
        return max(self.updated_at or self.requested_at, self.requested_at)

    @property
    def days_to_resolve(self) -> float | None:
        resolved = self.resolved_at
        if resolved is None:
            return None
        return round((resolved - self.requested_at).total_seconds() / 86400, 2)

    @property
    def on_time(self) -> bool | None:
        resolved = self.resolved_at
        if resolved is None or self.deadline is None:
            return None
        return resolved <= self.deadline

    def overdue_at(self, moment: datetime) -> bool:
        """Open past its deadline at ``moment``."""
        return self.status.is_open and self.deadline is not None and self.deadline < moment

    def event(self, history_limit: int = 10) -> Event:
        lat, lon = self.point or (None, None)
        return Event(
            KIND,
            self.id,
            self.requested_at,
            sector=SECTOR,
            unit=self.placement.code if self.placement else None,
            title=self._title(),
            status=self.status.value,
            lat=lat,
            lon=lon,
            attributes=self._attributes(history_limit),
            place=f"request {self.id}",
        )

    def _title(self) -> str | None:
        description = " ".join(self.texts.get("description", "").split())
        title = ": ".join(part for part in (self.category_name, description) if part)
        if len(title) > TITLE_CHARS:
            title = title[: TITLE_CHARS - 1].rstrip() + "…"
        return title or None

    def _attributes(self, history_limit: int) -> dict[str, Any]:
        attributes: dict[str, Any] = {
            "category": self.category,
            "category_name": self.category_name,
            "category_group": self.category_group,
            "agency": self.agency,
            "source_status": self.source_status,
            "requested_at": self.requested_at.isoformat(),
            "updated_at": _iso(self.updated_at),
            "deadline": _iso(self.deadline),
            "resolved_at": _iso(self.resolved_at),
            "days_to_resolve": self.days_to_resolve,
            "on_time": self.on_time,
            "unit_found_by": self.placement.found_by if self.placement else None,
            "status_history": self._history()[-history_limit:],
            **self.texts,
        }
        return {name: value for name, value in attributes.items() if value is not None}

    def _history(self) -> list[dict[str, str]]:
        first = {"status": CaseStatus.RECEIVED.value, "at": self.requested_at.isoformat()}
        if self.status == CaseStatus.RECEIVED and self.updated_at in (None, self.requested_at):
            return [{**first, "source_status": self.source_status}]
        current = {
            "status": self.status.value,
            "source_status": self.source_status,
            "at": (self.updated_at or self.requested_at).isoformat(),
        }
        return [first, current]


class Rejected(ValueError):
    """Why a request cannot become a case."""


def read_case(entry: Any, rules: CaseRules) -> Case | BadRecord:
    """The request as a case, or a bad record whose reason names its service_request_id."""
    if not isinstance(entry, dict):
        return BadRecord("a request that is not an object", entry, "requests")
    request_id = _text(entry.get("service_request_id"))
    if not request_id:
        return BadRecord("a request without service_request_id", entry, "requests")
    try:
        return _case(request_id, entry, rules)
    except Rejected as exc:
        return BadRecord(f"request {request_id}: {exc}", entry, f"request {request_id}")


def _case(request_id: str, entry: Entry, rules: CaseRules) -> Case:
    if not _text(entry.get("requested_datetime")):
        raise Rejected("no requested_datetime")
    category = _text(entry.get("service_code")) or _text(entry.get("service_name"))
    service = rules.catalogue.get(category or "", {})
    return Case(
        id=request_id,
        requested_at=_moment(entry, "requested_datetime", rules.zone),
        updated_at=_optional_moment(entry, "updated_datetime", rules.zone),
        status=_status(entry, rules.statuses),
        source_status=_text(entry.get("status")) or "",
        deadline=_optional_moment(entry, "expected_datetime", rules.zone),
        category=category,
        category_name=_text(entry.get("service_name")) or _text(service.get("service_name")),
        category_group=_text(service.get("group")),
        agency=_text(entry.get("agency_responsible")),
        placement=rules.units.place(entry),
        point=_point(entry),
        texts={name: text for name in TEXT_FIELDS if (text := _text(entry.get(name)))},
    )


def _status(entry: Entry, statuses: StatusMap) -> CaseStatus:
    label = _text(entry.get("status"))
    if not label:
        raise Rejected("no status")
    status = statuses.normalise(label)
    if status is None:
        raise Rejected(
            f"status {label!r} is not in the status mapping (add it to the connector's statuses)"
        )
    return status


def _moment(entry: Entry, name: str, zone: tzinfo) -> datetime:
    try:
        return parse_timestamp(entry.get(name), zone)
    except BadTimestamp as exc:
        raise Rejected(f"{name}: {exc}") from None


def _optional_moment(entry: Entry, name: str, zone: tzinfo) -> datetime | None:
    return _moment(entry, name, zone) if _text(entry.get(name)) else None


def _point(entry: Entry) -> tuple[float, float] | None:
    lat, lon = entry.get("lat"), entry.get("long")
    if _text(lat) is None and _text(lon) is None:
        return None
    try:
        point = float(str(lat)), float(str(lon))
    except ValueError:
        raise Rejected(f"lat/long {lat!r}, {lon!r} are not numbers") from None
    if not all(math.isfinite(x) for x in point) or abs(point[0]) > 90 or abs(point[1]) > 180:
        raise Rejected(f"lat/long {lat!r}, {lon!r} are not a point on Earth")
    return None if point == (0.0, 0.0) else point  # 0,0: a form left blank, not the Gulf of Guinea


def _text(value: Any) -> str | None:
    if value is None or isinstance(value, dict | list | bool):
        return None
    text = str(value).strip()
    return text or None


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None
