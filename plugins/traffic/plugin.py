"""The traffic plugin's hook implementations.

Public order and traffic safety: accidents from the police system (``accidents-csv``,
``accidents-rest``, ``datex2``), camera and sensor events (``mqtt``, streaming; and
``events-jsonl`` for exported files), the metrics counted from them, and for ``iochub demo``
connectors against the bundled Kon Tum sample files (illustrative data, see demo/make_demo.py).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from hub.plugins.parts import ConnectorKind, PluginParts

from .definitions import ALERT_RULES, EVENT_KINDS, INDICATORS, METRICS

DEMO = Path(__file__).resolve().parent / "demo"
DEMO_ACCIDENTS_CSV = DEMO / "kontum-accidents.csv"
DEMO_DATEX2 = DEMO / "kontum-accidents-datex2.xml"
DEMO_CAMERAS = DEMO / "kontum-cameras.json"
DEMO_CAMERA_EVENTS = DEMO / "kontum-camera-events.jsonl"

DEMO_CSV_COLUMNS = {
    "id": "Số hồ sơ",
    "occurred_at": "",
    "date": "Ngày xảy ra",
    "time": "Giờ xảy ra",
    "unit": "Mã xã",
    "lat": "Vĩ độ",
    "lon": "Kinh độ",
    "road": "Tuyến đường",
    "location": "Địa điểm",
    "vehicles": "Số phương tiện",
    "deaths": "Số người chết",
    "injuries": "Số người bị thương",
    "cause": "Nguyên nhân",
    "accident_type": "Loại va chạm",
}
"""The demo export's Vietnamese headers, as the provincial police's system writes them."""


def demo_accidents_csv() -> dict[str, Any]:
    """The provincial police's accident export (bundled sample)."""
    return {
        "id": "traffic-kontum-accidents",
        "plugin": "traffic",
        "kind": "accidents-csv",
        "location": str(DEMO_ACCIDENTS_CSV),
        "time_format": "%d/%m/%Y %H:%M",
        "columns": DEMO_CSV_COLUMNS,
    }


def demo_datex2() -> dict[str, Any]:
    """Accidents on the national roads published as DATEX II (bundled sample)."""
    return {
        "id": "traffic-kontum-datex2",
        "plugin": "traffic",
        "kind": "datex2",
        "location": str(DEMO_DATEX2),
    }


def demo_camera_events() -> dict[str, Any]:
    """A day of camera events as the camera platform exports them (bundled sample)."""
    return {
        "id": "traffic-kontum-cameras",
        "plugin": "traffic",
        "kind": "events-jsonl",
        "location": str(DEMO_CAMERA_EVENTS),
        "camera_registry": str(DEMO_CAMERAS),
    }


PLUGIN = PluginParts(
    __name__,
    connector_kinds=[
        ConnectorKind(
            "accidents-csv",
            "Traffic accidents from the police system's CSV export",
            "iochub_plugins.traffic.connectors:AccidentsCsvConnector",
        ),
        ConnectorKind(
            "accidents-rest",
            "Traffic accidents from the police system's REST API",
            "iochub_plugins.traffic.connectors:AccidentsRestConnector",
        ),
        ConnectorKind(
            "datex2",
            "Traffic accidents from a DATEX II SituationPublication",
            "iochub_plugins.traffic.connectors:Datex2Connector",
        ),
        ConnectorKind(
            "events-jsonl",
            "Camera and sensor events from a JSON-lines file",
            "iochub_plugins.traffic.connectors:EventsFileConnector",
        ),
        ConnectorKind(
            "mqtt",
            "Camera and sensor events from an MQTT broker (streaming)",
            "iochub_plugins.traffic.mqtt:MqttConnector",
            streaming=True,
        ),
    ],
    metrics=METRICS,
    indicators=INDICATORS,
    event_kinds=EVENT_KINDS,
    alert_rules=ALERT_RULES,
    demo_connectors=lambda: [demo_accidents_csv(), demo_datex2(), demo_camera_events()],
)
"""The plugin's hooks: the entry point names this object."""
