"""Remembered answers: asked again, the same answer; after any change under it, a new one."""

from __future__ import annotations

from hub.aggregation.remembered import remembered_answers
from hub.connectors.records import Observation as Record
from hub.core import Hub
from tests.aggregation.conftest import COMMUNES, PROVINCE, ask, by_unit_period, hub_on, load


def province_cases(hub: Hub) -> dict[tuple[str, str], float | None]:
    return by_unit_period(ask(hub, "cases", "QUARTER", "2024-Q1", "2024-Q1", units=[PROVINCE]))


def test_a_question_asked_again_is_answered_from_memory(hub: Hub) -> None:
    load(hub, [Record("cases", code, "2024-01", 2) for code in COMMUNES])
    remembered = remembered_answers(hub.db.engine)
    first = province_cases(hub)
    kept = len(remembered)
    assert province_cases(hub) == first == {(PROVINCE, "2024-Q1"): 10.0}
    assert len(remembered) == kept  # no new entry: the second answer came from memory


def test_new_data_is_seen_at_once(hub: Hub) -> None:
    load(hub, [Record("cases", code, "2024-01", 2) for code in COMMUNES])
    assert province_cases(hub) == {(PROVINCE, "2024-Q1"): 10.0}
    load(hub, [Record("cases", COMMUNES[0], "2024-02", 5)])
    assert province_cases(hub) == {(PROVINCE, "2024-Q1"): 15.0}
    load(hub, [Record("cases", COMMUNES[0], "2024-02", None)])  # withdrawn
    assert province_cases(hub) == {(PROVINCE, "2024-Q1"): 10.0}


def test_data_written_by_another_process_is_seen(hub: Hub, db_url: str) -> None:
    # A second hub on the same database has its own engine and memory, as a second
    # process would: what it writes must reach the first hub's next answer.
    load(hub, [Record("cases", code, "2024-01", 1) for code in COMMUNES])
    assert province_cases(hub) == {(PROVINCE, "2024-Q1"): 5.0}
    other = hub_on(db_url)
    try:
        load(other, [Record("cases", COMMUNES[1], "2024-03", 7)])
    finally:
        other.close()
    assert province_cases(hub) == {(PROVINCE, "2024-Q1"): 12.0}
