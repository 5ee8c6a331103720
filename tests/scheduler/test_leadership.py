"""Leadership and run locks when a process or its database connection goes away."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator

import pytest
from sqlalchemy import create_engine, select, text

from hub.connectors.locks import advisory_key
from hub.connectors.records import Checkpoint, Observation
from hub.connectors.runtime import LOCK_LOST, run_sync
from hub.core import Hub
from hub.model import AdminLevel, AdminUnit, ConnectorState, SyncRun
from hub.model import Observation as ObservationRow
from hub.model.base import utcnow
from hub.plugins.manager import Plugins
from hub.scheduler.leadership import LEADER_LOCK
from hub.scheduler.scheduler import ELECTION_JOB, HubScheduler
from tests.connectors import scripted
from tests.scheduler.replicas import wait_for
from tests.scheduler.support import lock_holders, terminate_holder

CONNECTORS = {
    "hourly": {"plugin": "scripted", "kind": "scripted", "script": "months", "every": "1h"},
    "live": {"plugin": "scripted", "kind": "scripted-stream", "script": "listen"},
}


def listen(state: dict, stop: threading.Event) -> Iterator:
    """A stream that waits for its stop."""
    stop.wait()
    yield Checkpoint(state)


@pytest.fixture
def hub(make_hub: Callable[..., Hub]) -> Iterator[Hub]:
    plugins = Plugins.load(extra=[("scripted", scripted.plugin)])
    hub = make_hub({"connectors": CONNECTORS}, with_plugins=plugins)
    with hub.db.session() as session:
        session.add(AdminUnit(identity="23281@", code="23281", name="X", level=AdminLevel.COMMUNE))
    scripted.SCRIPTS["listen"] = listen
    yield hub
    scripted.SCRIPTS.clear()


def months(state: dict, full: bool) -> Iterator:
    """Cases of months 1 to 6, a checkpoint after each, from where the last run stopped."""
    for month in range(state.get("month", 0) + 1, 7):
        yield Observation("cases", "23281", f"2024-{month:02}", month, {"sex": "F"})
        yield Checkpoint({"month": month})


def stored_months(hub: Hub) -> list[str]:
    with hub.db.session() as session:
        return sorted(session.scalars(select(ObservationRow.period).distinct()))


def jobs(scheduler: HubScheduler) -> set[str]:
    return {job.id for job in scheduler.scheduler.get_jobs()}


def streams(scheduler: HubScheduler) -> list[str]:
    return [thread.name for thread in scheduler.streams.threads if thread.is_alive()]


def test_a_lock_held_on_another_database_is_not_this_databases_holder(
    hub: Hub, backend: str
) -> None:
    """Tests run in parallel, a database each: one must never see or end another's leader."""
    if backend != "postgresql":
        pytest.skip("advisory locks are PostgreSQL's")
    elsewhere = create_engine(hub.db.engine.url.set(database="postgres"))
    try:
        with elsewhere.connect() as connection:
            take = text("SELECT pg_advisory_lock(:k)")
            connection.execute(take, {"k": advisory_key(LEADER_LOCK)})
            assert lock_holders(hub.db.engine.url, LEADER_LOCK) == []
            assert terminate_holder(hub.db.engine.url, LEADER_LOCK) == 0
            assert lock_holders(elsewhere.url, LEADER_LOCK) != []  # the query does see a holder
    finally:
        elsewhere.dispose()


def test_a_leader_whose_connection_is_lost_stands_down_and_another_takes_the_lead(
    hub: Hub, backend: str
) -> None:
    if backend != "postgresql":
        pytest.skip("leader election is a PostgreSQL feature; SQLite deployments are one process")
    first, second = HubScheduler(hub), HubScheduler(hub)
    first.start()
    second.start()
    try:
        assert first.is_leader and not second.is_leader
        assert jobs(second) == {ELECTION_JOB}
        assert (streams(first), streams(second)) == (["stream-live"], [])
        assert terminate_holder(hub.db.engine.url, LEADER_LOCK) == 1
        second.keep_leadership()  # the lock went with the connection: free to take
        first.keep_leadership()  # the first finds its connection lost
        assert second.is_leader and not first.is_leader
        assert jobs(first) == {ELECTION_JOB}
        assert jobs(second) == {"hourly", "reports-compliance", ELECTION_JOB}
        assert (streams(first), streams(second)) == ([], ["stream-live"])
        second.shutdown()
        first.keep_leadership()  # once the lead is free again, the first takes it back
        assert first.is_leader
        assert jobs(first) == {"hourly", "reports-compliance", ELECTION_JOB}
    finally:
        first.shutdown()
        second.shutdown()


def test_a_leader_takes_the_lead_again_once_its_database_is_back(hub: Hub, backend: str) -> None:
    if backend != "postgresql":
        pytest.skip("SQLite has no connection to lose")
    leader = HubScheduler(hub)
    leader.start()
    try:
        assert terminate_holder(hub.db.engine.url, LEADER_LOCK) == 1
        leader.keep_leadership()
        assert leader.is_leader
        assert terminate_holder(hub.db.engine.url, LEADER_LOCK) == 1, "the lead was not held again"
    finally:
        leader.shutdown()


def test_a_run_that_loses_its_lock_stops_and_the_next_goes_on_from_its_checkpoint(
    hub: Hub, backend: str
) -> None:
    if backend != "postgresql":
        pytest.skip("SQLite's run locks are the process's own")

    def losing_its_lock(state: dict, full: bool) -> Iterator:
        for item in months(state, full):
            yield item
            if item == Checkpoint({"month": 2}):
                wait_for_state(hub, {"month": 2})  # committed by the loading thread
                assert terminate_holder(hub.db.engine.url, "iochub.sync:hourly") == 1

    scripted.SCRIPTS["months"] = losing_its_lock
    run = run_sync(hub, "hourly")
    assert (run.status, run.error) == ("FAILED", LOCK_LOST)
    assert stored_months(hub) == ["2024-01", "2024-02"]  # month 3 was read but not committed
    scripted.SCRIPTS["months"] = months
    scripted.READS.clear()
    assert run_sync(hub, "hourly").status == "SUCCEEDED"
    assert scripted.READS == [{"month": 2}]
    assert stored_months(hub) == [f"2024-{m:02}" for m in range(1, 7)]


def leave_a_dead_run(hub: Hub) -> None:
    """A run RUNNING, as a process killed after its checkpoint of April leaves it."""
    with hub.db.session() as session:
        dead = SyncRun(connector_id="hourly", status="RUNNING", trigger="schedule")
        session.add(dead)
        session.flush()
        session.add(ConnectorState(connector_id="hourly", state={"month": 4}, sync_run_id=dead.id))


@pytest.mark.parametrize("died", ["before this process led", "while this process leads"])
def test_the_leader_resumes_at_once_a_run_a_dead_process_left_running(
    hub: Hub, died: str, backend: str
) -> None:
    if died == "while this process leads" and backend != "postgresql":
        pytest.skip("SQLite's run locks are the process's own: a run elsewhere may be alive")
    scripted.SCRIPTS["months"] = months
    scripted.READS.clear()
    scheduler = HubScheduler(hub)
    if died == "before this process led":
        leave_a_dead_run(hub)
        scheduler.start()
    else:  # e.g. an admin's `iochub sync` on another host, killed
        scheduler.start()
        leave_a_dead_run(hub)
        scheduler.keep_leadership()  # what it does every leader_retry_seconds
    try:
        # The resumption is a job of its own: wait for it, boundedly.
        runs = wait_for(lambda: resumed_and_finished(hub), "the dead run to be resumed")
    finally:
        scheduler.shutdown()
    assert stored_months(hub) == ["2024-05", "2024-06"]
    assert [read for read in scripted.READS if read] == [{"month": 4}]  # {}: the stream's
    summary = [(r.trigger, r.status, r.error) for r in runs]
    assert summary == [
        (
            "schedule",
            "FAILED",
            "interrupted: the process running it stopped before it finished; "
            f"run {runs[1].id} went on from its last checkpoint",
        ),
        ("resume", "SUCCEEDED", None),
    ]
    assert runs[0].finished_at is not None and runs[0].finished_at <= utcnow()


def hourly_runs(hub: Hub) -> list[SyncRun]:
    with hub.db.session() as session:
        hourly = select(SyncRun).where(SyncRun.connector_id == "hourly").order_by(SyncRun.id)
        return list(session.scalars(hourly))


def resumed_and_finished(hub: Hub) -> list[SyncRun] | None:
    """The two runs of ``hourly`` once the second (the resumption) has finished."""
    runs = hourly_runs(hub)
    return runs if len(runs) == 2 and runs[1].finished_at else None


def wait_for_state(hub: Hub, state: dict) -> None:
    def reached() -> bool:
        with hub.db.session() as session:
            row = session.get(ConnectorState, "hourly")
            return row is not None and row.state == state

    wait_for(reached, f"the state to become {state}")
