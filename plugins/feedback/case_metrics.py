"""The feedback plugin's case event kind, its metrics and the indicators over them.

Flows are counted by the hub from the ``feedback.case`` events (``EventMetric``), on the day
they happen, per unit, category (the portal's ``service_code``) and agency
(``agency_responsible``): a case resolved, reopened or moved later moves its counts with it.
The overdue stock comes from the connector's daily snapshot (see ``overdue.py``).
"""

from __future__ import annotations

from hub.plugins import (
    Aggregation,
    EventKindDefinition,
    EventMetric,
    IndicatorDefinition,
    MetricDefinition,
)

from .cases import KIND, SECTOR
from .overdue import METRIC as OVERDUE
from .statuses import DONE, CaseStatus

DIMS = ("category", "agency")
BY_DIMS = {"category": "category", "agency": "agency"}

RECEIVED = "feedback_cases_received"
RESOLVED = "feedback_cases_resolved"
ON_TIME = "feedback_cases_resolved_on_time"
LATE = "feedback_cases_resolved_late"
DAYS = "feedback_days_to_resolve"


def _count(code: str, name: str, description: str, name_vi: str) -> MetricDefinition:
    return MetricDefinition(
        code,
        name,
        SECTOR,
        Aggregation.SUM,
        name_vi=name_vi,
        unit="cases",
        disaggregations=DIMS,
        description=description,
    )


METRICS = [
    _count(
        RECEIVED,
        "Feedback cases received",
        "Citizens' reports and petitions received, on the day they were filed.",
        name_vi="Số phản ánh, kiến nghị tiếp nhận",
    ),
    _count(
        RESOLVED,
        "Feedback cases resolved",
        "Cases resolved or closed, on the day they were.",
        name_vi="Số phản ánh, kiến nghị đã xử lý",
    ),
    _count(
        ON_TIME,
        "Feedback cases resolved on time",
        "Cases with a deadline resolved by it, on the day they were resolved.",
        name_vi="Số phản ánh xử lý đúng hạn",
    ),
    _count(
        LATE,
        "Feedback cases resolved late",
        "Cases with a deadline resolved after it, on the day they were resolved.",
        name_vi="Số phản ánh xử lý quá hạn",
    ),
    MetricDefinition(
        DAYS,
        "Days taken to resolve feedback cases",
        SECTOR,
        Aggregation.SUM,
        name_vi="Tổng số ngày xử lý phản ánh",
        unit="days",
        disaggregations=DIMS,
        description="The days each case took from filing to resolution, summed on the day it "
        "was resolved: divide by the cases resolved for the mean.",
    ),
    MetricDefinition(
        OVERDUE,
        "Feedback cases overdue",
        SECTOR,
        Aggregation.LAST,
        name_vi="Số phản ánh đang quá hạn",
        unit="cases",
        disaggregations=DIMS,
        description="Open cases past their deadline, counted once a day by the connector: a "
        "period's value is that of its last day.",
    ),
]

INDICATORS = [
    IndicatorDefinition(
        "feedback_on_time_rate",
        "Feedback cases resolved on time (%)",
        name_vi="Tỷ lệ phản ánh xử lý đúng hạn (%)",
        numerator=ON_TIME,
        denominator=f"{ON_TIME} + {LATE}",
        factor=100,
        sector=SECTOR,
        unit="%",
        description="Of the cases with a deadline resolved in the period, the share "
        "resolved by it (0 where every one was late).",
        zero_when_missing=True,  # no case on time is no count at all: the rate is 0, not null
    ),
    IndicatorDefinition(
        "feedback_mean_days_to_resolve",
        "Mean days to resolve a feedback case",
        name_vi="Số ngày xử lý bình quân một phản ánh",
        numerator=DAYS,
        denominator=RESOLVED,
        sector=SECTOR,
        unit="days",
        description="Over the cases resolved in the period.",
    ),
]

_RESOLVED = {"status": DONE}

CASE_KIND = EventKindDefinition(
    KIND,
    "Citizen feedback case",
    SECTOR,
    statuses=tuple(status.value for status in CaseStatus),
    attributes={
        "category": "the portal's service_code",
        "category_name": "its service_name",
        "agency": "agency_responsible",
        "deadline": "expected_datetime",
        "resolved_at": "when it was resolved or closed",
        "days_to_resolve": "days",
        "on_time": "resolved by its deadline",
        "status_history": "statuses seen, with when",
        "source_status": "the portal's own status label",
    },
    metrics=(
        EventMetric(RECEIVED, dims=BY_DIMS),
        EventMetric(RESOLVED, date="resolved_at", where=_RESOLVED, dims=BY_DIMS),
        EventMetric(
            ON_TIME, date="resolved_at", where={**_RESOLVED, "on_time": (True,)}, dims=BY_DIMS
        ),
        EventMetric(
            LATE, date="resolved_at", where={**_RESOLVED, "on_time": (False,)}, dims=BY_DIMS
        ),
        EventMetric(
            DAYS, date="resolved_at", where=_RESOLVED, value="days_to_resolve", dims=BY_DIMS
        ),
    ),
)
