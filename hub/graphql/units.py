"""Administrative units: the effective-dated hierarchy and the successions of the 2025 reform."""

from __future__ import annotations

from datetime import date
from typing import Annotated

import strawberry

from hub import model
from hub.graphql.access import scope_of
from hub.graphql.context import Info
from hub.graphql.enums import AdminLevel
from hub.graphql.errors import Forbidden
from hub.graphql.sessions import read
from hub.graphql.unit_queries import nearest_day, unit_on, units_on

NestedAsOf = Annotated[
    date | None,
    strawberry.argument(
        description="The day to read the hierarchy on; by default the day this unit was "
        "asked for (moved into its validity interval if outside)."
    ),
]


@strawberry.type(
    description=(
        "An administrative unit during its validity interval. A code can outlive its "
        "territory: the same code on two dates may be two different units."
    )
)
class AdminUnit:
    code: strawberry.ID
    name: str
    level: AdminLevel
    unit_type: str | None = strawberry.field(description="Tỉnh, Thành phố, Huyện, Xã, Phường…")
    valid_from: date | None
    valid_to: date | None
    lat: float | None
    lon: float | None
    area_km2: float | None

    row_id: strawberry.Private[int]
    parent_id: strawberry.Private[int | None]
    as_of: strawberry.Private[date]
    """The default day of nested fields: the day this unit was asked for, inside its validity."""

    @classmethod
    def from_row(cls, row: model.AdminUnit, day: date) -> AdminUnit:
        """The unit of a row, reached through ``day`` (moved into its validity if outside)."""
        return cls(
            code=strawberry.ID(row.code),
            name=row.name,
            level=AdminLevel(row.level),
            unit_type=row.unit_type,
            valid_from=row.valid_from,
            valid_to=row.valid_to,
            lat=row.lat,
            lon=row.lon,
            area_km2=row.area_km2,
            row_id=row.id,
            parent_id=row.parent_id,
            as_of=nearest_day(row, day),
        )

    @strawberry.field(
        description="The unit above this one, if it was valid on asOf and lies inside the "
        "caller's territory (null above it)."
    )
    async def parent(self, info: Info, as_of: NestedAsOf = None) -> AdminUnit | None:
        if self.parent_id is None:
            return None
        day = as_of or self.as_of
        parent = await info.context.loaders.unit.load(self.parent_id)
        if parent is None or not parent.valid_on(day):
            return None
        return AdminUnit.from_row(parent, day)

    @strawberry.field(description="The units directly below this one that were valid on asOf.")
    async def children(self, info: Info, as_of: NestedAsOf = None) -> list[AdminUnit]:
        day = as_of or self.as_of
        children = await info.context.loaders.children.load(self.row_id)
        return [AdminUnit.from_row(child, day) for child in children if child.valid_on(day)]

    @strawberry.field(description="What this unit became: the units it merged into or split into.")
    async def successors(self, info: Info) -> list[AdminUnit]:
        successors = await info.context.loaders.successors.load(self.row_id)
        return [AdminUnit.from_row(unit, self.as_of) for unit in successors]

    @strawberry.field(description="What this unit was made of: the units that became (part of) it.")
    async def predecessors(self, info: Info) -> list[AdminUnit]:
        predecessors = await info.context.loaders.predecessors.load(self.row_id)
        return [AdminUnit.from_row(unit, self.as_of) for unit in predecessors]


@strawberry.type
class UnitQuery:
    @strawberry.field(
        description=(
            "The units valid on asOf (default: today in Vietnam), of one level if given, "
            "below the unit with code `within` (as it was on asOf) if given; ordered by code."
        )
    )
    async def admin_units(
        self,
        info: Info,
        level: AdminLevel | None = None,
        within: strawberry.ID | None = None,
        as_of: date | None = None,
    ) -> list[AdminUnit]:
        scope = await scope_of(info)
        day = as_of or info.context.today
        rows = await read(
            info.context.hub.db, lambda session: units_on(session, day, level, within)
        )
        return [AdminUnit.from_row(row, day) for row in rows if scope.sees_unit(row.id)]

    @strawberry.field(
        description="The unit with this code valid on asOf (default: today in Vietnam), if any; "
        "FORBIDDEN if it lies outside the caller's territory."
    )
    async def admin_unit(
        self, info: Info, code: strawberry.ID, as_of: date | None = None
    ) -> AdminUnit | None:
        scope = await scope_of(info)
        day = as_of or info.context.today
        row = await read(info.context.hub.db, lambda session: unit_on(session, code, day))
        if row is None:
            return None
        if not scope.sees_unit(row.id):
            raise Forbidden(f"the unit {code} lies outside your territory")
        return AdminUnit.from_row(row, day)
