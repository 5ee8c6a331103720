"""The ``aggregate`` query: check the request, read the answer from the roll-ups.

Usually one read-only transaction: the request is checked, its units found, and its values
read. When a metric's roll-ups no longer follow its definition or the units (see
:mod:`rebuild`), they are rebuilt first, in a transaction of their own.
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy.orm import Session

from hub.aggregation import checks
from hub.aggregation.answers import Answer, Cell, Group, metric_answer
from hub.aggregation.catalog import (
    IndicatorInfo,
    MetricInfo,
    RollupState,
    indicator_by_code,
    known_codes,
    metric_by_code,
    rollup_states,
)
from hub.aggregation.errors import AggregationError
from hub.aggregation.expressions import DAYS
from hub.aggregation.hierarchy import Hierarchy
from hub.aggregation.published import published_answer
from hub.aggregation.rebuild import bring_current, is_current
from hub.aggregation.remembered import remembered_answers
from hub.aggregation.request import AggregateRequest, AggregateValue, Limits
from hub.aggregation.targets import target_units
from hub.model import AdminUnit
from hub.model.database import Database
from hub.periods import Calendar, Period, PeriodType
from hub.zone import LOCAL_TIME as VIETNAM


@dataclass(frozen=True)
class Plan:
    """A request checked: its day, periods, units, and the metrics behind it."""

    request: AggregateRequest
    as_of: date
    periods: list[Period]
    targets: list[AdminUnit]
    metrics: list[MetricInfo]
    indicator: IndicatorInfo | None


def aggregate(
    db: Database, request: AggregateRequest, limits: Limits | None = None
) -> list[AggregateValue]:
    """Answer ``request``; AggregationError names the argument that cannot be answered."""
    limits = limits or Limits()
    remembered = remembered_answers(db.engine)
    with db.sessions() as session:
        hierarchy = Hierarchy.current(session)
        plan = make_plan(session, hierarchy, request, limits)
        states = rollup_states(session, [metric.id for metric in plan.metrics])
        if _current(plan, states, hierarchy):
            key = _answer_key(plan, limits, hierarchy, states)
            found = remembered.get(key)
            if found is None:
                found = answer(session, plan, hierarchy, states)
                remembered.put(key, found)
            return list(found)
    with db.session() as session:  # rarely: a definition or the units changed
        bring_current(session, [metric.id for metric in plan.metrics])
    with db.sessions() as session:
        states = rollup_states(session, [metric.id for metric in plan.metrics])
        return answer(session, plan, Hierarchy.current(session), states)


def aggregate_in(
    session: Session, request: AggregateRequest, limits: Limits | None = None
) -> list[AggregateValue]:
    """Answer ``request`` inside ``session``'s transaction, seeing what it wrote.

    For readers that work inside a transaction of their own, such as a report computed in
    the transaction that saves it. Stale roll-ups are rebuilt in it.
    """
    limits = limits or Limits()
    hierarchy = Hierarchy.current(session)
    plan = make_plan(session, hierarchy, request, limits)
    ids = [metric.id for metric in plan.metrics]
    states = rollup_states(session, ids)
    if not _current(plan, states, hierarchy):
        bring_current(session, ids)
        states = rollup_states(session, ids)
    return answer(session, plan, hierarchy, states)


def make_plan(
    session: Session, hierarchy: Hierarchy, request: AggregateRequest, limits: Limits
) -> Plan:
    """Check everything that does not need the roll-ups, and find the units and periods."""
    metrics, indicator = _subject(session, request.metric)
    by = tuple(dict.fromkeys(request.by))
    checks.check_by(by, request.metric, {m.code: m.disaggregations for m in metrics})
    period_type, calendar = PeriodType(request.period_type), Calendar(request.calendar)
    periods = checks.period_range(
        request.start, request.end, period_type, calendar, limits.max_values
    )
    as_of = request.as_of or datetime.now(VIETNAM).date()
    targets = target_units(session, hierarchy, request, as_of, limits.default_within)
    checks.check_size(len(periods), len(targets), limits.max_values, period_type)
    return Plan(request, as_of, periods, targets, metrics, indicator)


def answer(
    session: Session, plan: Plan, hierarchy: Hierarchy, states: dict[int, RollupState]
) -> list[AggregateValue]:
    """Read the values of a checked plan from the roll-ups (``states``: of its metrics)."""
    request = plan.request
    by = tuple(dict.fromkeys(request.by))
    if plan.metrics[0].rule is None:  # a NONE metric: its values as published
        found = published_answer(
            session, plan.metrics[0], hierarchy, plan.targets, plan.periods, by
        )
        return _values(plan, found, by)
    for metric in plan.metrics:
        checks.check_collected(
            metric, states.get(metric.id), PeriodType(request.period_type), request.calendar
        )
    target_ids = [unit.id for unit in plan.targets]
    answers = {
        metric.code: metric_answer(
            session,
            metric,
            states.get(metric.id),
            hierarchy,
            target_ids,
            plan.periods,
            tuple(name for name in by if name in metric.disaggregations),
            plan.as_of,
        )
        for metric in plan.metrics
    }
    if plan.indicator is not None:
        combined = _indicator_answer(plan.indicator, answers, plan, by)
    else:
        combined = answers[plan.metrics[0].code]
    return _values(plan, combined, by)


def _current(plan: Plan, states: dict[int, RollupState], hierarchy: Hierarchy) -> bool:
    """Whether the roll-ups of the plan's metrics follow their definitions (a NONE metric
    has none: it is read from its observations)."""
    return all(m.rule is None or is_current(m, states.get(m.id), hierarchy) for m in plan.metrics)


def _answer_key(
    plan: Plan, limits: Limits, hierarchy: Hierarchy, states: dict[int, RollupState]
) -> Hashable:
    """Everything an answer depends on (see :mod:`remembered`)."""
    indicator = plan.indicator.definition if plan.indicator else None
    metrics = tuple((metric, states.get(metric.id)) for metric in plan.metrics)
    return (plan.request, plan.as_of, limits, hierarchy.version, indicator, metrics)


def _subject(session: Session, code: str) -> tuple[list[MetricInfo], IndicatorInfo | None]:
    """The metric asked for, or the indicator and its metrics."""
    metric = metric_by_code(session, code)
    if metric is not None:
        return [metric], None
    indicator = indicator_by_code(session, code)
    if indicator is None:
        raise checks.unknown_subject(code, known_codes(session))
    metrics = []
    for part in indicator.metric_codes:
        found = metric_by_code(session, part)
        if found is None:
            raise AggregationError(
                "metric", f"indicator {code!r} uses {part!r}, which is not a metric"
            )
        if found.rule is None:
            raise checks.not_aggregated(found)
        metrics.append(found)
    return metrics, indicator


def _indicator_answer(
    indicator: IndicatorInfo,
    answers: dict[str, Answer],
    plan: Plan,
    by: tuple[str, ...],
) -> Answer:
    """Each metric aggregated by its own rule, then put into the indicator's formula."""
    dims = {metric.code: set(metric.disaggregations) & set(by) for metric in plan.metrics}
    full = [code for code, names in dims.items() if names == set(by)]
    combined: Answer = {}
    for unit in plan.targets:
        for period in plan.periods:
            slot = (unit.id, period.id)
            groups = {g for code in full for g in answers[code][slot]} or {()}
            combined[slot] = {
                group: _indicator_cell(indicator, answers, dims, slot, group, period.days)
                for group in groups
            }
    return combined


def _indicator_cell(
    indicator: IndicatorInfo,
    answers: dict[str, Answer],
    dims: dict[str, set[str]],
    slot: tuple[int, str],
    group: Group,
    days: int,
) -> Cell:
    cells = {
        code: answers[code][slot].get(tuple(p for p in group if p[0] in dims[code])) or Cell()
        for code in answers
    }
    values = {code: cell.value for code, cell in cells.items()} | {DAYS: float(days)}
    return Cell(
        value=indicator.value(values),
        reporting=min(cell.reporting for cell in cells.values()),
        expected=max(cell.expected for cell in cells.values()),
        estimated=any(cell.estimated for cell in cells.values()),
    )


def _values(plan: Plan, answer: Answer, by: tuple[str, ...]) -> list[AggregateValue]:
    """The answer as a dense grid: every unit × period × group seen anywhere in it."""
    groups = sorted(
        {group for cells in answer.values() for group in cells if group},
        key=lambda group: [(name, value or "") for name, value in group],
    )
    values = []
    for unit in plan.targets:
        for period in plan.periods:
            cells = answer[(unit.id, period.id)]
            expected = max(cell.expected for cell in cells.values())
            for group in groups or [()]:
                cell = cells.get(group) or Cell(expected=expected)
                values.append(
                    AggregateValue(
                        unit=unit,
                        period=period.id,
                        value=cell.value,
                        dims=dict(group) if by and group else None,
                        units_reporting=cell.reporting,
                        units_expected=cell.expected,
                        estimated=cell.estimated,
                        parts_value=cell.parts,
                    )
                )
    return values
