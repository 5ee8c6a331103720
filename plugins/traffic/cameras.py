"""The camera registry: which cameras exist, where, and in which commune.

A registry is a JSON list of objects (or ``{"cameras": [...]}``) or a CSV file, one camera
each, with ``id`` and optionally ``name``, ``commune`` (GSO code), ``lat``, ``lon``; any other
value (road, direction, what the camera detects) is kept as an attribute. Each camera becomes
a facility of kind ``camera``, and places the events it reports that carry no place of their
own.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from hub.connectors.errors import PermanentSourceError
from hub.connectors.records import BadRecord, Facility
from hub.connectors.sources import fetch

from .values import MAX_ID_CHARS, ValueProblem, identifier, parse_point, scrub, text

FACILITY_KIND = "camera"
KNOWN = ("id", "name", "commune", "lat", "lon")


@dataclass(frozen=True)
class Camera:
    id: str
    name: str
    unit: str | None = None
    point: tuple[float, float] | None = None
    attributes: dict[str, Any] = field(default_factory=dict)

    def facility(self) -> Facility:
        lat, lon = self.point or (None, None)
        return Facility(
            self.id,
            self.name,
            FACILITY_KIND,
            self.unit,
            lat,
            lon,
            dict(self.attributes),
            place=f"camera {self.id}",
        )


@dataclass(frozen=True)
class Registry:
    """The cameras by id, and the entries that could not be read."""

    cameras: dict[str, Camera] = field(default_factory=dict)
    problems: list[BadRecord] = field(default_factory=list)

    def items(self) -> Iterator[Facility | BadRecord]:
        """Every camera as a facility, then every bad entry."""
        yield from (camera.facility() for camera in self.cameras.values())
        yield from self.problems


def read_registry(content: bytes) -> Registry:
    """The registry in ``content`` (JSON or CSV); PermanentSourceError if it is neither."""
    registry = Registry()
    for place, entry in _entries(content):
        entry = scrub(entry)
        try:
            camera = _camera(entry)
        except ValueProblem as problem:
            registry.problems.append(BadRecord(f"camera: {problem}", entry, place))
            continue
        registry.cameras[camera.id] = camera
    return registry


def _entries(content: bytes) -> Iterator[tuple[str, Mapping[str, Any]]]:
    try:
        decoded = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise PermanentSourceError("the camera registry is not UTF-8 text") from None
    if decoded.lstrip()[:1] in ("[", "{"):
        yield from _json_entries(decoded)
        return
    reader = csv.DictReader(io.StringIO(decoded, newline=""))
    if "id" not in (reader.fieldnames or []):
        raise PermanentSourceError("the camera registry is neither JSON nor a CSV with an id")
    for row in reader:
        yield f"registry line {reader.line_num}", row


def _json_entries(decoded: str) -> Iterator[tuple[str, Mapping[str, Any]]]:
    try:
        data = json.loads(decoded)
    except json.JSONDecodeError as exc:
        raise PermanentSourceError(f"the camera registry is not valid JSON: {exc}") from None
    cameras = data.get("cameras") if isinstance(data, dict) else data
    if not isinstance(cameras, list):
        raise PermanentSourceError("the camera registry holds no list of cameras")
    for number, entry in enumerate(cameras, start=1):
        yield f"registry entry {number}", entry if isinstance(entry, dict) else {"entry": entry}


def _camera(entry: Mapping[str, Any]) -> Camera:
    camera_id = identifier(entry.get("id"))
    attributes = {k: v for k, v in entry.items() if k not in KNOWN and v not in (None, "")}
    return Camera(
        id=camera_id,
        name=(text(entry.get("name")) or f"Camera {camera_id}")[:MAX_ID_CHARS],
        unit=text(entry.get("commune")),
        point=parse_point(entry.get("lat"), entry.get("lon")),
        attributes=attributes,
    )


def load_registry(location: str | None, timeout: float) -> Registry:
    """The registry at ``location`` (a URL or a path); an empty one when there is none."""
    if location is None:
        return Registry()
    return read_registry(fetch(location, timeout).content)
