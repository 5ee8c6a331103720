"""The feedback plugin's default alert rules: many overdue cases in a commune, and a surge of
new ones in a week."""

from __future__ import annotations

from hub.plugins import AlertRule

from .case_metrics import RECEIVED
from .overdue import METRIC as OVERDUE

ALERT_RULES = [
    AlertRule(
        "feedback_overdue_in_commune",
        "Feedback cases overdue in a commune",
        severity=2,
        metric=OVERDUE,
        period_type="DAY",
        level="COMMUNE",
        above=10,
    ),
    AlertRule(
        "feedback_surge_in_commune",
        "Surge of feedback cases in a commune this week",
        severity=2,
        metric=RECEIVED,
        period_type="WEEK",
        level="COMMUNE",
        above=30,
    ),
]
