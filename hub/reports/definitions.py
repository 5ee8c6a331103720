"""The core's government-performance metrics of reporting: forms due, on time, submitted.

Each filing unit's report for a period counts once in ``report_forms_due``; if it was first
submitted by its deadline, once in ``report_forms_on_time``; if it was submitted at all (on
time or late), once in ``report_forms_submitted``; kept apart by form. The on-time rate and the
submission rate are indicators over them, so they aggregate as ratios of sums.
"""

from __future__ import annotations

from hub.plugins.definitions import Aggregation, IndicatorDefinition, MetricDefinition

SECTOR = "government"
FORMS_DUE = "report_forms_due"
FORMS_ON_TIME = "report_forms_on_time"
FORMS_SUBMITTED = "report_forms_submitted"
ON_TIME_RATE = "report_forms_on_time_rate"
SUBMITTED_RATE = "report_forms_submitted_rate"
FORM_DIMENSION = "form"
SOURCE = "reports"
"""The source of the observations the reporting system publishes."""

METRICS = [
    MetricDefinition(
        code=FORMS_DUE,
        name="Report forms due",
        name_vi="Số biểu báo cáo đến hạn",
        sector=SECTOR,
        aggregation=Aggregation.SUM,
        unit="reports",
        disaggregations=(FORM_DIMENSION,),
        levels_add_up=True,  # a district's own reports, beside its communes'
        description="Reports a unit had to file for the period, once its deadline passed or "
        "it was submitted.",
    ),
    MetricDefinition(
        code=FORMS_ON_TIME,
        name="Report forms submitted on time",
        name_vi="Số biểu báo cáo nộp đúng hạn",
        sector=SECTOR,
        aggregation=Aggregation.SUM,
        unit="reports",
        disaggregations=(FORM_DIMENSION,),
        levels_add_up=True,  # a district's own reports, beside its communes'
        description="Reports first submitted by their deadline.",
    ),
    MetricDefinition(
        code=FORMS_SUBMITTED,
        name="Report forms submitted",
        name_vi="Số biểu báo cáo đã nộp",
        sector=SECTOR,
        aggregation=Aggregation.SUM,
        unit="reports",
        disaggregations=(FORM_DIMENSION,),
        levels_add_up=True,  # a district's own reports, beside its communes'
        description="Reports due that were submitted, on time or late.",
    ),
]
INDICATORS = [
    IndicatorDefinition(
        code=ON_TIME_RATE,
        name="Report forms submitted on time (%)",
        name_vi="Tỷ lệ biểu báo cáo nộp đúng hạn (%)",
        numerator=FORMS_ON_TIME,
        denominator=FORMS_DUE,
        factor=100.0,
        sector=SECTOR,
        unit="%",
    ),
    IndicatorDefinition(
        code=SUBMITTED_RATE,
        name="Report forms submitted (%)",
        name_vi="Tỷ lệ biểu báo cáo đã nộp (%)",
        numerator=FORMS_SUBMITTED,
        denominator=FORMS_DUE,
        factor=100.0,
        sector=SECTOR,
        unit="%",
    ),
]
