"""The ``aggregate`` query: a metric or indicator rolled up by administrative level and time."""

from __future__ import annotations

from datetime import date
from typing import Annotated

import anyio.to_thread
import strawberry
from strawberry.scalars import JSON

from hub.aggregation import AggregateRequest, AggregationError, Limits, aggregate
from hub.aggregation import AggregateValue as Value
from hub.graphql.context import Info
from hub.graphql.enums import AdminLevel, Calendar, PeriodType
from hub.graphql.errors import BadUserInput
from hub.graphql.units import AdminUnit


@strawberry.type(description="One value of an aggregate: a unit, a period and, with `by`, a group.")
class AggregateValue:
    unit: AdminUnit
    period: str = strawberry.field(description='The canonical period id, e.g. "2026-03".')
    value: float | None = strawberry.field(description="Null when nothing was reported.")
    dims: JSON | None = strawberry.field(
        description="The disaggregation of this value, when `by` was asked."
    )
    units_reporting: int = strawberry.field(description="How many units were behind the value.")
    units_expected: int = strawberry.field(
        description="How many units existed during the period (at its end, for a stock)."
    )
    estimated: bool = strawberry.field(
        description="Whether part of the value was apportioned from a unit that was split."
    )

    @classmethod
    def of(cls, value: Value, units: dict[int, AdminUnit], as_of: date) -> AggregateValue:
        unit = units.get(value.unit.id)
        if unit is None:
            unit = units[value.unit.id] = AdminUnit.from_row(value.unit, as_of)
        return cls(
            unit=unit,
            period=value.period,
            value=value.value,
            dims=value.dims,
            units_reporting=value.units_reporting,
            units_expected=value.units_expected,
            estimated=value.estimated,
        )


@strawberry.type
class AggregateQuery:
    @strawberry.field(
        description=(
            "A metric or indicator, rolled up to the units of one level (or the given units) "
            "and to periods of one type. See docs/aggregation.md for the rules."
        )
    )
    async def aggregate(
        self,
        info: Info,
        metric: Annotated[str, strawberry.argument(description="A metric or indicator code.")],
        period_type: PeriodType,
        from_: Annotated[str, strawberry.argument(name="from", description="The first period id.")],
        to: Annotated[str, strawberry.argument(description="The last period id (included).")],
        level: Annotated[
            AdminLevel | None,
            strawberry.argument(description="Roll up to every unit of this level ..."),
        ] = None,
        within: Annotated[
            strawberry.ID | None,
            strawberry.argument(description="... inside this unit (default: everywhere)."),
        ] = None,
        units: Annotated[
            list[strawberry.ID] | None, strawberry.argument(description="Or exactly these units.")
        ] = None,
        calendar: Annotated[
            Calendar | None, strawberry.argument(description="GREGORIAN, or ND09 (Decree 09).")
        ] = Calendar.GREGORIAN,  # type: ignore[assignment]
        by: Annotated[
            list[str] | None, strawberry.argument(description="Keep these disaggregations apart.")
        ] = None,
        as_of: Annotated[
            date | None,
            strawberry.argument(description="Read on the hierarchy valid this day (today)."),
        ] = None,
    ) -> list[AggregateValue]:
        hub = info.context.hub
        request = AggregateRequest(
            metric=metric,
            period_type=period_type,
            start=from_,
            end=to,
            calendar=calendar or Calendar.GREGORIAN,  # type: ignore[arg-type]
            level=level,
            within=within,
            units=tuple(units) if units is not None else None,
            by=tuple(by or ()),
            as_of=as_of or info.context.today,
        )
        limits = Limits(
            max_values=hub.settings.aggregation.max_values,
            default_within=hub.settings.aggregation.default_within,
        )
        try:
            values = await anyio.to_thread.run_sync(aggregate, hub.db, request, limits)
        except AggregationError as exc:
            raise BadUserInput(str(exc)) from None
        day = request.as_of or info.context.today
        units: dict[int, AdminUnit] = {}  # one object per unit, however many values it has
        return [AggregateValue.of(value, units, day) for value in values]
