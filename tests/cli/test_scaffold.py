"""``iochub plugin new``: the package it writes installs, lints clean and passes its own tests,
the acceptance suite among them."""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

from tests.cli.test_cli import iochub
from tests.support.plugin_packages import run_package_tests


def test_a_new_plugin_passes_its_tests_as_generated(tmp_path: Path) -> None:
    made = iochub("plugin", "new", "water_levels", "--directory", str(tmp_path / "water"))
    assert made.returncode == 0, made.stderr
    package = tmp_path / "water"
    assert made.stdout.startswith(f"wrote 11 files of the plugin 'water_levels' in {package}")

    pyproject = tomllib.loads((package / "pyproject.toml").read_text(encoding="utf-8"))
    assert pyproject["project"]["name"] == "iochub-water-levels"
    assert pyproject["project"]["entry-points"]["iochub.plugins"] == {
        "water_levels": "iochub_water_levels.plugin:PLUGIN"
    }
    lint = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "--no-cache", "."],
        cwd=package,
        capture_output=True,
        text=True,
    )
    assert lint.returncode == 0, lint.stdout

    done = run_package_tests(package, tmp_path / "run")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "10 passed" in done.stdout  # its own tests and the six of the acceptance suite
    assert "skipped" not in done.stdout


def test_a_bad_name_and_a_used_folder_are_told_together_and_nothing_is_written(
    tmp_path: Path,
) -> None:
    used = tmp_path / "used"
    used.mkdir()
    (used / "notes.txt").write_text("mine", encoding="utf-8")
    made = iochub("plugin", "new", "Air-Quality", "--directory", str(used))
    assert made.returncode == 2
    assert made.stderr.count("\n") == 1 and "Traceback" not in made.stderr
    assert "'Air-Quality' is not a plugin name" in made.stderr
    assert f"{used} exists and is not an empty folder" in made.stderr
    assert [p.name for p in used.iterdir()] == ["notes.txt"]


def test_the_default_folder_is_named_after_the_distribution(tmp_path: Path) -> None:
    made = iochub("plugin", "new", "air", cwd=tmp_path)
    assert made.returncode == 0, made.stderr
    assert (tmp_path / "iochub-air" / "iochub_air" / "connector.py").is_file()
    assert 'plugin = "air"' in (tmp_path / "iochub-air" / "README.md").read_text(encoding="utf-8")
