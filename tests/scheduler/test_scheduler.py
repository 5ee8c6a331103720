"""The scheduler: jobs per connector, one leader on PostgreSQL, runs never overlapping."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from collections.abc import Callable, Iterator

import pytest
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger
from sqlalchemy import select

from hub.connectors.locks import advisory_key
from hub.connectors.records import Checkpoint
from hub.connectors.runtime import RunInProgress, run_sync
from hub.core import Hub
from hub.model import ConnectorRow, SyncRun
from hub.plugins.manager import Plugins
from hub.scheduler.scheduler import HubScheduler, is_enabled
from hub.scheduler.triggers import parse_interval
from tests.connectors import scripted


@pytest.fixture
def hub(make_hub: Callable[..., Hub]) -> Iterator[Hub]:
    scripted.SCRIPTS["noop"] = lambda state, full: iter([Checkpoint({"at": 1})])
    plugins = Plugins.load(extra=[("scripted", scripted.plugin)])
    yield make_hub(
        {
            "connectors": {
                "cron": {
                    "plugin": "scripted",
                    "kind": "scripted",
                    "script": "noop",
                    "schedule": "*/15 * * * *",
                },
                "interval": {
                    "plugin": "scripted",
                    "kind": "scripted",
                    "script": "noop",
                    "every": "2h",
                },
                "manual": {"plugin": "scripted", "kind": "scripted", "script": "noop"},
            }
        },
        with_plugins=plugins,
    )
    scripted.SCRIPTS.clear()


def _runs(hub: Hub, connector_id: str) -> int:
    with hub.db.session() as session:
        return len(
            session.scalars(select(SyncRun).where(SyncRun.connector_id == connector_id)).all()
        )


def test_each_scheduled_connector_gets_a_job_with_its_trigger(hub: Hub) -> None:
    scheduler = HubScheduler(hub)
    scheduler.start()
    try:
        jobs = {job.id: job for job in scheduler.scheduler.get_jobs()}
        assert set(jobs) == {"cron", "interval", "reports-compliance", "leader-election"}
        assert isinstance(jobs["cron"].trigger, CronTrigger)
        assert isinstance(jobs["interval"].trigger, IntervalTrigger)
        assert jobs["interval"].trigger.interval.total_seconds() == 7200
    finally:
        scheduler.shutdown()


def test_a_job_skips_a_connector_an_admin_disabled(hub: Hub) -> None:
    scheduler = HubScheduler(hub)
    scheduler.run_if_enabled("cron")
    with hub.db.session() as session:
        session.get_one(ConnectorRow, "cron").enabled_override = False
    assert not is_enabled(hub, "cron")
    scheduler.run_if_enabled("cron")
    assert _runs(hub, "cron") == 1


HOLD_LOCK = textwrap.dedent("""
    import sys
    from sqlalchemy import create_engine, text
    engine = create_engine(sys.argv[1])
    with engine.connect() as connection:
        connection.execute(text("SELECT pg_advisory_lock(:k)"), {"k": int(sys.argv[2])})
        connection.commit()
        print("locked", flush=True)
        sys.stdin.read()
""")


def test_a_run_held_by_another_process_is_not_started_twice(hub: Hub, backend: str) -> None:
    if backend != "postgresql":
        pytest.skip("cross-process run locks are PostgreSQL advisory locks")
    url = hub.db.engine.url.render_as_string(hide_password=False)
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD_LOCK, url, str(advisory_key("iochub.sync:manual"))],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout and holder.stdout.readline().strip() == "locked"
        with pytest.raises(RunInProgress):
            run_sync(hub, "manual")
    finally:
        holder.communicate("", timeout=30)
    assert run_sync(hub, "manual").status == "SUCCEEDED"


@pytest.mark.parametrize(
    ("text", "seconds"), [("30s", 30), ("15m", 900), ("6h", 21600), ("1d", 86400)]
)
def test_intervals(text: str, seconds: int) -> None:
    assert parse_interval(text).total_seconds() == seconds


@pytest.mark.parametrize("text", ["0m", "15", "m15", "1w", "soon"])
def test_bad_intervals_are_refused(text: str) -> None:
    with pytest.raises(ValueError, match="is not an interval"):
        parse_interval(text)


def test_a_streaming_connector_runs_until_the_hub_stops_and_restarts_after_a_failure(
    make_hub: Callable[..., Hub], monkeypatch: pytest.MonkeyPatch
) -> None:
    import threading

    from hub.connectors.errors import PermanentSourceError
    from hub.connectors.records import Observation
    from hub.model import AdminLevel, AdminUnit
    from hub.scheduler import streams
    from hub.scheduler.streams import StreamSupervisor

    starts: list[int] = []
    delivered = threading.Event()

    def listen(state: dict, stop: threading.Event) -> Iterator:
        starts.append(1)
        if len(starts) == 1:
            raise PermanentSourceError("broker refused the connection")
        yield Observation("cases", "23281", "2024-01", 4, {"sex": "F"})
        yield Checkpoint({"offset": 1})
        delivered.set()
        stop.wait()

    scripted.SCRIPTS["listen"] = listen
    hub = make_hub(
        {
            "connectors": {
                "live": {"plugin": "scripted", "kind": "scripted-stream", "script": "listen"}
            }
        },
        with_plugins=Plugins.load(extra=[("scripted", scripted.plugin)]),
    )
    with hub.db.session() as session:
        session.add(AdminUnit(identity="23281@", code="23281", name="X", level=AdminLevel.COMMUNE))
    monkeypatch.setattr(streams, "FIRST_PAUSE_SECONDS", 0.01)
    supervisor = StreamSupervisor(hub, is_enabled)
    supervisor.start()
    try:
        assert delivered.wait(30), "the stream was not restarted after its failure"
    finally:
        supervisor.shutdown()
    with hub.db.session() as session:
        statuses = list(
            session.scalars(
                select(SyncRun.status).where(SyncRun.connector_id == "live").order_by(SyncRun.id)
            )
        )
    assert statuses == ["FAILED", "SUCCEEDED"]
    assert len(starts) == 2
