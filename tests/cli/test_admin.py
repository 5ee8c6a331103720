"""The admin's commands on the day something breaks: connectors with their next run and whole
errors, turning one off (audited), a connector's runs, ``config check``, the log's format."""

from __future__ import annotations

import contextlib
import json
import os
import re
import signal
import subprocess
import time
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx
import pytest

from hub.auth import audit
from hub.cli.connectors import print_runs
from hub.core import Hub
from hub.model import ConnectorRow, RunStatus, SyncRun
from hub.model.database import Database
from tests.cli.test_cli import IOCHUB, iochub, write_config
from tests.cli.test_sync_cli import config_for
from tests.support.http_server import Reply, ScriptedServer
from tests.support.ports import reserved_port

LONG_PATH = "/statistics/" + "exchange-rates-" * 8 + "daily.json"


def ecb_config(tmp_path: Path, db_url: str, url: str) -> Path:
    """The ECB connector of ``iochub sync``'s tests, every hour."""
    path = config_for(tmp_path, db_url, url)
    with path.open("a", encoding="utf-8") as config:
        config.write('every = "1h"\n')  # [connectors.ecb] is the file's last table
    return path


def test_connectors_runs_and_a_connector_turned_off_from_the_shell(
    tmp_path: Path, db_url: str
) -> None:
    with ScriptedServer() as server:
        server.script(LONG_PATH, Reply(503, body=b"maintenance"))
        config = ecb_config(tmp_path, db_url, server.url(LONG_PATH))
        assert iochub("sync", "ecb", config=config).returncode == 1

    listed = json.loads(iochub("connectors", "--json", config=config).stdout)
    [ecb] = listed
    run = ecb["last_run"]
    assert run["status"] == "FAILED" and LONG_PATH in run["error"] and len(run["error"]) > 120
    started = datetime.fromisoformat(run["started_at"])
    assert datetime.fromisoformat(ecb["next_run"]) == started + timedelta(hours=1)

    shown = iochub("connectors", config=config)
    assert shown.returncode == 0, shown.stderr
    assert f"ecb: {run['error']}\n" in shown.stdout  # whole, not cut at a column
    next_in_vietnam = (started + timedelta(hours=1)).astimezone(ZoneInfo("Asia/Ho_Chi_Minh"))
    assert next_in_vietnam.strftime("%Y-%m-%d %H:%M +0700") in shown.stdout

    history = iochub("runs", "ecb", config=config)
    assert history.returncode == 0, history.stderr
    assert f"run {run['id']}: {run['error']}\n" in history.stdout
    [same] = json.loads(iochub("runs", "ecb", "--json", config=config).stdout)
    assert same == run

    disabled = iochub("connector", "disable", "ecb", config=config)
    assert disabled.returncode == 0, disabled.stderr
    [ecb] = json.loads(iochub("connectors", "--json", config=config).stdout)
    assert ecb["enabled"] is False and ecb["next_run"] is None
    db = Database(db_url)
    try:
        with db.session() as session:
            [entry] = audit.entries(session, action="setConnectorEnabled")
            assert entry.target == {"id": "ecb", "enabled": False}
            assert entry.via == "cli" and entry.actor.endswith("(shell)")
    finally:
        db.dispose()
    assert iochub("connector", "enable", "ecb", config=config).returncode == 0
    assert json.loads(iochub("connectors", "--json", config=config).stdout)[0]["enabled"]

    unknown = iochub("connector", "disable", "nosuch", config=config)
    assert unknown.returncode == 2
    assert unknown.stderr == "error: no connector 'nosuch' (known: ecb)\n"


FOUR_MISTAKES = """
[database]
url = "sqlite:///{database}"

[connectors.police-accidents]
plugin = "indicators"
kind = "sdmx-json"
location = "https://police.example/api/accidents.json"
token = "${{POLICE_TOKEN_NOT_SET}}"
metric = "grdp"
unit = "62"

[connectors.ecb]
plugin = "indicators"
kind = "sdmx-json"
locaton = "https://ecb.example/data.json"
metric = "grdp"
unit = "62"

[connectors.schools]
plugin = "schooling"
kind = "csv"

[connectors.hospitals]
plugin = "indicators"
kind = "sdmx-json"
location = "https://health.example/data.json"
metric = "grdp"
unit = "62"
schedule = "0 25 * * *"
"""


def test_config_check_tells_every_mistake_of_a_file_in_one_round(tmp_path: Path) -> None:
    database = tmp_path / "hub.db"
    config = tmp_path / "hub.toml"
    config.write_text(FOUR_MISTAKES.format(database=database), encoding="utf-8")
    result = iochub("config", "check", config=config)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    for where, why in [
        ("connectors.police-accidents.token", "the environment variable POLICE_TOKEN_NOT_SET"),
        ("connectors.ecb.locaton", "unknown setting"),
        ("connectors.schools", "no plugin 'schooling' is installed"),
        ("connectors.hospitals.schedule", "'0 25 * * *' is not a cron expression"),
    ]:
        assert f"  - {where}: {why}" in result.stderr
    assert not database.exists()  # checked without opening the database

    config.write_text(f'[database]\nurl = "sqlite:///{database}"\n', encoding="utf-8")
    fine = iochub("config", "check", config=config)
    assert fine.returncode == 0 and fine.stdout.startswith(f"{config}: ok")
    assert not database.exists()


def test_logs_are_quiet_by_default_and_json_lines_in_the_hubs_zone(
    tmp_path: Path, db_url: str
) -> None:
    config = ecb_config(tmp_path, db_url, "http://127.0.0.1:9/nothing-listens")
    quiet = iochub("sync", "ecb", config=config)
    assert [line for line in quiet.stderr.splitlines() if " INFO " in line] == []
    logged = iochub("-v", "--log-format", "json", "sync", "ecb", config=config)
    lines = [json.loads(line) for line in logged.stderr.splitlines() if line.startswith("{")]
    retried = [line for line in lines if line["level"] == "WARNING"]
    assert retried and "attempt 1 failed" in retried[0]["message"]
    assert {line["logger"] for line in lines} >= {"hub.connectors.runtime"}
    assert all(line["time"].endswith("+07:00") for line in lines)


def test_demo_without_serving_tells_its_progress_and_no_address(tmp_path: Path) -> None:
    result = iochub("demo", "--no-serve", "--database", str(tmp_path / "demo.db"))
    assert result.returncode == 0, result.stderr
    assert "http://" not in result.stdout and "Open " not in result.stdout
    assert "not served (--no-serve)" in result.stdout
    filed = [line for line in result.stdout.splitlines() if line.startswith("reports 20")]
    assert len(filed) == 6 and all(line.endswith(("…", "done")) for line in filed)


@pytest.fixture
def port() -> Iterator[int]:
    """The port ``iochub serve`` is to listen on, kept from other processes until then."""
    with reserved_port() as port:
        yield port


def test_serve_logs_in_one_format_from_start_to_end(tmp_path: Path, db_url: str, port: int) -> None:
    config = write_config(tmp_path, db_url, "[auth]\nrequired = false\n")
    env = {k: v for k, v in os.environ.items() if k != "IOCHUB_CONFIG"}
    serving = subprocess.Popen(
        [*IOCHUB, "serve", "--port", str(port), "--config", str(config)],
        stderr=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        text=True,
        env=env,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(600):
            with contextlib.suppress(httpx.TransportError):
                if httpx.get(f"{base}/health/live").status_code == 200:
                    break
            time.sleep(0.1)
        query = {"query": "query ServedHere { connectors { id } }"}
        assert httpx.post(f"{base}/graphql", json=query).status_code == 200
    finally:
        serving.send_signal(signal.SIGINT)
        _, stderr = serving.communicate(timeout=60)
    lines = [line for line in stderr.splitlines() if line.strip()]
    stamped = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+07:00 (INFO|WARNING|ERROR) ")
    assert lines and all(stamped.match(line) for line in lines), stderr
    assert any("hub.access" in line and "operation=ServedHere" in line for line in lines)
    assert any(line.endswith("scheduled reports-compliance: 30 0 * * *") for line in lines)


def test_runs_show_what_a_running_stream_lost_and_its_warnings_whole(
    make_hub: Callable[..., Hub], capsys: pytest.CaptureFixture[str]
) -> None:
    """A stream commits its losses with each checkpoint: ``iochub runs`` shows them while it
    is still RUNNING, the count in its column, each warning whole under the table."""
    hub = make_hub()
    warning = "the broker dropped 2 messages (gaps in their 'seq' numbers): " + "x" * 120
    with hub.db.session() as session:
        session.add(ConnectorRow(id="cams", plugin="traffic", kind="mqtt", enabled=True))
        session.flush()
        running = SyncRun(
            connector_id="cams",
            status=RunStatus.RUNNING,
            trigger="schedule",
            records_read=5,
            records_written=3,
            records_duplicate=1,
            records_lost=2,
            warnings=[warning],
        )
        session.add(running)
        session.flush()
        run_id = running.id

    print_runs(hub, "cams", 20, as_json=False)
    shown = capsys.readouterr().out
    print_runs(hub, "cams", 20, as_json=True)
    [data] = json.loads(capsys.readouterr().out)

    header = next(line for line in shown.splitlines() if "trigger" in line)
    assert re.search(r"\bquarantined\b.*\bduplicates\b.*\blost\b", header), shown
    assert f"run {run_id}: warning: {warning}\n" in shown
    assert (data["status"], data["lost"], data["warnings"]) == ("RUNNING", 2, [warning])
    assert data["duplicates"] == 1
