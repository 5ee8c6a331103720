"""The feedback plugin's hook implementations.

It brings the ``open311`` connector kind, the ``feedback.case`` event kind with the metrics
counted from it, the overdue snapshot metric, two indicators, default alert rules and, for
``iochub demo``, a connector reading the bundled Kon Tum export (illustrative data).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from hub.plugins.parts import ConnectorKind, PluginParts

from .definitions import ALERT_RULES, CASE_KIND, INDICATORS, METRICS

DEMO = Path(__file__).resolve().parent / "demo"
DEMO_COMMUNES = DEMO / "communes.json"


def demo_connector() -> dict[str, Any]:
    """The bundled export of Kon Tum's citizen-feedback portal (see demo/make_demo.py).

    A static export is followed whole (``revisit_days`` of ten years), so that the overdue
    snapshot of the day the demo runs counts every case still open in it.
    """
    communes = json.loads(DEMO_COMMUNES.read_text(encoding="utf-8"))
    return {
        "id": "feedback-kontum",
        "plugin": "feedback",
        "kind": "open311",
        "location": str(DEMO),
        "format": "json",
        "since": "2025-07-01",
        "revisit_days": 3650,
        "unit_field": "commune_code",
        "units": {commune["name"]: commune["code"] for commune in communes},
    }


PLUGIN = PluginParts(
    __name__,
    connector_kinds=[
        ConnectorKind(
            "open311",
            "Open311 GeoReport v2 citizen-feedback portal (JSON or XML)",
            "iochub_plugins.feedback.connector:Open311Connector",
        )
    ],
    metrics=METRICS,
    indicators=INDICATORS,
    event_kinds=[CASE_KIND],
    alert_rules=ALERT_RULES,
    demo_connectors=lambda: [demo_connector()],
)
"""The plugin's hooks: the entry point names this object."""
