"""The core's government-performance metrics of reporting: forms due and forms on time.

Each filing unit's report for a period counts once in ``report_forms_due`` and, if it was
first submitted by its deadline, once in ``report_forms_on_time``, kept apart by form. The
on-time rate is the indicator over the two, so it aggregates as a ratio of sums.
"""

from __future__ import annotations

from hub.plugins.definitions import Aggregation, IndicatorDefinition, MetricDefinition

SECTOR = "government"
FORMS_DUE = "report_forms_due"
FORMS_ON_TIME = "report_forms_on_time"
ON_TIME_RATE = "report_forms_on_time_rate"
FORM_DIMENSION = "form"
SOURCE = "reports"
"""The source of the observations the reporting system publishes."""

METRICS = [
    MetricDefinition(
        code=FORMS_DUE, name="Report forms due", sector=SECTOR, aggregation=Aggregation.SUM,
        unit="reports", disaggregations=(FORM_DIMENSION,),
        description="Reports a unit had to file for the period, once its deadline passed or "
        "it was submitted.",
    ),
    MetricDefinition(
        code=FORMS_ON_TIME, name="Report forms submitted on time", sector=SECTOR,
        aggregation=Aggregation.SUM, unit="reports", disaggregations=(FORM_DIMENSION,),
        description="Reports first submitted by their deadline.",
    ),
]
INDICATORS = [
    IndicatorDefinition(
        code=ON_TIME_RATE, name="Report forms submitted on time (%)", numerator=FORMS_ON_TIME,
        denominator=FORMS_DUE, factor=100.0, sector=SECTOR, unit="%",
    ),
]
