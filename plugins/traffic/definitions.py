"""What the traffic plugin counts: its event kinds, the metrics counted from them, an indicator
and the default alert rule.

Every metric is counted by the hub from events, per commune and day (``EventMetric``), so it
follows an accident that is corrected later (more deaths, another commune) and aggregates like
any other ``SUM``. Violations are kept apart by type (``violation_type``): every violation
carries one, so the total over types is the number of violations.

Accident severity (1–4) follows the scale the police use to grade accidents (ít nghiêm trọng,
nghiêm trọng, rất nghiêm trọng, đặc biệt nghiêm trọng), simplified to what the records say:
4 = three or more deaths, 3 = one or two deaths, 2 = injuries only, 1 = damage only.
"""

from __future__ import annotations

from hub.plugins import (
    AlertRule,
    EventKindDefinition,
    EventMetric,
    IndicatorDefinition,
    MetricDefinition,
)
from hub.plugins.definitions import Sector

SECTOR = "traffic"
traffic = Sector(SECTOR)
ACCIDENT = "traffic.accident"
VIOLATION = "traffic.violation"
SENSOR = "traffic.sensor"

METRICS: list[MetricDefinition] = [
    traffic.count(
        "traffic_accidents",
        "accidents",
        "Traffic accidents",
        "Số vụ tai nạn giao thông",
        about="Road traffic accidents recorded by the police (vụ tai nạn giao thông).",
    ),
    traffic.count(
        "traffic_deaths",
        "people",
        "Traffic accident deaths",
        "Số người chết do tai nạn giao thông",
        about="People killed in road traffic accidents (số người chết).",
    ),
    traffic.count(
        "traffic_injuries",
        "people",
        "Traffic accident injuries",
        "Số người bị thương do tai nạn giao thông",
        about="People injured in road traffic accidents (số người bị thương).",
    ),
    traffic.count(
        "traffic_violations",
        "violations",
        "Traffic violations detected",
        "Số vi phạm giao thông phát hiện",
        dims=("violation_type",),
        about="Violations detected by cameras and sensors (red light, speeding, no helmet, …), "
        "by type.",
    ),
]

INDICATORS: list[IndicatorDefinition] = [
    traffic.ratio(
        "traffic_deaths_per_100_accidents",
        "traffic_deaths",
        "traffic_accidents",
        "deaths per 100 accidents",
        "Deaths per 100 traffic accidents",
        "Số người chết trên 100 vụ tai nạn giao thông",
        factor=100,
    ),
]

EVENT_KINDS: list[EventKindDefinition] = [
    EventKindDefinition(
        ACCIDENT,
        "Road traffic accident",
        SECTOR,
        attributes={
            "deaths": "people killed (0 when the record leaves it blank)",
            "injuries": "people injured",
            "vehicles": "vehicles involved, when known",
            "road": "road number, e.g. QL14",
            "location": "where on the road, as the record describes it",
            "cause": "the cause recorded",
            "accident_type": "collision, overturn, …",
        },
        metrics=(
            EventMetric("traffic_accidents"),
            EventMetric("traffic_deaths", value="deaths"),
            EventMetric("traffic_injuries", value="injuries"),
        ),
    ),
    EventKindDefinition(
        VIOLATION,
        "Traffic violation detected by a camera or sensor",
        SECTOR,
        attributes={
            "violation_type": "red_light, speeding, no_helmet, …",
            "camera_id": "the camera (a facility of kind camera)",
            "speed": "km/h",
            "speed_limit": "km/h",
            "plate": "the plate, pseudonymised or dropped unless configured (see README)",
        },
        metrics=(EventMetric("traffic_violations", dims={"violation_type": "violation_type"}),),
    ),
    EventKindDefinition(
        SENSOR,
        "Traffic camera or sensor event",
        SECTOR,
        attributes={"sensor_type": "what the device reported, e.g. congestion, stopped_vehicle"},
    ),
]

ALERT_RULES: list[AlertRule] = [
    AlertRule(
        "traffic_fatal_accident",
        "Fatal traffic accident",
        severity=3,
        event_kind=ACCIDENT,
        min_severity=3,
    ),
]


def accident_severity(deaths: int, injuries: int) -> int:
    """The accident's severity, 1 (damage only) to 4 (three or more deaths)."""
    if deaths >= 3:
        return 4
    if deaths >= 1:
        return 3
    return 2 if injuries else 1
