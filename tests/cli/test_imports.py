"""What the listing commands import: no connector kind's module (nor, for ``iochub plugins``,
which opens no database, the units layer). The plugins declare their kinds; a kind's class is
imported to build a connector or to validate its settings."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from hub.plugins.manager import Plugins
from tests.cli.test_cli import write_config

PROBE = """
import atexit, sys
record = sys.argv.pop(1)
atexit.register(lambda: open(record, "w").write("\\n".join(sorted(sys.modules))))
from hub.cli.main import main
main()
"""
"""Runs ``iochub`` with its arguments and writes the names of the modules it imported."""


def imported_by(tmp_path: Path, *args: str) -> tuple[str, set[str]]:
    """What ``iochub *args`` printed, and every module it imported."""
    record = tmp_path / "modules.txt"
    env = {k: v for k, v in os.environ.items() if k != "IOCHUB_CONFIG"}
    done = subprocess.run(
        [sys.executable, "-c", PROBE, str(record), *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout, set(record.read_text(encoding="utf-8").split())


def kind_modules() -> set[str]:
    """The module of every connector kind the installed plugins declare."""
    kinds = Plugins.load().connector_kinds().values()
    return {
        kind.implementation.partition(":")[0]
        for kind in kinds
        if isinstance(kind.implementation, str)
    }


def units_layer(modules: set[str]) -> list[str]:
    """The modules of ``hub.units`` among these (the units layer loads the ORM)."""
    return sorted(m for m in modules if m == "hub.units" or m.startswith("hub.units."))


def test_listing_plugins_and_connectors_imports_no_connector_module(
    tmp_path: Path, db_url: str
) -> None:
    declared = Plugins.load().connector_kinds()
    tables = "".join(
        f'[connectors.{plugin}-{kind}]\nplugin = "{plugin}"\nkind = "{kind}"\nevery = "1h"\n'
        for plugin, kind in declared
    )
    config = write_config(tmp_path, db_url, tables)
    modules = kind_modules()
    assert len(modules) >= 10  # every built-in plugin's

    listed, imported = imported_by(tmp_path, "connectors", "--config", str(config))
    assert "traffic/mqtt" in listed and "security/cef-syslog" in listed
    assert "iochub_plugins.traffic.plugin" in imported  # the plugins were loaded
    assert imported.isdisjoint(modules), sorted(imported & modules)
    assert "httpx" not in imported  # nor the HTTP client the kinds share

    listed, imported = imported_by(tmp_path, "plugins")
    assert "sdmx-json" in listed
    assert imported.isdisjoint(modules), sorted(imported & modules)
    assert not units_layer(imported)


def test_config_check_validates_settings_with_the_kind_so_imports_it(tmp_path: Path) -> None:
    config = write_config(
        tmp_path,
        f"sqlite:///{tmp_path / 'hub.db'}",
        '[connectors.cpi]\nplugin = "indicators"\nkind = "sdmx-json"\nlocation = "cpi.json"\n'
        'metric = "cpi"\nunit = "62"\n',
    )
    said, imported = imported_by(tmp_path, "config", "check", "--config", str(config))
    assert said.startswith(f"{config}: ok")
    assert "iochub_plugins.indicators.connectors" in imported
    assert "iochub_plugins.traffic.connectors" not in imported  # only the kinds it names
