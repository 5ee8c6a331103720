"""The schema's enums: the core's own enums, exposed under the names API.md gives them."""

from __future__ import annotations

import strawberry

from hub import model, periods
from hub.plugins import definitions

AdminLevel = strawberry.enum(model.AdminLevel)
RunStatus = strawberry.enum(model.RunStatus)
Aggregation = strawberry.enum(definitions.Aggregation)
PeriodType = strawberry.enum(periods.PeriodType)
Calendar = strawberry.enum(
    periods.Calendar,
    description="GREGORIAN, or ND09: the reporting periods of Decree 09/2019, cut off on the 14th.",
)
