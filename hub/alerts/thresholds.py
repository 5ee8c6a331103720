"""Threshold rules: after new data are committed, check the periods and units they touched.

A rule "dengue cases in a commune in a week above 20" is checked, when a dengue observation
of commune C on day D is committed, for the commune (or the unit of the rule's level that
holds C) and the week holding D, through the aggregation engine: so the value compared is
exactly the one a dashboard shows. Each (rule, unit, period) raises at most one alert.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.aggregation import AggregateRequest, AggregateValue, AggregationError, aggregate
from hub.ingest.writer import insert_new
from hub.model import AdminLevel, AdminUnit, Alert, Metric
from hub.model.base import utcnow
from hub.periods import Calendar, PeriodType, containing, parse_period
from hub.plugins.definitions import AlertRule

if TYPE_CHECKING:
    from hub.model.database import Database

log = logging.getLogger(__name__)

Touched = tuple[int, int, str, str]
"""An observation written: metric id, unit id, calendar, period id."""


class ThresholdChecker:
    def __init__(self, db: Database, rules: Iterable[AlertRule]) -> None:
        self.db = db
        self.rules = [rule for rule in rules if rule.metric is not None]

    def check(self, touched: set[Touched]) -> int:
        """Raise the alerts the touched data call for; return how many are new."""
        if not self.rules or not touched:
            return 0
        with self.db.sessions() as session:
            metric_ids = dict(session.execute(select(Metric.code, Metric.id)).all())
        raised = 0
        for rule in self.rules:
            metric_id = metric_ids.get(rule.metric or "")
            mine = {t for t in touched if t[0] == metric_id}
            if mine:
                raised += self._check_rule(rule, mine)
        return raised

    def _check_rule(self, rule: AlertRule, touched: set[Touched]) -> int:
        targets = self._targets(rule, touched)
        alerts = []
        for period_id, units in sorted(targets.items()):
            for value in self._values(rule, period_id, units):
                if value.value is not None and _crosses(rule, value.value):
                    alerts.append(_alert(rule, value.unit, period_id, value.value))
        if not alerts:
            return 0
        with self.db.session() as session:
            return insert_new(session, Alert.__table__, alerts, ("rule", "cause"))

    def _targets(self, rule: AlertRule, touched: set[Touched]) -> dict[str, set[str]]:
        """Period id of the rule → codes of the units of the rule's level to check."""
        period_type = PeriodType(rule.period_type)
        targets: dict[str, set[str]] = defaultdict(set)
        with self.db.sessions() as session:
            for _, unit_id, calendar, period_id in touched:
                period = containing(
                    parse_period(period_id, calendar), period_type, Calendar.GREGORIAN
                )
                unit = _at_level(session, unit_id, AdminLevel(rule.level))
                if period is not None and unit is not None:
                    targets[period.id].add(unit.code)
        return targets

    def _values(self, rule: AlertRule, period_id: str, units: set[str]) -> list[AggregateValue]:
        period = parse_period(period_id)
        request = AggregateRequest(
            metric=rule.metric or "",
            period_type=period.type,
            start=period_id,
            end=period_id,
            units=tuple(sorted(units)),
            as_of=period.start,
        )
        try:
            return aggregate(self.db, request)
        except AggregationError as exc:
            log.warning("alert rule %s cannot be checked for %s: %s", rule.code, period_id, exc)
            return []


def _at_level(session: Session, unit_id: int, level: AdminLevel) -> AdminUnit | None:
    unit = session.get(AdminUnit, unit_id)
    while unit is not None and unit.level != level:
        unit = session.get(AdminUnit, unit.parent_id) if unit.parent_id else None
    return unit


def _crosses(rule: AlertRule, value: float) -> bool:
    return (rule.above is not None and value > rule.above) or (
        rule.below is not None and value < rule.below
    )


def _alert(rule: AlertRule, unit: AdminUnit, period_id: str, value: float) -> dict[str, Any]:
    bound = (
        f"above {rule.above:g}"
        if rule.above is not None and value > rule.above
        else (f"below {rule.below:g}")
    )
    return {
        "rule": rule.code,
        "cause": f"{unit.id}:{period_id}",
        "severity": rule.severity,
        "message": f"{rule.name}: {unit.name}, {period_id}: {value:g} ({bound})",
        "unit_id": unit.id,
        "event_id": None,
        "period": period_id,
        "value": value,
        "raised_at": utcnow(),
    }
