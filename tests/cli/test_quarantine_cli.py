"""``iochub quarantine list|show|discard|retry`` as an admin runs them: real processes."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import create_engine, text

from hub.units.loader import bundled_unit_files
from tests.cli.test_cli import iochub, write_config

DEATHS = '[metrics.deaths]\nname = "Deaths"\nsector = "health"\n'


def quarantine_ids(db_url: str) -> list[int]:
    engine = create_engine(db_url)
    with engine.connect() as connection:
        ids = list(connection.scalars(text("SELECT id FROM quarantine ORDER BY id")))
    engine.dispose()
    return ids


def test_a_record_rejected_twice_is_listed_once_then_retried_under_the_new_config(
    tmp_path: Path, db_url: str
) -> None:
    config = write_config(tmp_path, db_url)
    districts = [str(p) for p in bundled_unit_files() if "districts" in p.name]
    assert iochub("units", "load", *districts, config=config).returncode == 0
    data = tmp_path / "deaths.csv"
    data.write_text("metric,unit,period,value\ndeaths,608,2024-01,3\n", encoding="utf-8")
    for _ in range(2):  # a nightly import of a metric the hub does not define yet
        assert iochub("import", str(data), "--source", "vital", config=config).returncode == 3

    listed = iochub("quarantine", "list", config=config)
    (record_id,) = quarantine_ids(db_url)
    shown = iochub("quarantine", "show", str(record_id), config=config)
    write_config(tmp_path, db_url, DEATHS)  # the admin defines the metric
    retried = iochub("quarantine", "retry", str(record_id), config=config)
    after = iochub("quarantine", "list", config=config)

    assert listed.returncode == 0, listed.stderr
    assert "2×" in listed.stdout and "unknown metric 'deaths'" in listed.stdout
    assert shown.returncode == 0, shown.stderr
    assert "seen:       2 times" in shown.stdout and '"metric": "deaths"' in shown.stdout
    assert retried.returncode == 0, retried.stderr
    assert retried.stdout.startswith("1 stored, 0 still quarantined")
    assert after.stdout.strip() == "nothing is quarantined"
    engine = create_engine(db_url)
    with engine.connect() as connection:
        value = connection.scalar(text("SELECT value FROM observations WHERE period = '2024-01'"))
        actions = list(connection.scalars(text("SELECT action FROM audit_log")))
    engine.dispose()
    assert value == 3.0 and actions == ["retryQuarantined"]


def test_discard_removes_records_and_an_unknown_id_is_one_line(tmp_path: Path, db_url: str) -> None:
    config = write_config(tmp_path, db_url)
    data = tmp_path / "deaths.csv"
    data.write_text(
        "metric,unit,period,value\ndeaths,608,2024-01,3\ndeaths,608,2024-02,4\n",
        encoding="utf-8",
    )
    iochub("import", str(data), "--source", "vital", config=config)
    first, _ = quarantine_ids(db_url)

    unknown = iochub("quarantine", "discard", str(first), "424242", config=config)
    discarded = iochub("quarantine", "discard", "--connector", "vital", config=config)

    assert unknown.returncode == 2
    assert unknown.stderr.strip() == "error: no quarantined records 424242"
    assert discarded.stdout.strip() == "2 quarantined records discarded"
    assert quarantine_ids(db_url) == []
