"""The ``aggregate`` query: a metric or indicator rolled up by administrative level and time."""

from __future__ import annotations

from datetime import date
from typing import Annotated

import anyio.to_thread
import strawberry
from sqlalchemy.orm import Session
from strawberry.scalars import JSON

from hub.aggregation import AggregateRequest, AggregationError, Limits, aggregate
from hub.aggregation import AggregateValue as Value
from hub.auth.scope import Scope, indicator_sectors
from hub.core import Hub
from hub.graphql.access import scope_of
from hub.graphql.context import Info
from hub.graphql.enums import AdminLevel, Calendar, PeriodType
from hub.graphql.errors import BadUserInput, Forbidden
from hub.graphql.plain_lists import PlainList
from hub.graphql.unit_queries import unit_on
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
    parts_value: float | None = strawberry.field(
        description=(
            "Where the figures the value follows stand over others and the two disagree by "
            "more than half a percent, what those others give: the unit's parts beside its own "
            "figure (a province's districts beside its row), a breakdown beside its total "
            "(SDMX's F and M beside _T), shorter periods beside a longer one holding them "
            "(quarters beside a half-year). Null otherwise (docs/aggregation.md)."
        )
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
            parts_value=value.parts_value,
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
        scope = await scope_of(info)
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
        try:  # the check and the answer in one worker thread
            values = await anyio.to_thread.run_sync(checked_aggregate, hub, scope, request, limits)
        except AggregationError as exc:
            raise BadUserInput(str(exc)) from None
        day = request.as_of or info.context.today
        if not all(scope.sees_unit(value.unit.id) for value in values):  # never shrunk
            raise Forbidden("the aggregate reaches outside your territory: narrow `within`")
        units: dict[int, AdminUnit] = {}  # one object per unit, however many values it has
        return PlainList(AggregateValue.of(value, units, day) for value in values)


def checked_aggregate(
    hub: Hub, scope: Scope, request: AggregateRequest, limits: Limits
) -> list[Value]:
    """The aggregate's values, once :func:`check_inside` let ``scope`` ask for them."""
    with hub.db.sessions() as session:
        check_inside(session, scope, request, limits, hub)
    return aggregate(hub.db, request, limits)


def check_inside(
    session: Session, scope: Scope, request: AggregateRequest, limits: Limits, hub: Hub
) -> None:
    """FORBIDDEN unless the metric's sectors and the area asked lie inside ``scope``.

    The area is ``units``, else ``within``, else the default area (every unit, or
    ``[aggregation] default_within``): an area larger than the caller's territory is
    refused, never shrunk to fit. Unknown codes are left for the aggregation to report.
    """
    if scope.sectors is not None:
        definitions = hub.definitions
        if request.metric in definitions.metrics:
            sectors: set[str | None] = {definitions.metrics[request.metric][1].sector}
        elif request.metric in definitions.indicators:
            sectors = indicator_sectors(definitions, request.metric)
        else:
            sectors = set()
        if not all(scope.sees_sector(sector) for sector in sectors):
            raise Forbidden(f"{request.metric!r} belongs to a sector outside your scope")
    if scope.everywhere:
        return
    day = request.as_of or date.today()
    codes = list(request.units or ()) or [request.within or limits.default_within]
    for code in codes:
        if code is None:
            raise Forbidden(
                "an aggregate over every unit is larger than your territory: pass `within` "
                "(your unit) or `units`"
            )
        row = unit_on(session, str(code), day)
        if row is not None and not scope.sees_unit(row.id):
            raise Forbidden(
                f"the unit {code} lies outside your territory: an aggregate over it is refused"
            )
