"""``/health``, ``/health/live`` and ``/health/ready`` tell the truth, and a failed scheduled
run is logged at ERROR with its reason."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from alembic.script import ScriptDirectory
from litestar.testing import TestClient
from sqlalchemy import text
from sqlalchemy.engine import make_url

from hub.core import Hub
from hub.graphql.app import create_app
from hub.model import ConnectorRow, RunStatus, SyncRun
from hub.model.base import utcnow
from hub.model.migrations import alembic_config
from hub.observability.health import connector_troubles
from hub.scheduler.scheduler import HubScheduler
from tests.observability.conftest import SAMPLE, ecb_config
from tests.support.http_server import Reply, ScriptedServer
from tests.support.tcp_proxy import TcpProxy


def ran_at(hub: Hub, started: datetime) -> None:
    """Record a successful scheduled run of ``ecb`` that started at ``started``."""
    with hub.db.session() as session:
        session.add(
            SyncRun(
                connector_id="ecb",
                status=RunStatus.SUCCEEDED,
                trigger="schedule",
                started_at=started,
                finished_at=started + timedelta(minutes=1),
            )
        )


def test_a_failed_scheduled_run_is_logged_at_error_with_its_reason(
    hub: Hub, source: ScriptedServer, caplog: pytest.LogCaptureFixture
) -> None:
    source.script("/ecb", Reply(503, body=b"maintenance"))
    with caplog.at_level(logging.INFO):
        HubScheduler(hub).run_if_enabled("ecb")
    errors = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert len(errors) == 1
    assert errors[0].name == "hub.scheduler.scheduler"
    assert "ecb" in errors[0].getMessage() and "503" in errors[0].getMessage()


def test_health_is_degraded_while_the_last_run_failed_and_ok_once_one_succeeds(
    hub: Hub, source: ScriptedServer
) -> None:
    scheduler = HubScheduler(hub)
    with TestClient(create_app(hub)) as client:
        assert client.get("/health").json() == {"status": "ok", "database": "ok"}
        source.script("/ecb", Reply(503, body=b"maintenance"))
        scheduler.run_if_enabled("ecb")
        response = client.get("/health")
        assert response.status_code == 200
        body = response.json()
        assert body["status"] == "degraded"
        [trouble] = body["connectors"]
        assert trouble["id"] == "ecb" and trouble["problem"] == "failed"
        assert "503" in trouble["detail"]
        assert client.get("/health/live").json() == {"status": "ok"}
        assert client.get("/health/ready").status_code == 200

        source.script("/ecb", Reply(200, body=SAMPLE))
        scheduler.run_if_enabled("ecb")
        assert client.get("/health").json() == {"status": "ok", "database": "ok"}


def test_a_connector_is_overdue_after_twice_its_interval_without_a_run(hub: Hub) -> None:
    now = utcnow()
    ran_at(hub, now - timedelta(hours=2, minutes=30))
    # Due an hour after it started (1h30 ago); overdue two intervals later, in 30 minutes.
    assert connector_troubles(hub, now) == []
    [late] = connector_troubles(hub, now + timedelta(minutes=31))
    assert late.connector == "ecb" and late.problem == "overdue"
    assert late.since == now - timedelta(hours=2, minutes=30) + timedelta(hours=3)
    with hub.db.session() as session:
        session.get_one(ConnectorRow, "ecb").enabled_override = False
    assert connector_troubles(hub, now + timedelta(minutes=31)) == []  # disabled: not due


def test_ready_is_503_while_a_migration_is_pending(hub: Hub) -> None:
    scripts = ScriptDirectory.from_config(alembic_config(hub.plugins.migration_locations()))
    with hub.db.session() as session:
        newest = scripts.get_revision(
            session.scalar(text("SELECT version_num FROM alembic_version"))
        )
    with TestClient(create_app(hub)) as client:
        assert client.get("/health/ready").json() == {
            "status": "ok",
            "database": "ok",
            "migrations": "ok",
        }
        with hub.db.session() as session:  # as if the hub were upgraded but not its database
            session.execute(
                text("UPDATE alembic_version SET version_num = :older WHERE version_num = :newest"),
                {"older": newest.down_revision, "newest": newest.revision},
            )
        response = client.get("/health/ready")
        assert response.status_code == 503
        assert response.json()["migrations"] == "pending"
        assert response.json()["pending"] == [newest.revision]


def test_ready_is_503_while_the_database_is_unreachable_and_recovers_without_a_restart(
    make_hub: Callable[..., Hub], db_url: str, backend: str
) -> None:
    if backend != "postgresql":
        pytest.skip("a database server to lose: PostgreSQL (SQLite is a file in the process)")
    url = make_url(db_url)
    with TcpProxy(url.host or "127.0.0.1", url.port or 5432) as proxy:
        through = url.set(port=proxy.port).render_as_string(hide_password=False)
        hub = make_hub({"database": {"url": through}})
        with TestClient(create_app(hub)) as client:
            assert client.get("/health/ready").status_code == 200
            proxy.cut()
            for path in ("/health/ready", "/health"):
                response = client.get(path)
                assert response.status_code == 503
                assert response.json()["database"] == "unreachable"
            assert client.get("/health/live").status_code == 200
            proxy.restore()
            assert client.get("/health/ready").status_code == 200
            assert client.get("/health").json()["status"] == "ok"


def test_a_daily_connector_is_overdue_two_days_after_the_run_it_missed(
    make_hub: Callable[..., Hub], source: ScriptedServer
) -> None:
    config = ecb_config(source.url("/ecb"), every=None, schedule="0 2 * * *")
    hub = make_hub(config)
    vietnam = ZoneInfo("Asia/Ho_Chi_Minh")
    ran_at(hub, datetime(2026, 3, 1, 2, 0, tzinfo=vietnam))
    # Due on 2 March at 02:00; overdue two days later, on 4 March at 02:00 (Vietnam's time).
    assert connector_troubles(hub, datetime(2026, 3, 4, 1, 59, tzinfo=vietnam)) == []
    [late] = connector_troubles(hub, datetime(2026, 3, 4, 2, 1, tzinfo=vietnam))
    assert late.problem == "overdue" and late.since == datetime(2026, 3, 4, 2, 0, tzinfo=vietnam)
