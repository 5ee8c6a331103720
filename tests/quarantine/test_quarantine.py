"""Quarantine rows keyed by source record and reason; discarding and retrying them."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date
from types import SimpleNamespace
from typing import Any

import pytest
from sqlalchemy import func, select

from hub.connectors.errors import BadInput
from hub.connectors.records import BadRecord, Checkpoint, Item, Observation
from hub.connectors.runtime import run_sync
from hub.core import Hub
from hub.model import AdminLevel, AdminUnit, QuarantinedRecord, RunStatus
from hub.model import Observation as ObservationRow
from hub.plugins import hookimpl
from hub.plugins.manager import Plugins
from hub.quarantine.actions import discard, retry
from tests.connectors import scripted

UNKNOWN_COMMUNE = Observation("cases", "23290", "2024-01", 4, {"sex": "F"}, place="row 2")
BAD_DATE = BadRecord("no readable date: '31/02'", {"id": "R-7", "date": "31/02"}, place="R-7")


@pytest.fixture
def hub(make_hub: Callable[..., Hub]) -> Iterator[Hub]:
    plugins = Plugins.load(extra=[("scripted", scripted.plugin)])
    hub = make_hub(
        {"connectors": {"src": {"plugin": "scripted", "kind": "scripted", "script": "q"}}},
        with_plugins=plugins,
    )
    add_commune(hub, "23281")
    scripted.SCRIPTS["q"] = nightly
    yield hub
    scripted.SCRIPTS.clear()


def nightly(state: dict[str, Any], full: bool) -> Iterator[Item]:
    yield Observation("cases", "23281", "2024-01", 3, {"sex": "F"}, place="row 1")
    yield UNKNOWN_COMMUNE
    yield BAD_DATE
    yield Checkpoint({})


def add_commune(hub: Hub, code: str) -> None:
    with hub.db.session() as session:
        session.add(
            AdminUnit(
                identity=f"{code}@",
                code=code,
                name=f"Xã {code}",
                level=AdminLevel.COMMUNE,
                valid_to=date(2025, 6, 30),
            )
        )


def quarantined(hub: Hub) -> list[QuarantinedRecord]:
    with hub.db.session() as session:
        rows = session.scalars(select(QuarantinedRecord).order_by(QuarantinedRecord.id)).all()
        session.expunge_all()
    return list(rows)


def observations(hub: Hub) -> int:
    with hub.db.session() as session:
        return session.scalar(select(func.count()).select_from(ObservationRow)) or 0


def test_a_record_quarantined_again_updates_its_row_instead_of_adding_one(hub: Hub) -> None:
    first = run_sync(hub, "src")
    runs = [run_sync(hub, "src") for _ in range(15)]

    rows = quarantined(hub)
    assert [(row.place, row.times_seen) for row in rows] == [("row 2", 16), ("R-7", 16)]
    assert {row.sync_run_id for row in rows} == {runs[-1].id}  # the run that saw it last
    assert all(row.received_at < row.last_seen_at for row in rows)
    assert all(first.started_at < row.received_at < runs[0].started_at for row in rows)
    assert (first.status, first.records_quarantined) == (RunStatus.PARTIAL, 2)
    assert runs[-1].records_quarantined == 2  # each run still says what it could not take


def test_a_record_rejected_for_another_reason_is_another_row(hub: Hub) -> None:
    run_sync(hub, "src")
    scripted.SCRIPTS["q"] = lambda state, full: iter(
        [Observation("cases", "23290", "2024-01", "n/a", {"sex": "F"}, place="row 2")]
    )
    run_sync(hub, "src")
    assert [(row.place, row.times_seen) for row in quarantined(hub)] == [
        ("row 2", 1),
        ("R-7", 1),
        ("row 2", 1),
    ]


def test_the_same_record_twice_in_one_run_is_one_row_seen_twice(hub: Hub) -> None:
    scripted.SCRIPTS["q"] = lambda state, full: iter([BAD_DATE, BAD_DATE])
    run = run_sync(hub, "src")
    assert run.records_quarantined == 2
    assert [row.times_seen for row in quarantined(hub)] == [2]


def test_retry_stores_what_the_current_config_accepts_and_keeps_the_rest(hub: Hub) -> None:
    run_sync(hub, "src")
    unknown, bad_date = quarantined(hub)
    assert observations(hub) == 1

    add_commune(hub, "23290")  # the commune the source named is known now
    outcome = retry(hub, [unknown.id, bad_date.id])

    assert (outcome.stored, outcome.still_quarantined) == (1, 1)
    assert outcome.problems == [
        f"record {bad_date.id}: src cannot read a single record again: "
        "a full sync (iochub sync --full src) reads it"
    ]
    assert observations(hub) == 2
    assert [row.id for row in quarantined(hub)] == [bad_date.id]


def test_a_retried_record_rejected_again_stays_with_today_s_reason(hub: Hub) -> None:
    run_sync(hub, "src")
    unknown, _ = quarantined(hub)

    outcome = retry(hub, [unknown.id])

    assert (outcome.stored, outcome.still_quarantined) == (0, 1)
    again = [row for row in quarantined(hub) if row.id == unknown.id]
    assert again and again[0].reason == "unknown unit '23290' on 2024-01-01"


class Rereading(scripted.ScriptedConnector):
    """The scripted kind, reading a bad record again: still no readable date."""

    kind = "rereading"

    def reread(self, payload: Any, place: str | None) -> Iterator[Item]:
        raise BadInput(f"no readable date: {payload['date']!r}")
        yield  # a generator, as a connector's reread is


def test_a_record_whose_reread_raises_bad_input_stays_on_its_row_and_the_others_go_on(
    make_hub: Callable[..., Hub],
) -> None:
    rereading = SimpleNamespace(register_connector_kinds=hookimpl(lambda: [Rereading]))
    plugins = Plugins.load(extra=[("scripted", scripted.plugin), ("rereading", rereading)])
    table = {"plugin": "rereading", "kind": "rereading", "script": "q"}
    hub = make_hub({"connectors": {"src": table}}, with_plugins=plugins)
    add_commune(hub, "23281")
    scripted.SCRIPTS["q"] = nightly
    run_sync(hub, "src")
    unknown, bad_date = quarantined(hub)
    add_commune(hub, "23290")

    outcome = retry(hub, [bad_date.id, unknown.id])

    assert (outcome.stored, outcome.still_quarantined) == (1, 1)
    assert outcome.problems == [f"record {bad_date.id}: still bad: no readable date: '31/02'"]
    [row] = quarantined(hub)
    assert (row.id, row.times_seen, row.reason) == (bad_date.id, 2, "no readable date: '31/02'")
    assert observations(hub) == 2


def test_discard_deletes_the_rows_given(hub: Hub) -> None:
    run_sync(hub, "src")
    unknown, bad_date = quarantined(hub)
    with hub.db.session() as session:
        assert discard(session, [unknown.id, 99999]) == 1
    assert [row.id for row in quarantined(hub)] == [bad_date.id]
