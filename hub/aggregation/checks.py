"""The checks an ``aggregate`` request must pass, each naming its argument and what is valid."""

from __future__ import annotations

import difflib
from collections.abc import Iterable

from hub.aggregation.catalog import MetricInfo, RollupState
from hub.aggregation.errors import AggregationError
from hub.periods import (
    RANK,
    Calendar,
    Period,
    PeriodError,
    PeriodType,
    nests,
    next_period,
    parse_period,
)

EXAMPLES = {
    PeriodType.DAY: "2026-03-05",
    PeriodType.WEEK: "2026-W10",
    PeriodType.MONTH: "2026-03",
    PeriodType.QUARTER: "2026-Q1",
    PeriodType.HALF_YEAR: "2026-H1",
    PeriodType.YEAR: "2026",
}


def unknown_subject(code: str, known: list[str]) -> AggregationError:
    close = difflib.get_close_matches(code, known, n=3)
    hint = f" (did you mean {', '.join(close)}?)" if close else ""
    return AggregationError(
        "metric",
        f"no metric or indicator has the code {code!r}{hint}; the `metrics` and `indicators` "
        "queries list them",
    )


def not_aggregated(metric: MetricInfo) -> AggregationError:
    return AggregationError(
        "metric", f"metric {metric.code!r} is not aggregated (its aggregation is NONE)"
    )


def period_range(
    start: str, end: str, period_type: PeriodType, calendar: Calendar, most: int
) -> list[Period]:
    """The periods from ``start`` to ``end``; at most ``most`` of them, or AggregationError."""
    first = _period("from", start, period_type, calendar)
    last = _period("to", end, period_type, calendar)
    if first.start > last.start:
        raise AggregationError("from", f"{first.id} is after to ({last.id})")
    found = [first]
    while found[-1].id != last.id:
        if len(found) >= most:
            raise too_many(f"from {first.id} to {last.id}", period_type, len(found) + 1, most)
        found.append(next_period(found[-1]))
    return found


def too_many(what: str, period_type: PeriodType, count: int, most: int) -> AggregationError:
    return AggregationError(
        "to",
        f"{what} makes more than {most:,} values (the limit, [aggregation] max_values): ask "
        f"for fewer periods, fewer units, or a longer periodType than {period_type}",
    )


def check_size(periods: int, units: int, most: int, period_type: PeriodType) -> None:
    if periods * units > most:
        what = f"{periods:,} periods for {units:,} units"
        raise too_many(what, period_type, periods * units, most)


def check_by(by: Iterable[str], subject: str, dims_of: dict[str, tuple[str, ...]]) -> None:
    """Every ``by`` name must be a disaggregation of the metric (of one of an indicator's)."""
    by = list(by)
    declared = {name for dims in dims_of.values() for name in dims}
    unknown = [name for name in by if name not in declared]
    if unknown:
        has = ", ".join(sorted(declared)) or "none"
        raise AggregationError(
            "by", f"{subject!r} has no disaggregation {', '.join(unknown)} (it has: {has})"
        )
    if by and not any(set(by) <= set(dims) for dims in dims_of.values()):
        raise AggregationError(
            "by", f"no metric of {subject!r} is disaggregated by all of {', '.join(by)}"
        )


def check_collected(
    metric: MetricInfo, state: RollupState | None, period_type: PeriodType, calendar: Calendar
) -> None:
    """Refuse periods finer than the data (a yearly value is not split into months)."""
    kinds = [_kind(text) for text in (state.period_kinds if state else ())]
    if not kinds or any(nests(t, c, period_type, calendar) for t, c in kinds):
        return
    finest_type, finest_calendar = min(kinds, key=lambda kind: RANK[kind[0]])
    collected = f"metric {metric.code!r} is collected by {finest_type}"
    if finest_type is PeriodType.WEEK:
        reason = ": ISO weeks straddle months, quarters and reporting years; ask by WEEK or YEAR"
    elif RANK[finest_type] <= RANK[period_type]:
        reason = (
            f" in the {finest_calendar} calendar, whose periods do not nest in {calendar} "
            "ones (a reporting month of Decree 09 runs from the 15th to the 14th): ask with "
            f"calendar {finest_calendar}"
        )
    else:
        reason = (
            f", and a value is not split into shorter periods: ask for periodType {finest_type} "
            "or a longer one"
        )
    raise AggregationError("periodType", collected + reason)


def _kind(text: str) -> tuple[PeriodType, Calendar]:
    calendar, period_type = text.split(":")
    return PeriodType(period_type), Calendar(calendar)


def _period(argument: str, text: str, period_type: PeriodType, calendar: Calendar) -> Period:
    try:
        period = parse_period(text, calendar)
    except PeriodError as exc:
        raise AggregationError(argument, str(exc)) from None
    if period.type is not period_type:
        raise AggregationError(
            argument,
            f"{period.id!r} is a {period.type}, not a {period_type} (periodType); "
            f"a {period_type} looks like {EXAMPLES[period_type]}",
        )
    return period
