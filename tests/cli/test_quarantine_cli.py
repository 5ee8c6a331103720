"""``iochub quarantine list|show|discard|retry`` as an admin runs them: real processes."""

from __future__ import annotations

import json
import textwrap
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
    assert value == 3.0 and actions == ["import", "import", "retryQuarantined"]


LINES_PLUGIN = textwrap.dedent("""
    import json

    from hub.connectors.base import Connector, ConnectorConfig
    from hub.connectors.errors import BadInput
    from hub.connectors.records import Checkpoint, Observation, read_each
    from hub.plugins import hookimpl


    class LinesConfig(ConnectorConfig):
        path: str


    def deaths(raw):
        if not isinstance(raw["value"], int):
            raise BadInput(f"value {raw['value']!r} is not a number")
        return Observation("deaths", "608", raw["period"], raw["value"])


    class Lines(Connector[LinesConfig]):
        kind = "lines"

        def read(self, state, full):
            for raw in self._today().values():
                yield from read_each(raw, deaths, f"record {raw['id']}")
            yield Checkpoint({})

        def reread(self, payload, place):
            yield deaths(self._today()[payload["id"]])

        def _today(self):
            with open(self.config.path, encoding="utf-8") as source:
                return {raw["id"]: raw for raw in json.load(source)}


    @hookimpl
    def register_connector_kinds():
        return [Lines]
""")
"""A plugin whose ``lines`` connector reads death counts from a JSON file; its ``reread``
reads a record again from today's file and raises BadInput while its value is no number."""


def install_lines_plugin(folder: Path) -> Path:
    """The plugin as an installed distribution (a .dist-info) in ``folder``, for PYTHONPATH."""
    folder.mkdir()
    (folder / "lines_plugin.py").write_text(LINES_PLUGIN, encoding="utf-8")
    info = folder / "lines_plugin-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: lines-plugin\nVersion: 1.0\n")
    (info / "entry_points.txt").write_text("[iochub.plugins]\nlines = lines_plugin\n")
    return folder


def write_lines(path: Path, values: dict[str, object]) -> None:
    """The source file: one record per id, in order, for January, February, March 2024."""
    lines = [
        {"id": key, "period": f"2024-0{month}", "value": value}
        for month, (key, value) in enumerate(values.items(), 1)
    ]
    path.write_text(json.dumps(lines), encoding="utf-8")


def test_retry_tries_every_record_and_lists_those_whose_reread_is_still_bad(
    tmp_path: Path, db_url: str
) -> None:
    plugin = install_lines_plugin(tmp_path / "site")
    data = tmp_path / "deaths.json"
    table = f'[connectors.vital]\nplugin = "lines"\nkind = "lines"\npath = "{data}"\n'
    config = write_config(tmp_path, db_url, DEATHS + table)
    districts = [str(p) for p in bundled_unit_files() if "districts" in p.name]
    assert iochub("units", "load", *districts, config=config, path=plugin).returncode == 0
    write_lines(data, {"a": 3, "c": "?", "b": "x"})
    synced = iochub("sync", "vital", config=config, path=plugin)
    assert synced.returncode == 3, synced.stderr
    still_bad, fixed = quarantine_ids(db_url)  # c, then b
    write_lines(data, {"a": 3, "c": "unknown", "b": 4})  # the source fixed b, not c

    retried = iochub("quarantine", "retry", str(still_bad), str(fixed), config=config, path=plugin)

    assert "Traceback" not in retried.stderr
    assert retried.returncode == 3, retried.stderr
    (now,) = quarantine_ids(db_url)
    assert retried.stdout.splitlines() == [
        "1 stored, 1 still quarantined",
        f"  record {still_bad}: still bad: value 'unknown' is not a number (now record {now})",
    ]
    engine = create_engine(db_url)
    with engine.connect() as connection:
        stored = dict(connection.execute(text("SELECT period, value FROM observations")).all())
        reasons = list(connection.scalars(text("SELECT reason FROM quarantine")))
        audited = connection.scalars(
            text("SELECT target FROM audit_log WHERE action = 'retryQuarantined'")
        ).one()
    engine.dispose()
    assert stored == {"2024-01": 3.0, "2024-03": 4.0}
    assert reasons == ["value 'unknown' is not a number"]
    target = audited if isinstance(audited, dict) else json.loads(audited)
    assert (target["stored"], target["still"]) == (1, 1)


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
