"""A road traffic accident as the police record it, and the ``traffic.accident`` event it makes.

Every accident source (CSV export, REST API, DATEX II) first gathers an accident's values under
the names of :data:`FIELDS`, then :func:`accident_item` checks them and builds the event — or a
bad record saying what is wrong, with the source's raw record.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from hub.connectors.records import BadRecord, Event
from hub.numbers import NumberConvention

from .definitions import ACCIDENT, SECTOR, accident_severity
from .values import (
    MACHINE,
    ValueProblem,
    identifier,
    parse_count,
    parse_point,
    parse_time,
    scrub,
    text,
)

FIELDS = (
    "id",
    "occurred_at",
    "date",
    "time",
    "unit",
    "lat",
    "lon",
    "road",
    "location",
    "vehicles",
    "deaths",
    "injuries",
    "cause",
    "accident_type",
)
"""The values an accident source can give. ``occurred_at`` is a date-time; a source that
keeps the date and the time of day apart gives ``date`` and ``time`` instead."""


@dataclass(frozen=True)
class Accident:
    """One accident, checked: it has an id, a time and a place (a commune code or a point)."""

    id: str
    occurred_at: datetime
    deaths: int
    injuries: int
    vehicles: int | None = None
    unit: str | None = None
    point: tuple[float, float] | None = None
    road: str | None = None
    location: str | None = None
    cause: str | None = None
    accident_type: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def severity(self) -> int:
        return accident_severity(self.deaths, self.injuries)

    @property
    def title(self) -> str:
        where = f" on {self.road}" if self.road else ""
        if not (self.deaths or self.injuries):
            return f"Accident{where}: no casualties"
        casualties = [f"{self.deaths} dead"] if self.deaths else []
        casualties += [f"{self.injuries} injured"] if self.injuries else []
        return f"Accident{where}: {', '.join(casualties)}"

    def event(self, place: str | None = None) -> Event:
        """The ``traffic.accident`` event; ``place`` says where it was read, for quarantine."""
        attributes = {
            "deaths": self.deaths,
            "injuries": self.injuries,
            "vehicles": self.vehicles,
            "road": self.road,
            "location": self.location,
            "cause": self.cause,
            "accident_type": self.accident_type,
            **self.extra,
        }
        lat, lon = self.point or (None, None)
        return Event(
            kind=ACCIDENT,
            source_id=self.id,
            occurred_at=self.occurred_at,
            sector=SECTOR,
            unit=self.unit,
            title=self.title,
            severity=self.severity,
            lat=lat,
            lon=lon,
            attributes={name: value for name, value in attributes.items() if value is not None},
            place=place,
        )


def accident_item(
    fields: Mapping[str, Any],
    raw: Any,
    place: str | None = None,
    time_format: str | None = None,
    numbers: NumberConvention | None = MACHINE,
) -> Event | BadRecord:
    """The event of the accident in ``fields``, or a bad record holding ``raw`` and why.

    Values other than those of :data:`FIELDS` are kept as attributes of the event.
    """
    try:
        return read_accident(scrub(fields), time_format, numbers).event(place)
    except ValueProblem as problem:
        return BadRecord(f"accident: {problem}", scrub(raw), place)


def read_accident(
    fields: Mapping[str, Any],
    time_format: str | None = None,
    numbers: NumberConvention | None = MACHINE,
) -> Accident:
    """Check the values of one accident; raise ValueProblem for the first thing wrong."""
    accident_id = identifier(fields.get("id"))
    unit = text(fields.get("unit"))
    point = parse_point(fields.get("lat"), fields.get("lon"), numbers)
    if unit is None and point is None:
        raise ValueProblem("no place: neither a commune code nor coordinates")
    return Accident(
        id=accident_id,
        occurred_at=_occurred_at(fields, time_format),
        deaths=parse_count(fields.get("deaths"), "deaths", numbers=numbers) or 0,
        injuries=parse_count(fields.get("injuries"), "injuries", numbers=numbers) or 0,
        vehicles=parse_count(fields.get("vehicles"), "vehicles", None, numbers),
        unit=unit,
        point=point,
        road=text(fields.get("road")),
        location=text(fields.get("location")),
        cause=text(fields.get("cause")),
        accident_type=text(fields.get("accident_type")),
        extra={
            name: value
            for name, value in fields.items()
            if name not in FIELDS and value not in (None, "")
        },
    )


def _occurred_at(fields: Mapping[str, Any], time_format: str | None) -> datetime:
    if fields.get("occurred_at") not in (None, ""):
        return parse_time(fields["occurred_at"], time_format)
    day, time_of_day = text(fields.get("date")), text(fields.get("time"))
    if day is None:
        raise ValueProblem("no time")
    joined = f"{day} {time_of_day}" if time_of_day else day
    return parse_time(joined, time_format)
