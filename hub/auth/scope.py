"""What a principal may see: the unit records and sectors of its scope, resolved once.

**Units.** A principal's units are codes. Each is read on the day of the request (the unit
with that code today; for a code that no longer exists, its last record). Its territory is
that record, every record ever below it, and, through the successions of a reform, every
record it was made of and everything ever below those (:func:`territory_ids`). So the
officer of a commune formed in the 2025 merger sees the history of the communes merged into
it, under their old codes, and never that of a neighbour; a query ``asOf`` any date sees the
records valid on that date which lie in this set. A predecessor that was split counts whole.
Units above the territory (the district, the province) are not in it: they are invisible.

**Sectors.** A sector officer's events, metrics, indicators, alerts and connectors are those
of its sectors; an alert's sector is its rule's (the event kind's or the metric's), a
connector's the sectors its plugin defines metrics or event kinds for.

None in a field of :class:`Scope` means "no restriction".
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from sqlalchemy import ColumnElement, select, true
from sqlalchemy.orm import Session

from hub.auth.principal import Principal
from hub.model import AdminUnit, ConnectorRow
from hub.plugins.registry import Definitions
from hub.units.queries import territory_ids


@dataclass(frozen=True)
class Scope:
    """The rows a principal may see; each field None when it is not restricted."""

    units: frozenset[int] | None = None
    """The ids of the unit records inside the territory."""
    sectors: frozenset[str] | None = None
    alert_rules: frozenset[str] | None = None
    """The alert rules of the sectors."""
    connectors: frozenset[str] | None = None
    """The ids of the connectors of the sectors."""

    @property
    def everywhere(self) -> bool:
        """Whether the territory is not restricted (leaders, sector officers, admins)."""
        return self.units is None

    def sees_unit(self, unit_id: int | None) -> bool:
        """Whether a row of this unit is inside; a row with no unit only for everywhere."""
        if self.units is None:
            return True
        return unit_id is not None and unit_id in self.units

    def sees_sector(self, sector: str | None) -> bool:
        if self.sectors is None:
            return True
        return sector is not None and sector in self.sectors

    def sees_alert_rule(self, rule: str) -> bool:
        return self.alert_rules is None or rule in self.alert_rules

    def sees_connector(self, connector_id: str) -> bool:
        return self.connectors is None or connector_id in self.connectors

    def unit_clause(self, column: ColumnElement[int | None]) -> ColumnElement[bool]:
        """A SQL condition: the row's unit column is inside the territory."""
        return true() if self.units is None else column.in_(sorted(self.units))

    @staticmethod
    def among(allowed: Iterable[str] | None, column: ColumnElement[str]) -> ColumnElement[bool]:
        """A SQL condition: ``column`` is one of ``allowed`` (no restriction when None)."""
        return true() if allowed is None else column.in_(sorted(allowed))


EVERYTHING = Scope()
NOTHING = Scope(frozenset(), frozenset(), frozenset(), frozenset())
"""The scope of a request not (yet) authenticated: it sees no row."""


def resolve_scope(
    session: Session, principal: Principal, today: date, definitions: Definitions
) -> Scope:
    """The scope of ``principal`` on ``today`` (see the module's docstring)."""
    units = None
    if principal.units:
        units = frozenset().union(
            *(territory_ids(session, anchor.id) for anchor in anchors(session, principal, today))
        )
    if not principal.sectors:
        return Scope(units=units)
    sectors = frozenset(principal.sectors)
    return Scope(
        units=units,
        sectors=sectors,
        alert_rules=frozenset(
            code for code, sector in alert_rule_sectors(definitions).items() if sector in sectors
        ),
        connectors=frozenset(
            row.id
            for row in session.scalars(select(ConnectorRow))
            if plugin_sectors(definitions, row.plugin) & sectors
        ),
    )


def anchors(session: Session, principal: Principal, today: date) -> list[AdminUnit]:
    """The record of each of the principal's unit codes: today's, else the code's last one."""
    found = []
    for code in principal.units:
        rows = list(session.scalars(select(AdminUnit).where(AdminUnit.code == code)))
        current = [row for row in rows if row.valid_on(today)]
        pick = current or sorted(rows, key=lambda row: row.valid_to or date.max)[-1:]
        found.extend(pick)
    return found


def alert_rule_sectors(definitions: Definitions) -> dict[str, str | None]:
    """The sector of each alert rule: its event kind's, or its metric's (or indicator's)."""
    sectors: dict[str, str | None] = {}
    for code, (_, rule) in definitions.alert_rules.items():
        sector = None
        if rule.event_kind and rule.event_kind in definitions.event_kinds:
            sector = definitions.event_kinds[rule.event_kind][1].sector
        elif rule.metric and rule.metric in definitions.metrics:
            sector = definitions.metrics[rule.metric][1].sector
        elif rule.metric and rule.metric in definitions.indicators:
            sector = definitions.indicators[rule.metric][1].sector
        sectors[code] = sector
    return sectors


def known_sectors(definitions: Definitions) -> set[str]:
    """The sectors the hub's metrics, indicators and event kinds belong to."""
    found = {metric.sector for _, metric in definitions.metrics.values()}
    found |= {kind.sector for _, kind in definitions.event_kinds.values()}
    found |= {i.sector for _, i in definitions.indicators.values() if i.sector}
    return found


def plugin_sectors(definitions: Definitions, plugin: str) -> set[str]:
    """The sectors a plugin defines metrics or event kinds for."""
    found = {d.sector for origin, d in definitions.metrics.values() if origin == plugin}
    found |= {d.sector for origin, d in definitions.event_kinds.values() if origin == plugin}
    return found


def indicator_sectors(definitions: Definitions, code: str) -> set[str | None]:
    """The sectors an indicator reads: its own if set, else those of its metrics."""
    _, indicator = definitions.indicators[code]
    if indicator.sector:
        return {indicator.sector}
    from hub.aggregation.expressions import Expression

    names = set(Expression.parse(indicator.numerator).names)
    if indicator.denominator:
        names |= Expression.parse(indicator.denominator).names
    return {
        definitions.metrics[name][1].sector if name in definitions.metrics else None
        for name in names - {"days"}
    }
