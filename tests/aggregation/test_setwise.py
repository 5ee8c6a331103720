"""The roll-ups the database builds equal those Python builds; large runs defer and rebuild."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import event, func, select

from hub.aggregation.catalog import MetricInfo, metrics_by_id
from hub.aggregation.hierarchy import Hierarchy
from hub.aggregation.maintenance import STALE
from hub.aggregation.rebuild import rebuild_metric
from hub.aggregation.setwise import rebuild_in_database
from hub.connectors.errors import PermanentSourceError
from hub.connectors.records import Checkpoint, Item
from hub.connectors.records import Observation as Record
from hub.connectors.runtime import load_records
from hub.core import Hub
from hub.model import Metric, Observation, RollupMetric, RunStatus
from tests.aggregation.conftest import COMMUNES, PROVINCE, ask, forget_data, load
from tests.aggregation.test_maintenance import assert_same, stored

HANDLED = [
    *["cases", "inpatients", "class_size", "beds", "price", "low_water", "peak_water"],
    "peak_flow",
]
"""Metrics of every rule the database path takes (all but a carried-forward last value)."""
PERIODS = {
    "months": ["2023-11", "2023-12", "2024-01", "2024-03", "2024-06", "2024-07", "2024-12"],
    "days": ["2023-12-14", "2023-12-15", "2024-01-01", "2024-03-14", "2024-06-15", "2024-12-31"],
}

record = st.tuples(
    st.sampled_from(HANDLED),
    st.sampled_from(["90001", "90002", "90004", "901"]),  # few units: values meet in periods
    st.integers(0, 6),
    st.sampled_from(["F", "M", "X"]),
    st.one_of(st.none(), st.integers(-10, 100), st.floats(0, 1000, allow_nan=False)),
    st.sampled_from(["a", "b"]),
)


def metric_infos(hub: Hub, codes: list[str]) -> tuple[Hierarchy, list[MetricInfo]]:
    with hub.db.session() as session:
        ids = session.scalars(select(Metric.id).where(Metric.code.in_(codes))).all()
        return Hierarchy.current(session), list(metrics_by_id(session, ids).values())


def built(hub: Hub, codes: list[str], in_database: bool) -> tuple[dict[Any, Any], dict[Any, Any]]:
    """Every roll-up row and state, after rebuilding ``codes`` one way or the other."""
    hierarchy, metrics = metric_infos(hub, codes)
    with hub.db.session() as session:
        for metric in metrics:
            if in_database:  # not the fallback: the database path must take it
                assert rebuild_in_database(session, metric, hierarchy) is not None, metric.code
            rebuild_metric(session, metric, hierarchy, in_database=in_database)
        states = {
            row.metric_id: (row.signature, sorted(row.period_kinds), sorted(row.levels))
            for row in session.scalars(select(RollupMetric))
        }
    return stored(hub), states


@settings(
    max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.sampled_from(sorted(PERIODS)), st.lists(record, min_size=1, max_size=60))
def test_the_database_builds_the_rows_python_builds(
    hub: Hub, kind: str, records: list[tuple[Any, ...]]
) -> None:
    forget_data(hub)
    assert_built_alike(hub, kind, records)


@pytest.mark.parametrize("kind", sorted(PERIODS))
def test_the_database_builds_the_rows_python_builds_on_a_full_grid(hub: Hub, kind: str) -> None:
    """Every metric, unit, period and cell, then a second source over a third of them."""
    units = [*COMMUNES, "901"]
    grid = [
        (metric, unit, period, sex, (7 * n) % 23 - 3, "a" if n % 3 else "b")
        for n, (metric, unit, period, sex) in enumerate(
            (m, u, p, s) for m in HANDLED for u in units for p in range(7) for s in "FMX"
        )
    ]
    assert_built_alike(hub, kind, grid)


def assert_built_alike(hub: Hub, kind: str, records: list[tuple[Any, ...]]) -> None:
    for source in ("a", "b"):  # two sources of the same cells: the last written is used
        load(
            hub,
            [
                Record(metric, unit, _period(kind, period), value, _dims(metric, sex))
                for metric, unit, period, sex, value, origin in records
                if origin == source
            ],
            source=source,
        )
    in_python = built(hub, HANDLED, in_database=False)
    in_database = built(hub, HANDLED, in_database=True)
    assert_same(in_database[0], in_python[0])
    assert in_database[1] == in_python[1]


def _period(kind: str, index: int) -> str:
    return PERIODS[kind][index % len(PERIODS[kind])]


def _dims(metric: str, sex: str) -> dict[str, str]:
    if metric == "cases":
        return {"sex": sex, "age": "0-4"} if sex != "X" else {"age": "5-9"}
    if metric == "peak_flow":  # an extreme over cells too
        return {"gauge": sex}
    return {}


def test_a_carried_forward_last_value_is_left_to_python(hub: Hub) -> None:
    load(hub, [Record("stock", "90001", "2024-01", 5)])
    hierarchy, (metric,) = metric_infos(hub, ["stock"])
    with hub.db.session() as session:
        assert rebuild_in_database(session, metric, hierarchy) is None


def test_a_total_beside_its_breakdown_is_left_to_python(hub: Hub) -> None:
    load(
        hub,
        [
            Record("cases", "90001", "2024-01", 5, {"sex": "F"}),
            Record("cases", "90001", "2024-01", 9),
        ],
    )
    hierarchy, (metric,) = metric_infos(hub, ["cases"])
    with hub.db.session() as session:
        assert rebuild_in_database(session, metric, hierarchy) is None


def test_mixed_period_types_are_left_to_python(hub: Hub) -> None:
    load(hub, [Record("cases", "90001", "2024-01", 5), Record("cases", "90001", "2024", 50)])
    hierarchy, (metric,) = metric_infos(hub, ["cases"])
    with hub.db.session() as session:
        assert rebuild_in_database(session, metric, hierarchy) is None


def test_a_large_run_defers_the_roll_ups_and_rebuilds_them_at_its_end(hub: Hub) -> None:
    load(hub, [Record("tested", unit, "2024-01", 1, {"sex": "F"}) for unit in COMMUNES])
    months = [f"2024-{m:02d}" for m in range(1, 13)]
    large = [
        Record("tested", unit, month, number, {"sex": sex})
        for number, (unit, month, sex) in enumerate(
            ((u, m, s) for m in months for u in COMMUNES for s in "FM"), start=1
        )
    ]
    hub.settings.aggregation.rebuild_after = 10  # the run writes 60 (unit, month) pairs
    with hub.db.session() as session:
        metric_id = session.scalar(select(Metric.id).where(Metric.code == "tested"))
    seen_during_the_run: list[str] = []

    def items() -> Iterator[Item]:
        for number, item in enumerate(large, start=1):
            yield item
            if number % 20 == 0:
                yield Checkpoint({"n": number})
            if number == 100:  # four checkpoints committed
                with hub.db.session() as session:
                    state = session.get_one(RollupMetric, metric_id)
                    seen_during_the_run.append(state.signature)

    assert load_records(hub, "test", items()).status == RunStatus.SUCCEEDED
    assert seen_during_the_run == [STALE]
    with hub.db.session() as session:
        assert session.get_one(RollupMetric, metric_id).signature != STALE
    first_quarter = [r.value for r in large if r.period in ("2024-01", "2024-02", "2024-03")]
    (quarter,) = ask(hub, "tested", "QUARTER", "2024-Q1", "2024-Q1", units=[PROVINCE])
    assert quarter.value == sum(first_quarter)
    assert (quarter.units_reporting, quarter.units_expected) == (len(COMMUNES), len(COMMUNES))


def test_a_query_during_a_deferred_run_leaves_its_later_commits_stale(hub: Hub) -> None:
    """A query rebuilds a metric that a run defers; the run's next commit defers it again."""
    months = [f"2024-{m:02d}" for m in range(1, 7)]
    large = [
        Record("tested", unit, month, number, {"sex": "F"})
        for number, (unit, month) in enumerate(((u, m) for m in months for u in COMMUNES), start=1)
    ]
    hub.settings.aggregation.rebuild_after = 5
    with hub.db.session() as session:
        metric_id = session.scalar(select(Metric.id).where(Metric.code == "tested"))
    seen: list[tuple[str, float | None]] = []

    def state() -> str:
        with hub.db.session() as session:
            return session.get_one(RollupMetric, metric_id).signature

    def committed(count: int) -> None:
        """Wait for the loading thread to commit ``count`` values (at most ten seconds)."""
        for _ in range(1000):
            with hub.db.session() as session:
                query = select(func.count()).where(Observation.metric_id == metric_id)
                if session.scalar(query) >= count:
                    return
            time.sleep(0.01)
        raise AssertionError(f"{count} values never committed")

    def items() -> Iterator[Item]:
        for number, item in enumerate(large, start=1):
            yield item
            if number % 10 == 0:
                yield Checkpoint({"n": number})
            if number == 10:  # once committed, a query rebuilds what the run deferred
                committed(10)
                (january,) = ask(hub, "tested", "MONTH", "2024-01", "2024-01", units=[PROVINCE])
                seen.append((state(), january.value))
            if number == 20:
                committed(20)
                seen.append((state(), None))

    assert load_records(hub, "test", items()).status == RunStatus.SUCCEEDED
    (after_query, january_then), (after_next_commit, _) = seen
    assert after_query != STALE and january_then == sum(range(1, 6))
    assert after_next_commit == STALE
    assert state() != STALE
    (half,) = ask(hub, "tested", "HALF_YEAR", "2024-H1", "2024-H1", units=[PROVINCE])
    assert half.value == sum(record.value for record in large)


def test_a_failed_large_run_rebuilds_what_it_committed(hub: Hub) -> None:
    hub.settings.aggregation.rebuild_after = 3

    def items() -> Iterator[Item]:
        for number, unit in enumerate(COMMUNES, start=1):
            yield Record("tested", unit, "2024-01", number, {"sex": "F"})
        yield Checkpoint({"n": len(COMMUNES)})
        yield Record("tested", COMMUNES[0], "2024-02", 1000, {"sex": "F"})  # never committed
        raise PermanentSourceError("the source went away")

    assert load_records(hub, "test", items()).status == RunStatus.FAILED
    with hub.db.session() as session:
        metric_id = session.scalar(select(Metric.id).where(Metric.code == "tested"))
        assert session.get_one(RollupMetric, metric_id).signature != STALE
    (quarter,) = ask(hub, "tested", "QUARTER", "2024-Q1", "2024-Q1", units=[PROVINCE])
    assert (quarter.value, quarter.units_reporting) == (
        sum(range(1, len(COMMUNES) + 1)),
        len(COMMUNES),
    )


def test_a_run_writing_a_small_share_of_a_metric_keeps_its_roll_ups_up_to_date(hub: Hub) -> None:
    """Deferral is relative: a month added to a year of values is kept by differences."""
    year = [f"2023-{m:02d}" for m in range(1, 13)]
    held = [
        Record("tested", u, month, 1, {"sex": s}) for month in year for u in COMMUNES for s in "FM"
    ]
    load(hub, held)
    hub.settings.aggregation.rebuild_after = 3  # the run writes more: only the share holds back
    january = [Record("tested", u, "2024-01", 5, {"sex": s}) for u in COMMUNES for s in "FM"]
    assert len(january) > hub.settings.aggregation.rebuild_after
    assert len(january) < len(held) / 10
    with hub.db.session() as session:
        metric_id = session.scalar(select(Metric.id).where(Metric.code == "tested"))
    seen_during_the_run: list[str] = []

    def items() -> Iterator[Item]:
        yield from january[:-1]
        yield Checkpoint({"n": len(january) - 1})
        with hub.db.session() as session:  # what the checkpoint committed
            seen_during_the_run.append(session.get_one(RollupMetric, metric_id).signature)
        yield january[-1]

    assert load_records(hub, "test", items()).status == RunStatus.SUCCEEDED
    assert STALE not in seen_during_the_run
    (total,) = ask(hub, "tested", "MONTH", "2024-01", "2024-01", units=[PROVINCE])
    assert total.value == 5 * len(january)


def test_a_run_within_rebuild_after_does_not_count_the_metrics_rows(hub: Hub) -> None:
    """A small run never counts what the metric holds (a count scans millions of rows)."""
    load(hub, [Record("tested", u, "2023-01", 1, {"sex": "F"}) for u in COMMUNES])
    hub.settings.aggregation.rebuild_after = 3
    statements: list[str] = []

    def seen(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        statements.append(statement.lower())

    event.listen(hub.db.engine, "before_cursor_execute", seen)
    try:
        small = [Record("tested", u, "2024-01", 2, {"sex": "F"}) for u in COMMUNES[:3]]
        assert load_records(hub, "test", iter(small)).status == RunStatus.SUCCEEDED
    finally:
        event.remove(hub.db.engine, "before_cursor_execute", seen)
    assert not [s for s in statements if "count(" in s and "from observations" in s]
    (january,) = ask(hub, "tested", "MONTH", "2024-01", "2024-01", units=[PROVINCE])
    assert january.value == 6
