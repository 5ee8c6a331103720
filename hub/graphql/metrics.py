"""Metrics and indicators: the definitions in force, from the plugins and the config file."""

from __future__ import annotations

import strawberry

from hub.auth.scope import indicator_sectors
from hub.graphql.access import scope_of
from hub.graphql.context import Info
from hub.graphql.enums import Aggregation
from hub.plugins.definitions import IndicatorDefinition, MetricDefinition


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
