"""The ``iochub`` command as a user runs it: a real process, real files, one-line errors."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from hub.units.loader import bundled_unit_files
from tests.support.ports import reserved_port

IOCHUB = [sys.executable, "-m", "hub.cli"]


def iochub(
    *args: str, config: Path | None = None, cwd: Path | None = None, path: Path | None = None
) -> subprocess.CompletedProcess[str]:
    """Run ``iochub``; ``path`` is put on ``PYTHONPATH`` (a plugin installed there is found)."""
    env = {k: v for k, v in os.environ.items() if k != "IOCHUB_CONFIG"}
    if config:
        env["IOCHUB_CONFIG"] = str(config)
    if path:
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(path), env.get("PYTHONPATH")]))
    return subprocess.run(
        [*IOCHUB, *args], capture_output=True, text=True, env=env, cwd=cwd, timeout=300
    )


def write_config(tmp_path: Path, db_url: str, extra: str = "") -> Path:
    path = tmp_path / "hub.toml"
    path.write_text(f'[database]\nurl = "{db_url}"\n{extra}', encoding="utf-8")
    return path


def test_plugins_lists_the_built_in_plugins() -> None:
    result = iochub("plugins")
    assert result.returncode == 0, result.stderr
    assert "indicators" in result.stdout and "sdmx-json" in result.stdout


def test_a_bad_config_lists_every_problem_in_one_message_without_a_traceback(
    tmp_path: Path,
) -> None:
    config = tmp_path / "bad.toml"
    config.write_text(
        '[server]\nport = "eighty"\n'
        '[connectors.a]\nplugin = "nosuch"\nkind = "x"\n'
        '[connectors.b]\nplugin = "indicators"\nkind = "sdmx-json"\nlocation = "${NO_SUCH_VAR_X}"\n'
        '[metrics.m]\nname = "M"\nsector = "s"\naggregation = "MEDIAN"\n'
    )
    result = iochub("connectors", config=config)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert "server.port" in result.stderr
    assert "metrics.m.aggregation" in result.stderr
    assert "NO_SUCH_VAR_X" in result.stderr
    assert result.stderr.startswith("error: ")


def test_a_config_with_a_bad_connector_says_which_and_why(tmp_path: Path) -> None:
    config = tmp_path / "bad.toml"
    config.write_text(
        '[connectors.a]\nplugin = "nosuch"\nkind = "x"\n'
        '[connectors.b]\nplugin = "indicators"\nkind = "nokind"\n'
        '[connectors.c]\nplugin = "indicators"\nkind = "sdmx-json"\n'
        'location = "x"\nevery = "soon"\n'
    )
    result = iochub("connectors", config=config)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "connectors.a: no plugin 'nosuch' is installed" in result.stderr
    assert "connectors.b: plugin 'indicators' has no connector kind 'nokind'" in result.stderr
    assert "connectors.c.schedule: 'soon' is not an interval" in result.stderr


def test_a_missing_config_file_is_one_clear_line(tmp_path: Path) -> None:
    result = iochub("connectors", "--config", str(tmp_path / "nope.toml"))
    assert result.returncode == 2 and "Traceback" not in result.stderr


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("mysql://root@127.0.0.1/hub", "not 'mysql' (use sqlite:/// or postgresql://)"),
        ("sqlite:", "database.url: not a database URL"),
    ],
)
def test_a_database_the_hub_cannot_run_on_is_refused_by_the_config(
    tmp_path: Path, url: str, expected: str
) -> None:
    result = iochub("connectors", config=write_config(tmp_path, url))
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert expected in result.stderr


@pytest.fixture
def unused_port() -> Iterator[int]:
    """A port nothing listens on (reserved: nobody starts a server there meanwhile)."""
    with reserved_port() as port:
        yield port


def test_a_database_that_cannot_be_opened_is_one_line_without_its_password(
    tmp_path: Path, unused_port: int
) -> None:
    missing_directory = f"sqlite:///{tmp_path / 'no' / 'such' / 'dir' / 'hub.db'}"
    result = iochub("connectors", config=write_config(tmp_path, missing_directory))
    assert result.returncode == 2
    assert result.stderr == (
        f"error: cannot open the database {missing_directory}: unable to open database file\n"
    )
    no_server = f"postgresql://hub:s3cret@127.0.0.1:{unused_port}/hub"
    result = iochub("db", "upgrade", config=write_config(tmp_path, no_server))
    assert result.returncode == 2 and "Traceback" not in result.stderr
    where = f"postgresql+psycopg://hub:***@127.0.0.1:{unused_port}/hub"
    assert result.stderr.startswith(f"error: cannot open the database {where}: ")
    assert "s3cret" not in result.stderr and len(result.stderr.splitlines()) == 1


def test_a_port_in_use_is_refused_before_any_work(tmp_path: Path, db_url: str) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        expected = f"error: cannot listen on 127.0.0.1:{port}: Address already in use"
        demo_database = tmp_path / "demo.db"
        demo = iochub("demo", "--port", str(port), "--database", str(demo_database))
        serve = iochub("serve", "--port", str(port), config=write_config(tmp_path, db_url))
    for result in (demo, serve):
        assert result.returncode == 2 and result.stderr.startswith(expected), result.stderr
    assert not demo_database.exists()  # refused before the demo built anything


def test_sync_of_an_unknown_connector_names_the_known_ones(tmp_path: Path, db_url: str) -> None:
    result = iochub("sync", "nope", config=write_config(tmp_path, db_url))
    assert result.returncode == 2
    assert result.stderr.strip() == "error: no connector 'nope' (known: none is configured)"


def test_import_loads_valid_rows_and_quarantines_the_rest(tmp_path: Path, db_url: str) -> None:
    config = write_config(
        tmp_path,
        db_url,
        '[metrics.cases]\nname = "Cases"\nsector = "health"\ndisaggregations = ["sex"]\n',
    )
    files = [
        str(p) for p in bundled_unit_files() if "districts" in p.name or "communes_2025" in p.name
    ]
    assert iochub("units", "load", *files, config=config).returncode == 0
    data = tmp_path / "obs.csv"
    data.write_text(
        "metric,unit,period,value,sex\n"
        "cases,608,2024-01,12,F\n"
        "cases,608,2024-01,10,M\n"
        "cases,608,2024-02,x,M\n"
        "cases,99999,2024-01,1,M\n",
        encoding="utf-8",
    )
    result = iochub("import", str(data), "--source", "backfill", config=config)
    assert result.returncode == 3, result.stderr  # partial: some rows quarantined
    assert "4 read, 2 written, 2 quarantined" in result.stdout
    again = iochub("import", str(data), "--source", "backfill", config=config)
    assert "4 read, 2 written, 2 quarantined" in again.stdout


@pytest.mark.parametrize("args", [["units", "load"], ["import", "/no/such/file.csv"]])
def test_usage_mistakes_do_not_print_a_traceback(
    args: list[str], tmp_path: Path, db_url: str
) -> None:
    result = iochub(*args, config=write_config(tmp_path, db_url))
    assert result.returncode == 2 and "Traceback" not in result.stderr


def test_rollups_rebuild_restores_what_was_changed_behind_the_hubs_back(
    tmp_path: Path, db_url: str
) -> None:
    from datetime import date

    from sqlalchemy import create_engine, text

    from hub.aggregation import AggregateRequest, aggregate
    from hub.config import load_settings
    from hub.core import Hub
    from hub.periods import PeriodType

    config = write_config(tmp_path, db_url, '[metrics.cases]\nname = "Cases"\nsector = "health"\n')
    files = [
        str(p) for p in bundled_unit_files() if "districts" in p.name or "communes_2025" in p.name
    ]
    assert iochub("units", "load", *files, config=config).returncode == 0
    data = tmp_path / "obs.csv"
    data.write_text("metric,unit,period,value\ncases,608,2024-01,5\ncases,608,2024-02,7\n")
    assert iochub("import", str(data), config=config).returncode == 0
    engine = create_engine(db_url)
    with engine.begin() as connection:  # a correction made by hand, in SQL
        connection.execute(text("UPDATE observations SET value = 100 WHERE period = '2024-02'"))
    engine.dispose()

    result = iochub("rollups", "rebuild", "cases", config=config)
    assert result.returncode == 0, result.stderr
    assert "roll-ups rebuilt for 1 metric(s)" in result.stdout
    hub = Hub.create(load_settings(str(config)))
    try:
        request = AggregateRequest(
            "cases",
            PeriodType.QUARTER,
            "2024-Q1",
            "2024-Q1",
            units=("608",),
            as_of=date(2024, 6, 1),
        )
        assert [value.value for value in aggregate(hub.db, request)] == [105.0]
    finally:
        hub.close()

    unknown = iochub("rollups", "rebuild", "cases", "nope", config=config)
    assert unknown.returncode == 2 and "Traceback" not in unknown.stderr
    assert "unknown metric(s) nope" in unknown.stderr


def test_import_of_retired_commune_codes_adds_them_up_on_their_successor(
    tmp_path: Path, db_url: str
) -> None:
    from datetime import date

    from hub.aggregation import AggregateRequest, aggregate
    from hub.config import load_settings
    from hub.core import Hub
    from hub.periods import PeriodType

    config = write_config(tmp_path, db_url, '[metrics.m]\nname = "M"\nsector = "health"\n')
    files = [str(p) for p in bundled_unit_files()]  # the legacy map, the 2025 map, successions
    assert iochub("units", "load", *files, config=config).returncode == 0
    data = tmp_path / "obs.csv"
    # 23281, 23287 and 23290 all went into 23293 (Phường Kon Tum) on 1 July 2025
    data.write_text(
        "metric,unit,period,value\nm,23281,2026-04,5\nm,23287,2026-04,7\nm,23290,2026-04,11\n"
        "m,23281,2026-04,6\n",  # the same key again: a duplicate, the later one kept
        encoding="utf-8",
    )

    result = iochub("import", str(data), "--source", "legacy", config=config)

    assert result.returncode == 0, result.stderr
    assert "4 read, 3 written, 0 quarantined, 0 skipped, 1 duplicate" in result.stdout
    assert "placed through successions: 3 records" in result.stdout
    assert "duplicates: 1 records repeated the key" in result.stdout
    hub = Hub.create(load_settings(config))
    try:
        request = AggregateRequest(
            "m", PeriodType.MONTH, "2026-04", "2026-04", units=("23293",), as_of=date(2026, 4, 1)
        )
        (value,) = aggregate(hub.db, request)
    finally:
        hub.close()
    assert value.value == 6 + 7 + 11
