"""Metrics and indicators: the definitions in force, from the plugins and the config file."""

from __future__ import annotations

import strawberry
from sqlalchemy import select
from sqlalchemy.orm import Session

from hub import model
from hub.auth.scope import indicator_sectors
from hub.connectors.freshness import freshness_of, sources_of
from hub.graphql.access import scope_of
from hub.graphql.context import Info
from hub.graphql.enums import Aggregation, Calendar
from hub.graphql.errors import BadUserInput, Forbidden
from hub.graphql.freshness import SourceFreshness
from hub.graphql.sessions import read
from hub.model.base import utcnow
from hub.periods import parse_period
from hub.plugins.definitions import IndicatorDefinition, MetricDefinition
from hub.plugins.registry import Definitions


@strawberry.type(description="Something counted or measured.")
class Metric:
    code: strawberry.ID
    name: str
    name_vi: str | None = strawberry.field(description="The name in Vietnamese, when given.")
    unit: str | None
    sector: str
    aggregation: Aggregation
    disaggregations: list[str]
    description: str | None
    carry_forward_months: int | None = strawberry.field(
        description="How far back LAST may look for a value, for stocks reported rarely."
    )
    origin: str = strawberry.field(description="The plugin that defines it, or `config`.")

    @classmethod
    def from_definition(cls, origin: str, metric: MetricDefinition) -> Metric:
        return cls(
            code=strawberry.ID(metric.code),
            name=metric.name,
            name_vi=metric.name_vi,
            unit=metric.unit,
            sector=metric.sector,
            aggregation=Aggregation(metric.aggregation),
            disaggregations=list(metric.disaggregations),
            description=metric.description,
            carry_forward_months=metric.carry_forward_months,
            origin=origin,
        )


@strawberry.type(description="A derived figure: factor × numerator / denominator.")
class Indicator:
    code: strawberry.ID
    name: str
    name_vi: str | None = strawberry.field(description="The name in Vietnamese, when given.")
    numerator: str
    denominator: str | None
    factor: float
    sector: str | None
    unit: str | None
    description: str | None
    origin: str = strawberry.field(description="The plugin that defines it, or `config`.")

    @classmethod
    def from_definition(cls, origin: str, indicator: IndicatorDefinition) -> Indicator:
        return cls(
            code=strawberry.ID(indicator.code),
            name=indicator.name,
            name_vi=indicator.name_vi,
            numerator=indicator.numerator,
            denominator=indicator.denominator,
            factor=indicator.factor,
            sector=indicator.sector,
            unit=indicator.unit,
            description=indicator.description,
            origin=origin,
        )


@strawberry.type
class MetricQuery:
    @strawberry.field(description="The metrics defined, of one sector if given; ordered by code.")
    async def metrics(self, info: Info, sector: str | None = None) -> list[Metric]:
        scope = await scope_of(info)
        found = info.context.hub.definitions.metrics
        return [
            Metric.from_definition(origin, metric)
            for _, (origin, metric) in sorted(found.items())
            if (sector is None or metric.sector == sector) and scope.sees_sector(metric.sector)
        ]

    @strawberry.field(
        description="The indicators defined, of one sector if given; ordered by code."
    )
    async def indicators(self, info: Info, sector: str | None = None) -> list[Indicator]:
        scope = await scope_of(info)
        definitions = info.context.hub.definitions
        return [
            Indicator.from_definition(origin, indicator)
            for code, (origin, indicator) in sorted(definitions.indicators.items())
            if (sector is None or indicator.sector == sector)
            and all(scope.sees_sector(each) for each in indicator_sectors(definitions, code))
        ]

    @strawberry.field(
        description="The sources that delivered figures of these metrics or indicators (their "
        "numerator and denominator) for the period, and whether they may be stale for it."
    )
    async def source_freshness(
        self,
        info: Info,
        figures: list[strawberry.ID],
        period: str,
        calendar: Calendar = Calendar.GREGORIAN,
    ) -> list[SourceFreshness]:
        scope = await scope_of(info)
        hub = info.context.hub
        codes = metrics_of(hub.definitions, [str(code) for code in figures])
        hidden = [c for c in codes if not scope.sees_sector(hub.definitions.metrics[c][1].sector)]
        if hidden:
            raise Forbidden(f"outside your sectors: {', '.join(hidden)}")
        try:
            asked = parse_period(period, calendar.value)
        except ValueError as exc:
            raise BadUserInput(str(exc)) from None
        now = utcnow()

        def query(session: Session) -> list[SourceFreshness]:
            ids = session.scalars(select(model.Metric.id).where(model.Metric.code.in_(codes)))
            sources = sources_of(session, ids, asked.start, asked.end)
            found = freshness_of(hub, session, sources, now)
            return [SourceFreshness.of(each, asked.end) for each in found]

        return await read(hub.db, query)


def metrics_of(definitions: Definitions, figures: list[str]) -> list[str]:
    """The metrics behind these metrics and indicators; BadUserInput naming unknown codes."""
    found, unknown = [], []
    for code in figures:
        if code in definitions.metrics:
            found.append(code)
        elif code in definitions.indicators:
            indicator = definitions.indicators[code][1]
            found.extend(m for m in (indicator.numerator, indicator.denominator) if m)
        else:
            unknown.append(code)
    if unknown:
        raise BadUserInput(f"unknown metrics or indicators: {', '.join(unknown)}")
    return sorted(set(found))
