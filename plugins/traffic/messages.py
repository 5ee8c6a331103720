"""Camera and sensor messages (JSON objects) as ``traffic.violation`` or ``traffic.sensor`` events.

A message needs an event id (the event's ``source_id``: a message delivered twice is stored
once), a type and a time. Its type, in lower case with ``-`` and spaces read as ``_`` and
renamed by ``type_aliases``, decides the kind: one of ``violation_types`` makes a violation,
any other a sensor event. Its place is its own commune code or point, else its camera's (from
the registry). Anything that cannot be read — not UTF-8, not JSON, not an object, no id, no
type, no readable time — becomes a bad record holding the raw message, decoded safely.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from hub.connectors.errors import BadInput
from hub.connectors.records import BadRecord, Event, json_value

from .cameras import Camera
from .config import MessageConfig
from .definitions import SECTOR, SENSOR, VIOLATION
from .privacy import PlatePolicy
from .values import (
    ValueProblem,
    dig,
    identifier,
    normal_type,
    parse_count,
    parse_number,
    parse_point,
    parse_time,
    replaced,
    scrub,
    text,
)

RAW_LIMIT_BYTES = 16_384
"""How much of a bad message is kept in quarantine."""
MAX_SEVERITY = 10


@dataclass(frozen=True)
class MessageMapper:
    """Maps one deployment's messages, with its field paths, types, cameras and plate policy."""

    config: MessageConfig
    cameras: Mapping[str, Camera] = field(default_factory=dict)

    @cached_property
    def plates(self) -> PlatePolicy:
        key = self.config.plate_key
        return PlatePolicy(self.config.plates, key.get_secret_value().encode() if key else None)

    def item(
        self,
        payload: bytes,
        place: str,
        topic: str | None = None,
        decoded: Callable[[Mapping[str, Any]], None] | None = None,
    ) -> Event | BadRecord:
        """The event of one raw message, or a bad record holding it and saying why not.

        ``decoded`` is given the message once it is read as a JSON object (so that a caller
        needing more of it does not decode it again).
        """
        try:
            message = _json_object(payload)
        except BadInput as problem:
            return BadRecord(f"message: {problem}", raw_message(payload, topic), place)
        if b"\\u0000" in payload:  # the only way JSON text can hold a NUL
            message = scrub(message)
        if decoded is not None:
            decoded(message)
        try:
            return self.event(message, place, topic)
        except ValueProblem as problem:
            kept = {"topic": topic, "message": self.redacted(message)}
            return BadRecord(f"message: {problem}", _without_none(kept), place)

    def event(self, message: Mapping[str, Any], place: str, topic: str | None = None) -> Event:
        """The event of one decoded message; ValueProblem for the first thing wrong."""
        fields = self.config.fields
        event_id = identifier(dig(message, fields.id), f"event id (field {fields.id!r})")
        event_type = self.event_type(dig(message, fields.type))
        occurred_at = parse_time(dig(message, fields.time), self.config.time_format)
        camera = self.cameras.get(text(dig(message, fields.camera)) or "")
        unit = text(dig(message, fields.unit)) or (camera.unit if camera else None)
        point = parse_point(dig(message, fields.lat), dig(message, fields.lon))
        point = point or (camera.point if camera else None)
        is_violation = event_type in self.config.violation_types
        lat, lon = point or (None, None)
        return Event(
            kind=VIOLATION if is_violation else SENSOR,
            source_id=event_id,
            occurred_at=occurred_at,
            sector=SECTOR,
            unit=unit,
            title=_title(event_type, camera, text(dig(message, fields.camera))),
            severity=self._severity(message),
            lat=lat,
            lon=lon,
            attributes=self._attributes(message, event_type, is_violation, topic),
            place=place,
        )

    def redacted(self, message: Mapping[str, Any]) -> dict[str, Any]:
        """The message with its plate as the events keep it: quarantine is no back door."""
        path = self.config.fields.plate
        plate = text(dig(message, path))
        if plate is None or self.plates.handling == "keep":
            return dict(message)
        if self.plates.handling == "pseudonymise":
            return replaced(message, path, {"pseudonym": self.plates.pseudonym(plate)})
        return replaced(message, path, "(dropped)")

    def event_type(self, raw: Any) -> str:
        """The hub's name of a source type: ``Red-Light`` → ``red_light``, then aliases."""
        source = text(raw)
        if source is None:
            raise ValueProblem(f"no event type (field {self.config.fields.type!r})")
        normal = normal_type(source)
        return self.config.type_aliases.get(normal, normal)

    def _attributes(
        self, message: Mapping[str, Any], event_type: str, is_violation: bool, topic: str | None
    ) -> dict[str, Any]:
        fields = self.config.fields
        values: dict[str, Any] = {
            "violation_type" if is_violation else "sensor_type": event_type,
            "camera_id": text(dig(message, fields.camera)),
            "speed": parse_number(dig(message, fields.speed), "speed"),
            "speed_limit": parse_number(dig(message, fields.speed_limit), "speed_limit"),
            "vehicle_class": text(dig(message, fields.vehicle_class)),
            "topic": topic,
            **self.plates.attributes(text(dig(message, fields.plate))),
            **{name: dig(message, path) for name, path in fields.attributes.items()},
        }
        return {name: value for name, value in values.items() if value is not None}

    def _severity(self, message: Mapping[str, Any]) -> int | None:
        if not self.config.fields.severity:
            return None
        severity = parse_count(dig(message, self.config.fields.severity), "severity", blank=None)
        if severity is not None and severity > MAX_SEVERITY:
            raise ValueProblem(f"severity {severity} is over {MAX_SEVERITY}")
        return severity


def raw_message(payload: bytes, topic: str | None = None) -> dict[str, Any]:
    """A message as quarantine keeps it: its text, and its bytes in base64 when the text
    cannot say them exactly (not UTF-8, or holding NUL characters, which are left out)."""
    kept = payload[:RAW_LIMIT_BYTES]
    decoded = kept.decode("utf-8", errors="replace")
    raw: dict[str, Any] = {"topic": scrub(topic), "bytes": len(payload), "text": scrub(decoded)}
    if b"\x00" in kept or decoded.encode("utf-8") != kept:
        raw["base64"] = base64.b64encode(kept).decode("ascii")
    if len(payload) > RAW_LIMIT_BYTES:
        raw["truncated"] = True
    return _without_none(raw)


def quarantined_message(payload: Any) -> tuple[bytes, str | None]:
    """The message (and topic) a quarantined payload holds, to be mapped again: the inverse
    of what :meth:`MessageMapper.item` quarantines."""
    if not isinstance(payload, dict):
        raise ValueProblem("not a quarantined message")
    topic = payload.get("topic")
    if isinstance(payload.get("message"), dict):
        return json.dumps(payload["message"], ensure_ascii=False).encode(), topic
    if payload.get("truncated"):
        raise ValueProblem(f"only the first {RAW_LIMIT_BYTES} bytes of the message were kept")
    if "base64" in payload:
        return base64.b64decode(payload["base64"]), topic
    return str(payload.get("text", "")).encode(), topic


def _without_none(values: dict[str, Any]) -> dict[str, Any]:
    return {name: value for name, value in values.items() if value is not None}


def _json_object(payload: bytes) -> Mapping[str, Any]:
    message = json_value(payload)
    if not isinstance(message, dict):
        raise ValueProblem(f"not a JSON object but {type(message).__name__}")
    return message


def _title(event_type: str, camera: Camera | None, camera_id: str | None) -> str:
    what = event_type.replace("_", " ").capitalize()
    where = camera.name if camera else camera_id
    return f"{what} at {where}" if where else what
