"""``iochub check`` and ``iochub sync`` as an admin runs them, against a real HTTP source."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import func, select

from hub.model import Observation, SyncRun
from hub.model.database import Database
from hub.units.loader import bundled_unit_files
from tests.cli.test_cli import iochub
from tests.plugins.indicators.conftest import SDMX_SAMPLES
from tests.support.http_server import Reply, ScriptedServer

SAMPLE = (SDMX_SAMPLES / "exr-flat.json").read_bytes()


def config_for(tmp_path: Path, db_url: str, url: str) -> Path:
    path = tmp_path / "hub.toml"
    path.write_text(
        f"""
[database]
url = "{db_url}"

[runtime]
retry_attempts = 3
retry_initial_wait = 0
retry_max_wait = 0

[metrics.exchange_rate]
name = "Exchange rate"
sector = "economy"
aggregation = "LAST_AVERAGE_UNITS"
disaggregations = ["currency"]

[connectors.ecb]
plugin = "indicators"
kind = "sdmx-json"
location = "{url}"
metric = "exchange_rate"
unit = "62"
drop_dims = ["FREQ", "CURRENCY_DENOM", "EXR_TYPE", "EXR_SUFFIX"]
""",
        encoding="utf-8",
    )
    return path


def rows(db_url: str, model: type) -> int:
    db = Database(db_url)
    try:
        with db.session() as session:
            return session.scalar(select(func.count()).select_from(model)) or 0
    finally:
        db.dispose()


def test_check_then_sync_then_a_source_that_stays_down(tmp_path: Path, db_url: str) -> None:
    with ScriptedServer() as server:
        server.script("/ecb", Reply(200, body=SAMPLE))
        config = config_for(tmp_path, db_url, server.url("/ecb"))
        districts = [str(p) for p in bundled_unit_files() if "districts" in p.name]
        assert iochub("units", "load", *districts, config=config).returncode == 0

        checked = iochub("check", "ecb", config=config)
        assert checked.returncode == 0, checked.stderr
        assert checked.stdout.startswith("ecb: ok — SDMX-JSON data message")

        synced = iochub("sync", "ecb", config=config)
        assert synced.returncode == 0, synced.stderr
        assert "ecb: SUCCEEDED — 4 read, 4 written, 0 quarantined" in synced.stdout
        assert rows(db_url, Observation) == 4

        server.script("/ecb", Reply(503, body=b"maintenance"))
        failed = iochub("sync", "ecb", "--full", config=config)
        assert failed.returncode == 1
        assert "ecb: FAILED" in failed.stdout and "503" in failed.stderr
        assert len(server.requests_for("/ecb")) == 2 + 3  # check, sync, then three attempts
        assert rows(db_url, Observation) == 4  # the failed run changed nothing
        assert rows(db_url, SyncRun) == 2

        listed = iochub("connectors", config=config)
        assert "FAILED" in listed.stdout and "sdmx-json" in listed.stdout


def test_check_of_an_unreachable_source_is_one_line(tmp_path: Path, db_url: str) -> None:
    config = config_for(tmp_path, db_url, "http://127.0.0.1:9/nothing-listens-here")
    result = iochub("check", "ecb", config=config)
    assert result.returncode == 2
    assert result.stderr.startswith("error: ") and "Traceback" not in result.stderr
