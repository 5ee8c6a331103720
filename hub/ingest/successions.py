"""Values that are parts of one cell: kept apart, combined by the metric's rule.

A source may go on using the codes of communes that were merged (23281, 23287 and 23290 all
went into 23293). Each such value is placed on the successor (see
:meth:`hub.units.queries.UnitResolver.place`), so three values land under one natural key.
Rather than the last overwriting the others, the observation keeps each code's value in its
``parts`` (``{"23281": 5, "23287": 7, "23290": 11}``) and its ``value`` combines them the way
the metric combines units (:mod:`hub.aggregation.rules`): a SUM or LAST metric adds them (23),
an AVERAGE one averages them, a MIN or MAX one takes the lowest or highest. A value the source
gives under the successor's own code is one more part, under that code. A correction sent for
one code replaces that code's part only; a retraction (a value of None) removes it, and the
observation goes when no part is left. A metric that is not aggregated (NONE) takes the value
written last.

A source may also give one cell in several values, each a part it names
(:attr:`hub.connectors.records.Observation.part`): DHIS2 reports a data element by category
option combo (male, female), which a metric without that disaggregation holds as one cell.
Those parts are kept and combined the same way, under ``<code>|<part>``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from itertools import product
from statistics import fmean
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.aggregation.rules import Over, rule_of
from hub.aggregation.store import chunks
from hub.model import Metric, Observation

ObservationKey = tuple[int, int, str, str, str, str]
"""An observation's natural key: metric id, unit id, calendar, period, cell, source."""
Parts = dict[str, dict[str, Any]]
"""A unit code → the row given under it (its ``value`` None for a retraction)."""

KEY_COLUMNS = (
    Observation.metric_id,
    Observation.unit_id,
    Observation.calendar,
    Observation.period,
    Observation.dims_key,
    Observation.source,
)
COMBINE: dict[Over, Callable[[list[float]], float]] = {
    Over.SUM: sum,
    Over.MEAN: fmean,
    Over.MIN: min,
    Over.MAX: max,
}


@dataclass
class Merged:
    """The observations of a batch whose value combines several codes' values."""

    rows: list[dict[str, Any]] = field(default_factory=list)
    """Rows to upsert, each with its ``parts``."""
    gone: list[dict[str, Any]] = field(default_factory=list)
    """Rows (their natural keys) to delete: no part left."""


def merge_parts(
    session: Session,
    direct: dict[ObservationKey, dict[str, Any]],
    parts_given: dict[ObservationKey, Parts],
    code_of: Callable[[int], str],
) -> Merged:
    """Combine the batch's parts of cells with what is stored under their keys.

    ``direct`` holds the batch's rows given whole, under the unit's own code; those whose key
    already has parts stored are taken out of it and merged here too. ``parts_given`` holds
    the rows that are parts, by key and part.
    """
    stored = _stored_parts(session, parts_given.keys(), direct.keys(), code_of)
    for key in direct.keys() & stored.keys():
        parts_given.setdefault(key, {})
    merged = Merged()
    rules = _rules(session, {key[0] for key in parts_given})
    for key, given in parts_given.items():
        own = code_of(key[1])
        parts = dict(stored.get(key, {}))
        latest = direct.pop(key, None)
        if latest is not None:
            given = {own: latest, **given}
        for code, row in given.items():
            latest = row
            if row["value"] is None:
                parts.pop(code, None)
            else:
                parts[code] = row["value"]
        assert latest is not None
        if not parts:
            merged.gone.append(latest)
            continue
        value = _combine(parts, rules[key[0]], latest["value"])
        merged.rows.append({**latest, "value": value, "parts": dict(sorted(parts.items()))})
    return merged


def _combine(parts: dict[str, float], over: Over | None, latest: float | None) -> float:
    """The parts' values combined across units; for a metric not aggregated, the latest."""
    values = list(parts.values())
    if over is None or over not in COMBINE:
        return latest if latest is not None else values[-1]
    return COMBINE[over](values)


def _rules(session: Session, metric_ids: set[int]) -> dict[int, Over | None]:
    """How each metric combines units (None: not aggregated)."""
    query = select(Metric.id, Metric.aggregation).where(Metric.id.in_(sorted(metric_ids)))
    rules = {}
    for metric_id, aggregation in session.execute(query):
        rule = rule_of(aggregation)
        rules[metric_id] = rule.units if rule else None
    return rules


def _stored_parts(
    session: Session,
    of_parts: Iterable[ObservationKey],
    direct: Iterable[ObservationKey],
    code_of: Callable[[int], str],
) -> dict[ObservationKey, dict[str, float]]:
    """What is stored under these keys, as parts.

    Every key of ``of_parts`` is looked up; of ``direct`` only the rows that have parts, of
    the metrics that have any. A stored row without parts is its unit's own code's value.
    """
    found: dict[ObservationKey, dict[str, float]] = {}
    for key, value, parts in _stored(session, set(of_parts)):
        own = {} if value is None else {code_of(key[1]): value}
        found[key] = parts or own
    with_parts = _metrics_with_parts(session, direct)
    direct = {key for key in direct if key[0] in with_parts}
    for key, _value, parts in _stored(session, direct, Observation.parts.is_not(None)):
        found[key] = parts
    return found


def _metrics_with_parts(session: Session, keys: Iterable[ObservationKey]) -> set[int]:
    """Of the keys' metrics, those with parts stored from the keys' sources (found in the
    partial index of the rows with parts: a load of whole values does not pay for them)."""
    metrics = sorted({key[0] for key in keys})
    sources = sorted({key[5] for key in keys})
    if not metrics:
        return set()
    query = (
        select(Observation.metric_id)
        .where(
            Observation.parts.is_not(None),
            Observation.metric_id.in_(metrics),
            Observation.source.in_(sources),
        )
        .distinct()
    )
    return set(session.scalars(query))


def _stored(
    session: Session, keys: set[ObservationKey], *where: Any
) -> Iterator[tuple[ObservationKey, float | None, dict[str, float] | None]]:
    """The value and parts stored under each of these keys that is stored (and matches)."""
    columns = (*KEY_COLUMNS, Observation.value, Observation.parts)
    units = sorted({key[1] for key in keys})
    periods = sorted({key[3] for key in keys})
    metrics = sorted({key[0] for key in keys})
    for unit_chunk, period_chunk in product(chunks(units), chunks(periods)):
        query = select(*columns).where(
            Observation.metric_id.in_(metrics),
            Observation.unit_id.in_(unit_chunk),
            Observation.period.in_(period_chunk),
            *where,
        )
        for *key, value, parts in session.execute(query):
            if tuple(key) in keys:
                yield tuple(key), value, parts  # type: ignore[misc]
