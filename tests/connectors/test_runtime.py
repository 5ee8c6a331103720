"""The connector runtime: state, batches, quarantine, retries and failures."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime
from typing import Any

import pytest
from sqlalchemy import func, select, update

from hub.connectors.errors import BadInput, PermanentSourceError, TransientSourceError
from hub.connectors.locks import exclusive
from hub.connectors.records import (
    BadRecord,
    Checkpoint,
    Event,
    Facility,
    Item,
    Notice,
    Observation,
    read_each,
)
from hub.connectors.runtime import RunInProgress, run_sync
from hub.core import Hub
from hub.model import (
    AdminLevel,
    AdminUnit,
    ConnectorState,
    QuarantinedRecord,
    RunStatus,
    SyncRun,
)
from hub.model import Observation as ObservationRow
from hub.plugins.manager import Plugins
from tests.connectors import scripted

COMMUNES = ["23281", "23284", "23287"]


@pytest.fixture
def hub(make_hub: Callable[..., Hub]) -> Iterator[Hub]:
    plugins = Plugins.load(extra=[("scripted", scripted.plugin)])
    hub = make_hub(
        {
            "runtime": {
                "retry_initial_wait": 0,
                "retry_max_wait": 0,
                "retry_attempts": 3,
                "batch_size": 2,
            },
            "connectors": {"src": {"plugin": "scripted", "kind": "scripted", "script": "main"}},
        },
        with_plugins=plugins,
    )
    _add_units(hub)
    scripted.READS.clear()
    yield hub
    scripted.SCRIPTS.clear()


def _add_units(hub: Hub) -> None:
    with hub.db.session() as session:
        province = AdminUnit(
            identity="62@",
            code="62",
            name="Tỉnh Kon Tum",
            level=AdminLevel.PROVINCE,
            valid_to=date(2025, 6, 30),
        )
        session.add(province)
        session.flush()
        for code in COMMUNES:
            session.add(
                AdminUnit(
                    identity=f"{code}@",
                    code=code,
                    name=f"Xã {code}",
                    level=AdminLevel.COMMUNE,
                    parent_id=province.id,
                    valid_to=date(2025, 6, 30),
                )
            )


def _script(function: Callable[[dict[str, Any], bool], Iterator[Item]]) -> None:
    scripted.SCRIPTS["main"] = function


def _cases(month: int, value: float = 1.0) -> list[Observation]:
    return [
        Observation("cases", code, f"2024-{month:02d}", value, {"sex": "F"}) for code in COMMUNES
    ]


def _count(hub: Hub, model: type = ObservationRow) -> int:
    with hub.db.session() as session:
        return session.scalar(select(func.count()).select_from(model)) or 0


def _quarantined(hub: Hub) -> list[tuple[str | None, str]]:
    with hub.db.session() as session:
        rows = session.scalars(select(QuarantinedRecord).order_by(QuarantinedRecord.id)).all()
        return [(row.place, row.reason) for row in rows]


def _state(hub: Hub) -> dict[str, Any] | None:
    with hub.db.session() as session:
        row = session.get(ConnectorState, "src")
        return row.state if row else None


def test_a_run_writes_records_and_saves_the_checkpoint_state(hub: Hub) -> None:
    def read(state: dict[str, Any], full: bool) -> Iterator[Item]:
        yield from _cases(1)
        yield Checkpoint({"month": 1})
        yield from _cases(2)
        yield Checkpoint({"month": 2})

    _script(read)
    run = run_sync(hub, "src")
    assert (run.status, run.records_read, run.records_written) == (RunStatus.SUCCEEDED, 6, 6)
    assert _count(hub) == 6
    assert _state(hub) == {"month": 2}


def test_the_next_run_starts_from_the_saved_state_and_full_starts_from_nothing(hub: Hub) -> None:
    def read(state: dict[str, Any], full: bool) -> Iterator[Item]:
        month = state.get("month", 0) + 1
        yield from _cases(month)
        yield Checkpoint({"month": month})

    _script(read)
    run_sync(hub, "src")
    run_sync(hub, "src")
    run_sync(hub, "src", full=True)
    assert scripted.READS == [{}, {"month": 1}, {}]
    assert _count(hub) == 6  # months 1 and 2; the full run re-read month 1 without doubling it


def test_re_running_the_same_source_writes_no_duplicates(hub: Hub) -> None:
    _script(lambda state, full: iter(_cases(1, 5) + _cases(1, 7)))
    run_sync(hub, "src")
    run_sync(hub, "src")
    assert _count(hub) == 3
    with hub.db.session() as session:
        assert set(session.scalars(select(ObservationRow.value))) == {7.0}


def test_bad_records_are_quarantined_with_reason_place_and_payload(hub: Hub) -> None:
    def read(state: dict[str, Any], full: bool) -> Iterator[Item]:
        yield Observation("cases", "23281", "2024-01", 3, {"sex": "M"}, place="row 1")
        yield Observation("nosuchmetric", "23281", "2024-01", 1, place="row 2")
        yield Observation("cases", "99999", "2024-01", 1, place="row 3")
        yield Observation("cases", "23281", "2024-13", 1, place="row 4")
        yield Observation("cases", "23281", "2024-02", "n/a", place="row 5")
        yield Observation("cases", "23281", "2024-02", 1, {"age": "0-4"}, place="row 6")
        yield Observation("beds", "23281", "2026-01", 10, place="row 7")  # unit abolished by then
        yield BadRecord("series key X: not a number", {"raw": "x"}, place="series 0")

    _script(read)
    run = run_sync(hub, "src")
    assert run.status == RunStatus.PARTIAL
    assert (run.records_read, run.records_written, run.records_quarantined) == (8, 1, 7)
    with hub.db.session() as session:
        rows = session.scalars(select(QuarantinedRecord).order_by(QuarantinedRecord.id)).all()
    reasons = [(row.place, row.reason) for row in rows]
    assert reasons[0] == ("row 2", "unknown metric 'nosuchmetric'")
    assert reasons[1] == ("row 3", "unknown unit '99999' on 2024-01-01")
    assert reasons[2][0] == "row 4" and "2024-13" in reasons[2][1]
    assert reasons[3] == ("row 5", "value 'n/a' is not a number")
    assert reasons[4][0] == "row 6" and "no disaggregation age" in reasons[4][1]
    assert reasons[5] == ("row 7", "unknown unit '23281' on 2026-01-01")
    assert reasons[6] == ("series 0", "series key X: not a number")
    assert rows[0].payload["metric"] == "nosuchmetric" and rows[0].sync_run_id == run.id


def test_the_next_run_resolves_codes_on_the_units_as_they_now_are(hub: Hub) -> None:
    """A unit's validity corrected between two runs (by hand here; a units load alike) is
    what the next run places codes on: the resolver kept between runs is rebuilt."""
    _script(lambda state, full: iter(_cases(1)))
    assert run_sync(hub, "src").records_written == 3
    with hub.db.session() as session:
        session.execute(
            update(AdminUnit).where(AdminUnit.code == "23281").values(valid_to=date(2024, 1, 31))
        )
    _script(lambda state, full: iter(_cases(2)))
    run = run_sync(hub, "src")
    assert (run.records_written, run.records_quarantined) == (2, 1)
    assert _quarantined(hub) == [(None, "unknown unit '23281' on 2024-02-01")]


def test_a_record_the_database_cannot_hold_is_quarantined_and_the_run_goes_on(hub: Hub) -> None:
    def read(state: dict[str, Any], full: bool) -> Iterator[Item]:
        yield Observation(None, "23281", "2024-01", 1, place="row 1")  # type: ignore[arg-type]
        yield Observation("cases", None, "2024-01", 1, place="row 2")  # type: ignore[arg-type]
        yield Observation("cases", "23281", "2024-01", 1, None, place="row 3")  # type: ignore[arg-type]
        yield Facility("H1", None, "hospital", "23281", place="row 4")  # type: ignore[arg-type]
        yield Event("case", "E1", datetime(2024, 1, 2, tzinfo=UTC), attributes=[], place="row 5")  # type: ignore[arg-type]
        yield from _cases(1)
        yield Checkpoint({"month": 1})

    _script(read)
    run = run_sync(hub, "src")

    assert run.status == RunStatus.PARTIAL and run.error is None
    assert (run.records_read, run.records_written, run.records_quarantined) == (8, 3, 5)
    assert _quarantined(hub) == [
        ("row 1", "metric is missing"),
        ("row 2", "unit is missing"),
        ("row 3", "dims is None, not a mapping of names to values"),
        ("row 4", "name is missing"),
        ("row 5", "attributes is a list, not a mapping of names to values"),
    ]
    assert _state(hub) == {"month": 1}


def test_a_bad_input_of_one_record_read_through_read_each_costs_that_record_only(
    hub: Hub,
) -> None:
    def convert(raw: dict[str, Any]) -> Observation:
        if not isinstance(raw["cases"], int):
            raise BadInput(f"cases {raw['cases']!r} is not a count")
        return Observation("cases", raw["commune"], "2024-01", raw["cases"], {"sex": "F"})

    rows = [{"commune": "23281", "cases": 4}, {"commune": "23284", "cases": "?"}]
    rows.append({"commune": "23287", "cases": 2})

    def read(state: dict[str, Any], full: bool) -> Iterator[Item]:
        for number, row in enumerate(rows, 1):
            yield from read_each(row, convert, f"row {number}")
        yield Checkpoint({"rows": len(rows)})

    _script(read)
    run = run_sync(hub, "src")

    assert (run.status, run.records_written, run.records_quarantined) == (RunStatus.PARTIAL, 2, 1)
    assert _quarantined(hub) == [("row 2", "cases '?' is not a count")]
    assert _state(hub) == {"rows": 3}


def test_a_bad_input_that_escapes_read_is_quarantined_and_ends_the_run_at_it(hub: Hub) -> None:
    def read(state: dict[str, Any], full: bool) -> Iterator[Item]:
        yield from _cases(1)
        yield Checkpoint({"month": 1})
        yield from _cases(2)
        raise BadInput("no values", {"reading": 7}, place="page 2, item 4")

    _script(read)
    run = run_sync(hub, "src")

    assert (run.status, run.attempts) == (RunStatus.FAILED, 1)
    assert "stopped at a bad record (page 2, item 4: no values)" in (run.error or "")
    assert (run.records_read, run.records_written, run.records_quarantined) == (7, 6, 1)
    assert _quarantined(hub) == [("page 2, item 4", "no values")]
    with hub.db.session() as session:
        assert session.scalars(select(QuarantinedRecord.payload)).one() == {"reading": 7}
    assert _count(hub) == 6 and _state(hub) == {"month": 1}  # read again from month 1


def test_a_transient_fault_is_retried_and_the_retry_resumes_from_the_last_checkpoint(
    hub: Hub,
) -> None:
    failures = iter([True])

    def read(state: dict[str, Any], full: bool) -> Iterator[Item]:
        if not state:
            yield from _cases(1)
            yield Checkpoint({"month": 1})
        yield from _cases(2)
        if next(failures, False):
            raise TransientSourceError("503 from the source")
        yield Checkpoint({"month": 2})

    _script(read)
    run = run_sync(hub, "src")
    assert run.status == RunStatus.SUCCEEDED and run.attempts == 2
    assert scripted.READS == [{}, {"month": 1}]
    assert run.records_read == 6 and _count(hub) == 6


def test_a_source_that_stays_down_fails_the_run_and_changes_nothing(hub: Hub) -> None:
    def read(state: dict[str, Any], full: bool) -> Iterator[Item]:
        yield from _cases(1)
        yield BadRecord("bad", {})
        raise TransientSourceError("connection refused")

    _script(read)
    run = run_sync(hub, "src")
    assert run.status == RunStatus.FAILED and run.error == "connection refused"
    assert run.attempts == 3
    assert (_count(hub), _count(hub, QuarantinedRecord), _state(hub)) == (0, 0, None)


def test_a_permanent_fault_fails_at_once(hub: Hub) -> None:
    def read(state: dict[str, Any], full: bool) -> Iterator[Item]:
        raise PermanentSourceError("401 Unauthorized: check the token")
        yield  # pragma: no cover

    _script(read)
    run = run_sync(hub, "src")
    assert (run.status, run.attempts, run.error) == (
        RunStatus.FAILED,
        1,
        "401 Unauthorized: check the token",
    )


def test_a_state_that_grows_without_bound_fails_the_run(hub: Hub) -> None:
    _script(lambda state, full: iter([Checkpoint({"seen": list(range(100_000))})]))
    run = run_sync(hub, "src")
    assert run.status == RunStatus.FAILED and "cursor, not a history" in (run.error or "")
    assert _state(hub) is None


def test_a_connector_bug_fails_the_run_with_its_cause(hub: Hub) -> None:
    def read(state: dict[str, Any], full: bool) -> Iterator[Item]:
        yield from _cases(1)
        raise KeyError("column")

    _script(read)
    run = run_sync(hub, "src")
    assert run.status == RunStatus.FAILED and run.attempts == 1
    assert run.error == "internal error: KeyError: 'column'"


def test_a_value_of_none_retracts_the_observation(hub: Hub) -> None:
    _script(lambda state, full: iter(_cases(1)))
    run_sync(hub, "src")
    _script(
        lambda state, full: iter([Observation("cases", "23281", "2024-01", None, {"sex": "F"})])
    )
    run_sync(hub, "src")
    assert _count(hub) == 2


def test_two_runs_of_one_connector_never_overlap(hub: Hub) -> None:
    _script(lambda state, full: iter(_cases(1)))
    with exclusive(hub.db, "iochub.sync:src") as taken:
        assert taken
        with pytest.raises(RunInProgress):
            run_sync(hub, "src")
    assert run_sync(hub, "src").status == RunStatus.SUCCEEDED


def test_an_unknown_connector_is_a_lookup_error_naming_the_known_ones(hub: Hub) -> None:
    with pytest.raises(LookupError, match="no connector 'nope' \\(known: src\\)"):
        run_sync(hub, "nope")


def test_nul_characters_are_dropped_and_over_long_keys_quarantined(hub: Hub) -> None:
    def read(state: dict[str, Any], full: bool) -> Iterator[Item]:
        yield Observation("cases", "23281", "2024-01", 2, {"sex": "F\x00"})
        yield Observation("cases", "23284", "2024-01", 3, {"sex": "M"}, source_id="x" * 400)

    _script(read)
    run = run_sync(hub, "src")
    assert (run.records_written, run.records_quarantined) == (1, 1)
    with hub.db.session() as session:
        assert session.scalars(select(ObservationRow.dims_key)).all() == ["sex=F"]
        reason = session.scalars(select(QuarantinedRecord.reason)).one()
    assert reason == "source_id is 400 characters long; at most 300 are stored"


def test_a_running_stream_shows_its_warnings_from_its_first_commit_on(hub: Hub) -> None:
    """Another session reads a RUNNING run's warnings and losses before the run ends (a run
    that streams for days, or whose process dies, must not hide them until its end)."""
    committed, release = threading.Event(), threading.Event()

    def stream(state: dict[str, Any], full: bool) -> Iterator[Item]:
        yield from _cases(1)
        yield Notice("the broker dropped 3 messages", lost=3)
        yield Checkpoint({"month": 1}, committed=committed.set)
        release.wait(60)
        yield from _cases(2)
        yield Checkpoint({"month": 2})

    _script(stream)
    runner = threading.Thread(target=run_sync, args=(hub, "src"))
    runner.start()
    try:
        assert committed.wait(60)
        with hub.db.session() as session:
            run = session.scalars(select(SyncRun).where(SyncRun.connector_id == "src")).one()
            assert (run.status, run.warnings) == (
                RunStatus.RUNNING,
                ["the broker dropped 3 messages"],
            )
            assert (run.records_lost, run.records_read) == (3, 3)
    finally:
        release.set()
        runner.join(60)
    with hub.db.session() as session:
        run = session.scalars(select(SyncRun).where(SyncRun.connector_id == "src")).one()
        assert (run.status, run.warnings, run.records_lost) == (
            RunStatus.PARTIAL,
            ["the broker dropped 3 messages"],
            3,
        )


def _dropped(count: int) -> Notice:
    return Notice(f"the broker dropped {count} messages", lost=count, key="gaps")


def _run_row(hub: Hub) -> SyncRun:
    with hub.db.session() as session:
        run = session.scalars(select(SyncRun).where(SyncRun.connector_id == "src")).one()
        session.expunge(run)
    return run


def test_a_keyed_notice_replaces_the_one_before_it_while_the_run_goes_on(hub: Hub) -> None:
    """A stream's count grows: each checkpoint commits its latest total, not a sum of them."""
    committed, release = threading.Event(), threading.Event()

    def stream(state: dict[str, Any], full: bool) -> Iterator[Item]:
        yield from _cases(1)
        yield Notice("Immunization skipped: the server does not have it")
        yield _dropped(2)
        yield Checkpoint({"month": 1})
        yield from _cases(2)
        yield Notice("Immunization skipped: the server does not have it")  # said once
        yield _dropped(5)
        yield Checkpoint({"month": 2}, committed=committed.set)
        release.wait(60)

    _script(stream)
    runner = threading.Thread(target=run_sync, args=(hub, "src"))
    runner.start()
    try:
        assert committed.wait(60)
        running = _run_row(hub)
    finally:
        release.set()
        runner.join(60)
    said = ["Immunization skipped: the server does not have it", "the broker dropped 5 messages"]
    assert (running.status, running.warnings, running.records_lost) == (RunStatus.RUNNING, said, 5)
    finished = _run_row(hub)
    assert (finished.status, finished.warnings, finished.records_lost) == (
        RunStatus.PARTIAL,
        said,
        5,
    )


def test_a_retried_attempt_goes_on_from_the_count_committed_not_from_the_failed_one(
    hub: Hub,
) -> None:
    """The first attempt counts 2 up to its checkpoint and 3 more after it, then fails: those 3
    were about records never committed. The retry reads them again from the checkpoint, finds
    no gap this time, and says nothing more: the run lost the 2 committed, not 5. A message is
    said once however many attempts say it."""
    attempts = iter([1, 2])

    def read(state: dict[str, Any], full: bool) -> Iterator[Item]:
        attempt = next(attempts)
        yield Notice("Immunization skipped: the server does not have it")
        if not state:
            yield from _cases(1)
            yield _dropped(2)
            yield Checkpoint({"month": 1})
        yield from _cases(2)
        if attempt == 1:
            yield _dropped(5)
            raise TransientSourceError("the broker went away")
        yield Checkpoint({"month": 2})

    _script(read)
    run = run_sync(hub, "src")

    assert (run.status, run.attempts, run.records_lost) == (RunStatus.PARTIAL, 2, 2)
    assert run.warnings == [
        "Immunization skipped: the server does not have it",
        "the broker dropped 2 messages",
    ]


def test_a_failed_run_keeps_the_counts_it_committed_not_those_the_next_run_reads_again(
    hub: Hub,
) -> None:
    """What a run counted after its last checkpoint is about records not committed: the next
    run reads them again from that checkpoint and counts them; this one must not too."""

    def read(state: dict[str, Any], full: bool) -> Iterator[Item]:
        yield from _cases(1)
        yield _dropped(2)
        yield Checkpoint({"month": 1})
        yield from _cases(2)
        yield _dropped(5)
        raise PermanentSourceError("the broker refused the session")

    _script(read)
    run = run_sync(hub, "src")

    assert (run.status, run.records_lost, run.warnings) == (
        RunStatus.FAILED,
        2,
        ["the broker dropped 2 messages"],
    )
    assert _state(hub) == {"month": 1}
