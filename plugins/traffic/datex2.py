"""Accidents from a DATEX II ``SituationPublication`` (version 2 or 3).

Elements are matched by their local names, so that the DATEX II 2.x namespace
(``http://datex2.eu/schema/2/2_0``) and the 3.x ones (``…/3/situation``, ``…/3/common``,
``…/3/locationReferencing``) read alike, whatever prefixes a publisher chose. Only
``situationRecord`` elements of type ``Accident`` are read; other situations (road works,
obstructions, weather) are not the plugin's and are skipped, each counted in the run as
"DATEX II situation record that is not an accident: <type>" (``MaintenanceWorks``,
``AbnormalTraffic``…).

What an accident record gives:

- the time: ``validity/…/overallStartTime``, else ``situationRecordCreationTime``;
- the place: the point coordinates (``pointCoordinates``, or 2.x ``locationForDisplay``), from
  which the hub finds the commune, marked approximate; a record without a point is
  quarantined;
- the vehicles: ``totalNumberOfVehiclesInvolved``, else the ``numberOfVehicles`` of each
  ``groupOfVehiclesInvolved`` plus one per ``vehicleInvolved``;
- the casualties: each ``groupOfPeopleInvolved`` adds its ``numberOfPeople`` (1 when it does not
  say) to the deaths (``injuryStatus`` dead) or the injuries (injured, seriouslyInjured,
  slightlyInjured).

A DTD is refused (DATEX II never uses one, and entity tricks live there); a document that is
not well-formed XML, or not DATEX II, is quarantined whole.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from typing import Any

from hub.connectors.records import BadRecord, Event, Skipped
from hub.numbers import NumberConvention

from .accidents import accident_item
from .values import ValueProblem, parse_count

XML_NUMBERS = NumberConvention.EN
"""XML Schema decimals: a dot marks the decimals, nothing groups thousands."""

DATEX_NAMESPACES = "http://datex2.eu/schema/"
XSI_TYPE = "{http://www.w3.org/2001/XMLSchema-instance}type"
DEAD = {"dead"}
INJURED = {"injured", "seriouslyInjured", "slightlyInjured"}
EXCERPT_CHARS = 20_000
NOT_AN_ACCIDENT = "DATEX II situation record that is not an accident"
_DOCTYPE = re.compile(rb"<!DOCTYPE", re.IGNORECASE)


def read_datex2(content: bytes) -> Iterator[Event | BadRecord | Skipped]:
    """Each accident of the publication as an event, or a bad record saying why not."""
    try:
        root = parse_datex2(content)
    except ValueProblem as problem:
        yield BadRecord(f"DATEX II: {problem}", {"document": _excerpt(content)}, "document")
        return
    for situation in _all(root, "situation"):
        for record in _children(situation, "situationRecord"):
            kind = record_type(record)
            if kind == "Accident":
                yield _accident(situation, record)
            else:
                yield Skipped(f"{NOT_AN_ACCIDENT}: {kind or 'no type'}")


def describe_datex2(content: bytes) -> str:
    """A one-line summary of the publication; ValueProblem when it is unusable."""
    root = parse_datex2(content)
    records = [r for s in _all(root, "situation") for r in _children(s, "situationRecord")]
    accidents = sum(record_type(record) == "Accident" for record in records)
    return f"a DATEX II publication of {len(records)} situation records, {accidents} accidents"


def parse_datex2(content: bytes) -> ET.Element:
    """The document's root element; ValueProblem if it is not a well-formed DATEX II one."""
    if _DOCTYPE.search(content):
        raise ValueProblem("a document type declaration (DTD) is not allowed")
    try:
        root = ET.fromstring(content)
    except ET.ParseError as exc:
        raise ValueProblem(f"not well-formed XML: {exc}") from None
    if not root.tag.startswith("{" + DATEX_NAMESPACES):
        raise ValueProblem(f"the root element {root.tag!r} is not in a DATEX II namespace")
    return root


def record_type(record: ET.Element) -> str:
    """The record's ``xsi:type`` without its prefix, e.g. ``Accident``."""
    return (record.get(XSI_TYPE) or "").rpartition(":")[2]


def _accident(situation: ET.Element, record: ET.Element) -> Event | BadRecord:
    place = f"situationRecord {record.get('id') or '(no id)'}"
    try:
        fields = _accident_fields(situation, record)
    except ValueProblem as problem:
        return BadRecord(f"accident: {problem}", {"xml": _xml(record)}, place)
    return accident_item(fields, {"xml": _xml(record)}, place, numbers=XML_NUMBERS)


def _accident_fields(situation: ET.Element, record: ET.Element) -> dict[str, Any]:
    deaths, injuries = _casualties(record)
    lat, lon = _point(record)
    return {
        "id": record.get("id"),
        "occurred_at": _text(_first(record, "overallStartTime"))
        or _text(_first(record, "situationRecordCreationTime")),
        "lat": lat,
        "lon": lon,
        "road": _text(_first(record, "roadNumber")) or _text(_first(record, "roadName")),
        "vehicles": _vehicles(record),
        "deaths": deaths,
        "injuries": injuries,
        "cause": _text(_first(record, "accidentCause")),
        "accident_type": ", ".join(_texts(record, "accidentType")) or None,
        "record_version": record.get("version"),
        "datex_severity": _text(_first(situation, "overallSeverity")),
        "comment": _comment(record),
    }


def _casualties(record: ET.Element) -> tuple[int, int]:
    deaths = injuries = 0
    for group in _children(record, "groupOfPeopleInvolved"):
        people = parse_count(_text(_first(group, "numberOfPeople")), "numberOfPeople", blank=1)
        status = _text(_first(group, "injuryStatus"))
        if status in DEAD:
            deaths += people or 0
        elif status in INJURED:
            injuries += people or 0
    return deaths, injuries


def _vehicles(record: ET.Element) -> int | None:
    total = _text(_first(record, "totalNumberOfVehiclesInvolved"))
    if total is not None:
        return parse_count(total, "totalNumberOfVehiclesInvolved")
    groups = [
        parse_count(_text(_first(group, "numberOfVehicles")), "numberOfVehicles") or 0
        for group in _children(record, "groupOfVehiclesInvolved")
    ]
    single = len(_children(record, "vehicleInvolved"))
    return sum(groups) + single if groups or single else None


def _point(record: ET.Element) -> tuple[str | None, str | None]:
    for name in ("pointCoordinates", "locationForDisplay"):
        point = _first(record, name)
        if point is not None:
            return _text(_first(point, "latitude")), _text(_first(point, "longitude"))
    return None, None


def _comment(record: ET.Element) -> str | None:
    comment = _first(record, "generalPublicComment")
    return _text(_first(comment, "value")) if comment is not None else None


def _local(tag: Any) -> str:
    return tag.rpartition("}")[2] if isinstance(tag, str) else ""


def _all(element: ET.Element, name: str) -> list[ET.Element]:
    return [found for found in element.iter() if _local(found.tag) == name]


def _children(element: ET.Element, name: str) -> list[ET.Element]:
    return [child for child in element if _local(child.tag) == name]


def _first(element: ET.Element, name: str) -> ET.Element | None:
    return next((found for found in element.iter() if _local(found.tag) == name), None)


def _text(element: ET.Element | None) -> str | None:
    if element is None or element.text is None:
        return None
    return element.text.strip() or None


def _texts(element: ET.Element, name: str) -> list[str]:
    return [text for found in _all(element, name) if (text := _text(found))]


def _xml(element: ET.Element) -> str:
    return ET.tostring(element, encoding="unicode")[:EXCERPT_CHARS]


def _excerpt(content: bytes) -> str:
    return content[:EXCERPT_CHARS].decode("utf-8", errors="replace")
