"""The metrics and indicators aggregation works with, as stored by ``Hub.prepare``."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.aggregation.expressions import Expression
from hub.aggregation.hierarchy import Hierarchy
from hub.aggregation.rules import Rule, rule_of
from hub.model import Indicator, Metric, RollupMetric
from hub.plugins.definitions import Aggregation


@dataclass(frozen=True)
class MetricInfo:
    """A metric as aggregation sees it."""

    id: int
    code: str
    aggregation: Aggregation
    carry_months: int | None
    disaggregations: tuple[str, ...]
    levels_add_up: bool = False
    """Each unit's figure is its own: a unit's figures do not stand over its parts'."""

    @property
    def rule(self) -> Rule | None:
        """How it aggregates; None for NONE."""
        return rule_of(self.aggregation)

    @property
    def has_cells(self) -> bool:
        """Whether its values are kept apart by disaggregation (so ``*`` rows are kept)."""
        return bool(self.disaggregations)

    def signature(self, hierarchy: Hierarchy) -> str:
        """What its roll-ups depend on: when this changes, they are rebuilt."""
        dims = ",".join(sorted(self.disaggregations))
        return f"{self.aggregation}|{self.carry_months or 0}|{dims}|{hierarchy.signature}"

    @classmethod
    def from_row(cls, row: Metric) -> MetricInfo:
        return cls(
            id=row.id,
            code=row.code,
            aggregation=Aggregation(row.aggregation),
            carry_months=row.carry_forward_months,
            disaggregations=tuple(row.disaggregations or ()),
            levels_add_up=bool(row.levels_add_up),
        )


@dataclass(frozen=True)
class IndicatorInfo:
    """An indicator: ``factor × numerator / denominator`` over metrics and ``days``."""

    code: str
    numerator: Expression
    denominator: Expression | None
    factor: float

    @property
    def definition(self) -> tuple[str, str, str | None, float]:
        """What it computes, as plain values (its parsed expressions compare by identity)."""
        denominator = self.denominator.text if self.denominator else None
        return (self.code, self.numerator.text, denominator, self.factor)

    @property
    def metric_codes(self) -> list[str]:
        names = set(self.numerator.names)
        if self.denominator is not None:
            names |= self.denominator.names
        return sorted(names - {"days"})


@dataclass(frozen=True)
class RollupState:
    """What a metric's roll-ups were built with and what its observations hold."""

    signature: str
    period_kinds: frozenset[str]
    levels: frozenset[str]
    updated_at: datetime | None = None
    """When they last changed: any write that touches them moves it."""


def metrics_by_id(session: Session, ids: Iterable[int]) -> dict[int, MetricInfo]:
    rows = session.scalars(select(Metric).where(Metric.id.in_(sorted(set(ids)))))
    return {row.id: MetricInfo.from_row(row) for row in rows}


def metric_by_code(session: Session, code: str) -> MetricInfo | None:
    row = session.scalars(select(Metric).where(Metric.code == code)).first()
    return None if row is None else MetricInfo.from_row(row)


def indicator_by_code(session: Session, code: str) -> IndicatorInfo | None:
    row = session.scalars(select(Indicator).where(Indicator.code == code)).first()
    if row is None:
        return None
    denominator = Expression.parse(row.denominator) if row.denominator else None
    return IndicatorInfo(row.code, Expression.parse(row.numerator), denominator, row.factor)


def known_codes(session: Session) -> list[str]:
    metrics = session.scalars(select(Metric.code))
    indicators = session.scalars(select(Indicator.code))
    return sorted({*metrics, *indicators})


def rollup_states(session: Session, ids: Iterable[int]) -> dict[int, RollupState]:
    query = select(RollupMetric).where(RollupMetric.metric_id.in_(sorted(set(ids))))
    return {
        row.metric_id: RollupState(
            row.signature,
            frozenset(row.period_kinds or ()),
            frozenset(row.levels or ()),
            row.updated_at,
        )
        for row in session.scalars(query)
    }
