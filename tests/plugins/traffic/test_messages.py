"""Camera and sensor messages: kinds, types, places from the camera registry, plates, bad input."""

from __future__ import annotations

import json
from typing import Any

import pytest
from iochub_plugins.traffic.cameras import read_registry
from iochub_plugins.traffic.config import MessageConfig
from iochub_plugins.traffic.messages import MessageMapper
from iochub_plugins.traffic.privacy import PlatePolicy
from pydantic import ValidationError

from hub.connectors.records import BadRecord, Event

REGISTRY = json.dumps(
    {
        "cameras": [
            {
                "id": "CAM-1",
                "name": "Ngã tư Phan Đình Phùng",
                "commune": "23293",
                "lat": 14.3531,
                "lon": 108.0069,
                "road": "QL14",
            },
            {"id": "CAM-2", "lat": 14.62, "lon": 107.82},
            {"name": "no id"},
        ]
    }
).encode()
MESSAGE = {
    "event_id": "E-1",
    "type": "Red-Light",
    "camera_id": "CAM-1",
    "time": "2026-11-20T08:00:00+07:00",
    "plate": "82A-123.45",
    "vehicle_class": "car",
}


def mapper(**config: Any) -> MessageMapper:
    return MessageMapper(MessageConfig.model_validate(config), read_registry(REGISTRY).cameras)


def encoded(**changes: Any) -> bytes:
    return json.dumps({**MESSAGE, **changes}).encode()


def test_a_violation_takes_its_place_from_its_camera() -> None:
    event = mapper().item(encoded(), "topic t", "kontum/cameras/CAM-1")

    assert isinstance(event, Event)
    assert (event.kind, event.source_id, event.unit, event.lat, event.lon) == (
        "traffic.violation",
        "E-1",
        "23293",
        14.3531,
        108.0069,
    )
    assert event.title == "Red light at Ngã tư Phan Đình Phùng"
    assert event.attributes == {
        "violation_type": "red_light",
        "camera_id": "CAM-1",
        "vehicle_class": "car",
        "topic": "kontum/cameras/CAM-1",
    }


def test_the_message_s_own_place_wins_over_its_camera_s() -> None:
    event = mapper().item(encoded(commune="23302", lat=14.3, lon=107.98), "p")

    assert isinstance(event, Event)
    assert (event.unit, event.lat, event.lon) == ("23302", 14.3, 107.98)


def test_other_types_are_sensor_events_and_aliases_rename_types() -> None:
    m = mapper(
        type_aliases={"vuot_den_do": "red_light"}, fields={"attributes": {"queue_m": "data.queue"}}
    )

    sensor = m.item(encoded(type="Congestion", camera_id="CAM-2", data={"queue": 250}), "p")
    aliased = m.item(encoded(type="VUOT-DEN-DO"), "p")

    assert isinstance(sensor, Event) and isinstance(aliased, Event)
    assert (sensor.kind, sensor.unit, sensor.lat) == ("traffic.sensor", None, 14.62)
    assert sensor.attributes["sensor_type"] == "congestion"
    assert sensor.attributes["queue_m"] == 250
    assert sensor.title == "Congestion at Camera CAM-2"
    assert aliased.attributes["violation_type"] == "red_light"


def test_speeds_are_numbers() -> None:
    m = mapper(fields={"speed": "radar.kmh"})

    event = m.item(encoded(type="speeding", radar={"kmh": "78,5"}, speed_limit=60), "p")

    assert isinstance(event, Event)
    assert (event.attributes["speed"], event.attributes["speed_limit"]) == (78.5, 60.0)


def test_plates_are_dropped_by_default() -> None:
    event = mapper().item(encoded(), "p")

    assert isinstance(event, Event)
    assert "plate" not in event.attributes and "plate_pseudonym" not in event.attributes


def test_pseudonyms_are_stable_across_spellings_and_keys_matter() -> None:
    m = mapper(plates="pseudonymise", plate_key="k1")
    first = m.item(encoded(), "p")
    second = m.item(encoded(event_id="E-2", plate="82a 12345"), "p")
    policy_k2 = PlatePolicy("pseudonymise", b"k2")

    assert isinstance(first, Event) and isinstance(second, Event)
    pseudonym = first.attributes["plate_pseudonym"]
    assert pseudonym == second.attributes["plate_pseudonym"]
    assert "82A" not in pseudonym and len(pseudonym) == 20
    assert policy_k2.pseudonym("82A-123.45") != pseudonym


def test_plates_are_kept_only_when_asked() -> None:
    event = mapper(plates="keep").item(encoded(), "p")

    assert isinstance(event, Event) and event.attributes["plate"] == "82A-123.45"


def test_pseudonymising_without_a_key_is_a_config_error() -> None:
    with pytest.raises(ValidationError, match="plate_key"):
        MessageConfig.model_validate({"plates": "pseudonymise"})


@pytest.mark.parametrize(
    ("payload", "reason"),
    [(b"camera 7 says hello", "message: not JSON"), (b"[1, 2]", "not a JSON object but list")],
)
def test_a_message_that_is_no_json_object_is_a_bad_record_with_its_raw_text(
    payload: bytes, reason: str
) -> None:
    bad = mapper().item(payload, "topic x", "x")

    assert isinstance(bad, BadRecord)
    assert reason in bad.reason
    assert bad.payload == {"topic": "x", "bytes": len(payload), "text": payload.decode()}
    assert bad.place == "topic x"


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"event_id": None}, "no event id (field 'event_id')"),
        ({"type": None}, "no event type"),
        ({"time": "tomorrow"}, "time 'tomorrow' is not in ISO 8601"),
        ({"lat": 14.3}, "both latitude and longitude"),
    ],
)
def test_a_message_without_what_an_event_needs_is_a_bad_record_without_its_plate(
    changes: dict[str, Any], reason: str
) -> None:
    bad = mapper().item(encoded(**changes), "topic x", "x")

    assert isinstance(bad, BadRecord)
    assert reason in bad.reason
    assert bad.payload == {"topic": "x", "message": {**MESSAGE, **changes, "plate": "(dropped)"}}


def test_quarantine_keeps_a_plate_only_as_the_events_would() -> None:
    nested = {"vehicle": {"plate": "82A-123.45"}, "time": "later"}
    pseudonymised = mapper(plates="pseudonymise", plate_key="k", fields={"plate": "vehicle.plate"})
    kept = mapper(plates="keep", fields={"plate": "vehicle.plate"})

    hidden = pseudonymised.item(encoded(**nested), "p")
    shown = kept.item(encoded(**nested), "p")

    assert isinstance(hidden, BadRecord) and isinstance(shown, BadRecord)
    assert hidden.payload["message"]["vehicle"] == {
        "plate": {"pseudonym": pseudonymised.plates.pseudonym("82A-123.45")}
    }
    assert shown.payload["message"]["vehicle"] == {"plate": "82A-123.45"}


def test_bytes_that_are_not_utf8_are_kept_in_base64() -> None:
    bad = mapper().item(b"\xff\xfe{\x00", "p", "x")

    assert isinstance(bad, BadRecord) and bad.reason == "message: not UTF-8 text"
    assert bad.payload["base64"] == "//57AA=="
    assert bad.payload["text"] == "\ufffd\ufffd{"  # no NUL: PostgreSQL could not store it


def test_nul_characters_are_taken_out_of_every_text() -> None:
    event = mapper(fields={"attributes": {"note": "extra.note"}}).item(
        encoded(event_id="E-\u0000-9", vehicle_class="car\u0000", extra={"note": ["a\u0000b"]}),
        "p",
    )

    assert isinstance(event, Event)
    assert event.source_id == "E--9"
    assert (event.attributes["vehicle_class"], event.attributes["note"]) == ("car", ["ab"])


def test_an_id_too_long_to_store_is_a_bad_record() -> None:
    bad = mapper().item(encoded(event_id="x" * 301), "p")

    assert isinstance(bad, BadRecord)
    assert bad.reason == "message: event id (field 'event_id') is longer than 300 characters"


@pytest.mark.parametrize(("level", "expected"), [(3, 3), ("", None)])
def test_a_configured_severity_is_a_small_whole_number(level: Any, expected: int | None) -> None:
    event = mapper(fields={"severity": "level"}).item(encoded(level=level), "p")
    too_high = mapper(fields={"severity": "level"}).item(encoded(level=10**12), "p")

    assert isinstance(event, Event) and event.severity == expected
    assert isinstance(too_high, BadRecord) and "over 10" in too_high.reason


def test_the_registry_reads_csv_and_reports_entries_without_an_id() -> None:
    registry = read_registry(REGISTRY)
    from_csv = read_registry(b"id,name,commune,lat,lon,road\nCAM-9,Cau Dak Bla,23302,,,QL24\n")

    assert sorted(registry.cameras) == ["CAM-1", "CAM-2"]
    (problem,) = registry.problems
    assert problem.reason == "camera: no id" and problem.place == "registry entry 3"
    camera = from_csv.cameras["CAM-9"]
    facility = camera.facility()
    assert (facility.kind, facility.unit, facility.lat, facility.attributes) == (
        "camera",
        "23302",
        None,
        {"road": "QL24"},
    )
