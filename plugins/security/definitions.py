"""The security plugin's metrics, indicator, event kinds and default alert rule.

Counted from events (the hub keeps them in step as incidents grow and resolve):

- ``security_alerts``: alerts, per day, severity and agency — from ``security.alert`` events,
  or, for a connector with ``store_alerts = false``, from its incidents' counts (on the day
  each incident opened);
- ``security_incidents``: incidents opened; ``security_incidents_resolved`` and
  ``security_resolve_hours``: incidents resolved and the hours they lasted, on the day they
  were resolved; their ratio is the indicator ``security_mttr_hours``.

Reported by the connectors as daily stock figures (see :mod:`.figures`):
``security_incidents_open`` and ``security_hosts_monitored``.
"""

from __future__ import annotations

from hub.plugins import (
    Aggregation,
    AlertRule,
    EventKindDefinition,
    EventMetric,
    IndicatorDefinition,
    MetricDefinition,
)

from .events import ALERT, INCIDENT, OPEN, RESOLVED, SECTOR
from .figures import HOSTS_MONITORED, OPEN_INCIDENTS
from .severity import Severity

BY_SEVERITY = {"severity": "severity_label"}
BY_SEVERITY_AND_AGENCY = {**BY_SEVERITY, "agency": "agency"}
WHEN_RESOLVED = {"status": (RESOLVED,)}

METRICS = [
    MetricDefinition(
        "security_alerts",
        "Security alerts",
        SECTOR,
        Aggregation.SUM,
        name_vi="Số cảnh báo an toàn thông tin",
        unit="alerts",
        disaggregations=("severity", "agency"),
        description="Alerts from the SIEM / SOC feeds, by normalised severity and agency.",
    ),
    MetricDefinition(
        "security_incidents",
        "Security incidents opened",
        SECTOR,
        Aggregation.SUM,
        name_vi="Số sự cố an toàn thông tin phát sinh",
        unit="incidents",
        disaggregations=("severity",),
        description="Repeated alerts of one rule on one host, folded into one incident.",
    ),
    MetricDefinition(
        "security_incidents_resolved",
        "Security incidents resolved",
        SECTOR,
        Aggregation.SUM,
        name_vi="Số sự cố an toàn thông tin đã xử lý",
        unit="incidents",
        disaggregations=("severity",),
    ),
    MetricDefinition(
        "security_resolve_hours",
        "Hours to resolve security incidents",
        SECTOR,
        Aggregation.SUM,
        name_vi="Tổng số giờ xử lý sự cố an toàn thông tin",
        unit="hours",
        disaggregations=("severity",),
        description="Sum over resolved incidents of the hours from first to last alert.",
    ),
    MetricDefinition(
        OPEN_INCIDENTS,
        "Open security incidents",
        SECTOR,
        Aggregation.LAST,
        name_vi="Số sự cố an toàn thông tin chưa xử lý",
        unit="incidents",
        disaggregations=("severity",),
        description="Incidents open at the end of the day (or now, for today).",
    ),
    MetricDefinition(
        HOSTS_MONITORED,
        "Hosts monitored",
        SECTOR,
        Aggregation.AVERAGE_SUM_UNITS,
        name_vi="Số máy được giám sát",
        unit="hosts",
        description="Distinct hosts that sent alerts on the day; over a longer period, the "
        "mean per day.",
    ),
]

INDICATORS = [
    IndicatorDefinition(
        "security_mttr_hours",
        "Mean time to resolve security incidents",
        name_vi="Thời gian bình quân xử lý sự cố an toàn thông tin (giờ)",
        numerator="security_resolve_hours",
        denominator="security_incidents_resolved",
        sector=SECTOR,
        unit="hours",
    ),
]

EVENT_KINDS = [
    EventKindDefinition(
        ALERT,
        "Security alert",
        SECTOR,
        metrics=(EventMetric("security_alerts", dims=BY_SEVERITY_AND_AGENCY),),
    ),
    EventKindDefinition(
        INCIDENT,
        "Security incident",
        SECTOR,
        statuses=(OPEN, RESOLVED),
        metrics=(
            EventMetric(
                "security_alerts",
                value="count",
                where={"alerts_stored": (False,)},
                dims=BY_SEVERITY_AND_AGENCY,
            ),
            EventMetric("security_incidents", dims=BY_SEVERITY),
            EventMetric(
                "security_incidents_resolved",
                date="resolved_at",
                where=WHEN_RESOLVED,
                dims=BY_SEVERITY,
            ),
            EventMetric(
                "security_resolve_hours",
                date="resolved_at",
                value="resolve_hours",
                where=WHEN_RESOLVED,
                dims=BY_SEVERITY,
            ),
        ),
    ),
]

ALERT_RULES = [
    AlertRule(
        "security-critical-incident",
        "Critical security incident on a government system",
        severity=int(Severity.CRITICAL),
        event_kind=INCIDENT,
        min_severity=int(Severity.CRITICAL),
    ),
]
