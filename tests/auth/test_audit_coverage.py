"""Every change and every refusal of one is in the audit log, on every route: GraphQL over
real HTTP, the workbook upload, the CLI; a change that starts a run is audited with the
run's start, in its transaction, not after the run."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from hub.model import AuditEntry, SyncRun
from tests.auth.conftest import PRINCIPALS, World
from tests.cli.test_cli import iochub, write_config
from tests.support.api_server import served_api

ADMIN, LEADER, HEALTH = (
    next(w for w in PRINCIPALS if w.label == label)
    for label in (
        "admin",
        "leader",
        "health officer",
    )
)


@pytest.fixture
def url(world: World) -> Iterator[str]:
    with served_api(world.hub) as ws:
        yield ws.replace("ws://", "http://")


def audit_rows(world: World, action: str) -> list[AuditEntry]:
    with world.hub.db.sessions() as session:
        query = select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id)
        return list(session.scalars(query))


def graphql(url: str, world: World, who: Any, query: str) -> dict[str, Any]:
    response = httpx.post(url, json={"query": query}, headers=world.headers(who), timeout=60)
    assert response.status_code == 200, response.text
    return response.json()


def test_a_refused_publication_of_compliance_is_audited(url: str, world: World) -> None:
    query = """mutation { publishReportingCompliance(template: "NO-SUCH-FORM",
      period: "2026-01", within: "51") { period } }"""
    answer = graphql(url, world, LEADER, query)
    (error,) = answer["errors"]
    (row,) = audit_rows(world, "publishReportingCompliance")
    assert (row.actor, row.outcome) == (LEADER.label, error["extensions"]["code"])
    assert row.target["template"] == "NO-SUCH-FORM"


def test_a_connector_run_is_audited_in_the_transaction_that_starts_it(
    url: str, world: World
) -> None:
    answer = graphql(url, world, ADMIN, 'mutation { runConnector(id: "kontum-feedback") { id } }')
    run_id = int(answer["data"]["runConnector"]["id"])
    (row,) = audit_rows(world, "runConnector")
    with world.hub.db.sessions() as session:
        run = session.get_one(SyncRun, run_id)
    assert (row.outcome, row.target["run"]) == ("ok", run_id)
    assert run.started_at <= row.at <= run.finished_at  # written with the start, not after


def test_refused_workbook_uploads_are_audited(url: str, world: World) -> None:
    upload = f"{url.removesuffix('/graphql')}/reports/templates?code=X"
    forbidden = httpx.post(upload, content=b"PK", headers=world.headers(HEALTH))
    bad = httpx.post(upload, content=b"not a workbook", headers=world.headers(ADMIN))
    assert (forbidden.status_code, bad.status_code) == (403, 400)
    rows = audit_rows(world, "uploadReportTemplate")
    assert [(row.actor, row.outcome, row.target) for row in rows] == [
        (HEALTH.label, "FORBIDDEN", {"code": "X"}),
        (ADMIN.label, "BAD_USER_INPUT", {"code": "X"}),
    ]


def test_an_import_from_the_shell_is_audited_with_its_run(
    world: World, db_url: str, tmp_path: Path
) -> None:
    data = tmp_path / "visits.csv"
    data.write_text("metric,unit,period,value\nvisits,23293,2026-01,5\n", encoding="utf-8")
    config = write_config(tmp_path, db_url, '[metrics.visits]\nname = "V"\nsector = "health"\n')
    result = iochub("import", str(data), "--source", "backfill", config=config)
    assert result.returncode == 0, result.stderr
    (row,) = audit_rows(world, "import")
    with world.hub.db.sessions() as session:
        run = session.get_one(SyncRun, row.target["run"])
    assert (row.via, row.target["source"], run.connector_id) == ("cli", "backfill", "backfill")
