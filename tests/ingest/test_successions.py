"""Values of retired unit codes placed on their successor: combined, never overwritten.

Communes 90001, 90002 and 90003 (of the made-up province 90) merged into 90009 on
1 July 2025; a source goes on sending their old codes in 2026.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest
from sqlalchemy import select

from hub.connectors.records import Observation as Record
from hub.connectors.runtime import load_records
from hub.core import Hub
from hub.model import AdminLevel, AdminUnit, Observation, Succession, SuccessionKind, SyncRun
from tests.aggregation.conftest import add_unit, ask, province_hub

REFORM = date(2025, 7, 1)
METRICS = {
    "cases": "SUM",
    "beds": "LAST",
    "class_size": "AVERAGE",
    "peak_water": "MAX",
    "status_code": "NONE",
}
CONFIG = {
    "metrics": {
        code: {"name": code, "sector": "test", "aggregation": aggregation}
        for code, aggregation in METRICS.items()
    }
}
OLD = ("90001", "90002", "90003")


@pytest.fixture
def hub(make_hub: Callable[..., Hub]) -> Hub:
    """Province 90, whose communes 90001–90003 went into 90009 on 1 July 2025."""
    hub = province_hub(make_hub, CONFIG)
    with hub.db.session() as session:
        units = {u.code: u for u in session.scalars(select(AdminUnit))}
        successor = add_unit(session, "90009", AdminLevel.COMMUNE, units["901"], REFORM)
        for code in OLD:
            units[code].valid_to = date(2025, 6, 30)
            session.add(
                Succession(
                    predecessor_id=units[code].id,
                    successor_id=successor.id,
                    effective=REFORM,
                    kind=SuccessionKind.MERGE,
                )
            )
    return hub


def import_(hub: Hub, *records: Record, source: str = "backfill") -> SyncRun:
    return load_records(hub, source, iter(records))


def value_of(hub: Hub, metric: str, unit: str = "90009", period: str = "2026-04") -> float | None:
    answer = ask(hub, metric, "MONTH", period, period, units=[unit], as_of=date(2026, 4, 1))
    return answer[0].value if answer else None


def stored(hub: Hub) -> list[tuple[float | None, dict[str, float] | None]]:
    with hub.db.session() as session:
        return [tuple(row) for row in session.execute(select(Observation.value, Observation.parts))]


def test_values_of_merged_codes_add_up_on_their_successor(hub: Hub) -> None:
    run = import_(
        hub,
        Record("cases", "90001", "2026-04", 5),
        Record("cases", "90002", "2026-04", 7),
        Record("cases", "90003", "2026-04", 11),
    )
    assert (run.records_read, run.records_written, run.records_placed) == (3, 3, 3)
    assert run.records_duplicate == 0
    assert value_of(hub, "cases") == 23  # 5 + 7 + 11, not the last one (11)
    assert stored(hub) == [(23.0, {"90001": 5.0, "90002": 7.0, "90003": 11.0})]


def test_a_correction_of_one_old_code_replaces_its_own_value_only(hub: Hub) -> None:
    given = zip(OLD, (5, 7, 11), strict=True)
    import_(hub, *(Record("cases", code, "2026-04", value) for code, value in given))
    import_(hub, Record("cases", "90002", "2026-04", 8))  # a later run, alone
    assert value_of(hub, "cases") == 24  # 5 + 8 + 11
    import_(hub, Record("cases", "90003", "2026-04", None))  # withdrawn
    assert value_of(hub, "cases") == 13
    import_(hub, *(Record("cases", code, "2026-04", None) for code in ("90001", "90002")))
    assert stored(hub) == []


def test_the_successors_own_code_is_one_more_part_in_any_order(hub: Hub) -> None:
    import_(hub, Record("cases", "90001", "2026-04", 5), Record("cases", "90009", "2026-04", 2))
    import_(hub, Record("cases", "90002", "2026-04", 7))
    assert value_of(hub, "cases") == 14
    import_(hub, Record("cases", "90009", "2026-04", 3))  # the own code corrected, by itself
    assert value_of(hub, "cases") == 15
    assert stored(hub) == [(15.0, {"90001": 5.0, "90002": 7.0, "90009": 3.0})]


@pytest.mark.parametrize(
    ("metric", "expected"),
    [
        ("beds", 23),  # a stock: the successor holds what its parts held (rules.py: LAST sums)
        ("class_size", 23 / 3),  # an average: of the units
        ("peak_water", 11),
        ("status_code", 7),  # not aggregated: the value written last
    ],
)
def test_values_combine_by_the_metrics_rule_across_units(
    hub: Hub, metric: str, expected: float
) -> None:
    import_(
        hub,
        Record(metric, "90001", "2026-04", 5),
        Record(metric, "90003", "2026-04", 11),
        Record(metric, "90002", "2026-04", 7),
    )
    assert stored(hub)[0][0] == pytest.approx(expected)


def test_duplicate_keys_in_one_input_are_counted_and_the_later_one_kept(hub: Hub) -> None:
    run = import_(
        hub,
        Record("cases", "90004", "2026-04", 1),
        Record("cases", "90005", "2026-04", 2),
        Record("cases", "90004", "2026-04", 3),  # the same key again: it wins
        Record("cases", "90001", "2026-04", 4),
        Record("cases", "90001", "2026-04", 6),  # the same old code again: it wins
        Record("cases", "90002", "2026-04", 5),  # another old code: not a duplicate
    )
    assert (run.records_read, run.records_written, run.records_duplicate) == (6, 4, 2)
    assert run.records_read == (
        run.records_written + run.records_quarantined + run.records_skipped + run.records_duplicate
    )
    assert value_of(hub, "cases", "90004") == 3
    assert value_of(hub, "cases") == 11


def test_a_duplicate_in_a_later_batch_of_the_run_is_counted_too(
    make_hub: Callable[..., Hub],
) -> None:
    hub = province_hub(make_hub, {**CONFIG, "runtime": {"batch_size": 2}})
    run = import_(
        hub,
        Record("cases", "90004", "2026-04", 1),
        Record("cases", "90005", "2026-04", 2),
        Record("cases", "90004", "2026-04", 3),  # in the second batch
        Record("cases", "90005", "2026-05", 4),
    )
    assert (run.records_read, run.records_written, run.records_duplicate) == (4, 3, 1)
    assert value_of(hub, "cases", "90004") == 3
    again = import_(hub, Record("cases", "90004", "2026-04", 5))  # another run: no duplicate
    assert (again.records_written, again.records_duplicate) == (1, 0)
