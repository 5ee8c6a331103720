"""Scope and exposure over real HTTP: a token limited to sectors reads no reports (nor their
workbooks); production hides the schema's names from error messages; a token's lifetime in
hours."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import httpx
from sqlalchemy import select

from hub.auth.principal import Role
from hub.core import Hub
from hub.model import ApiToken
from tests.auth.conftest import AUTH_CONFIG, World
from tests.auth.support import bearer, mint
from tests.cli.test_cli import iochub, write_config
from tests.support.api_server import served_api

REPORT = """{ report(template: "KTXH-XA-THANG", unit: "23368", period: "2026-03") { status } }"""


def test_a_service_limited_to_sectors_reads_no_reports(world: World) -> None:
    traffic = mint(world.hub, "traffic wall", Role.SERVICE, sectors=("traffic",))
    everything = mint(world.hub, "archive", Role.SERVICE)
    with served_api(world.hub) as ws:
        base = ws.replace("ws://", "http://")
        workbook = f"{base.removesuffix('/graphql')}/reports/KTXH-XA-THANG/23368/2026-03.xlsx"
        answers = {
            name: (
                httpx.post(base, json={"query": REPORT}, headers=bearer(secret)).json(),
                httpx.get(workbook, headers=bearer(secret)).status_code,
            )
            for name, secret in (("traffic", traffic), ("everything", everything))
        }
    report, xlsx = answers["traffic"]
    assert [error["extensions"]["code"] for error in report["errors"]] == ["FORBIDDEN"]
    assert xlsx == 403
    report, xlsx = answers["everything"]
    assert "errors" not in report and xlsx == 200


def test_production_suggests_no_names_of_the_schema(
    world: World, make_hub: Callable[..., Hub]
) -> None:
    messages = {}
    for production in (False, True):
        config = {**AUTH_CONFIG, "auth": {"required": True, "production": production}}
        hub = make_hub(config, with_plugins=world.hub.plugins)
        with served_api(hub) as ws:
            answer = httpx.post(ws.replace("ws://", "http://"), json={"query": "{ metrcs }"})
        (error,) = answer.json()["errors"]
        assert error["extensions"]["code"] == "BAD_USER_INPUT"
        messages[production] = error["message"]
    assert messages == {
        False: "Cannot query field 'metrcs' on type 'Query'. Did you mean 'metrics'?",
        True: "Cannot query field 'metrcs' on type 'Query'.",
    }


def test_a_token_may_live_a_few_hours(world: World, db_url: str, tmp_path: Path) -> None:
    config = write_config(tmp_path, db_url)
    made = iochub(
        "token", "create", "--role", "leader", "--name", "on.duty", "--hours", "2", config=config
    )
    assert made.returncode == 0, made.stderr
    both = iochub(
        "token", "create", "--role", "leader", "--hours", "2", "--days", "1", config=config
    )
    assert both.returncode == 2 and "give --days or --hours, not both" in both.stderr
    with world.hub.db.sessions() as session:
        row = session.scalars(select(ApiToken).where(ApiToken.name == "on.duty")).one()
    assert row.expires_at - row.created_at == timedelta(hours=2)
