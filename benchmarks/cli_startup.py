"""Benchmark: how long ``iochub`` commands take to start and answer, each in a new process.

Prints the median of several runs (bytecode compiled, as installed) of ``iochub --version``,
``--help`` and ``connectors`` (on a SQLite database with two connectors and a run), beside the
interpreter's own start (``python -c pass``) measured in the same run; with ``--compare TREE``,
the same commands run from another source tree (``git archive main | tar -x -C /tmp/main``),
for before and after.

Each tree runs as if it were the one installed: its own ``hub``, its own plugin and migration
packages (``iochub_plugins`` is the folder ``plugins/``, as its ``pyproject.toml`` maps it)
and its own entry points, from a folder put first on the path (see :func:`as_installed`).
Otherwise a tree would run with the packages and entry points of the one pip installed.

    .venv/bin/python benchmarks/cli_startup.py --runs 7
    .venv/bin/python benchmarks/cli_startup.py --compare /tmp/main

Each command is printed twice: its wall time, and the processor time it used (user + system,
of the process and its children), which the other processes of a loaded machine change
much less than the wall time; a target of "under 1 s" is read on a quiet machine.

Not part of the test suite.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CONFIG = """
[database]
url = "sqlite:///{database}"

[connectors.ecb]
plugin = "indicators"
kind = "sdmx-json"
location = "http://127.0.0.1:9/nothing"
metric = "grdp"
unit = "62"
every = "1h"

[connectors.cpi]
plugin = "indicators"
kind = "sdmx-json"
location = "http://127.0.0.1:9/nothing"
metric = "grdp"
unit = "62"
schedule = "0 6 * * *"
"""


def as_installed(tree: Path, folder: Path) -> dict[str, str]:
    """The environment that runs ``tree`` as if it were the installed hub: first on the path,
    a folder (made in ``folder``) with a link for each package that its ``pyproject.toml``
    maps to another folder, and the metadata of a distribution ``iochub`` with the tree's
    entry points (found before the pip-installed one, whose entry points may name objects the
    tree does not have); then the tree itself.

    Bytecode is written (``PYTHONDONTWRITEBYTECODE`` unset): a command runs as installed.
    """
    project = tomllib.loads((tree / "pyproject.toml").read_text(encoding="utf-8"))
    folder.mkdir()
    for package, source in project["tool"]["setuptools"].get("package-dir", {}).items():
        if package != source:
            (folder / package).symlink_to(tree / source, target_is_directory=True)
    metadata = folder / "iochub-0.0.0.dist-info"
    metadata.mkdir()
    (metadata / "METADATA").write_text(
        f"Metadata-Version: 2.1\nName: iochub\nVersion: {project['project']['version']}\n",
        encoding="utf-8",
    )
    (metadata / "entry_points.txt").write_text(
        "".join(
            f"[{group}]\n" + "".join(f"{name} = {value}\n" for name, value in points.items())
            for group, points in project["project"].get("entry-points", {}).items()
        ),
        encoding="utf-8",
    )
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPATH"] = os.pathsep.join([str(folder), str(tree)])
    return env


def seconds(command: list[str], tree: Path, env: dict[str, str], runs: int) -> tuple[float, float]:
    """The median wall and processor times of ``command`` run ``runs`` times in ``tree``.

    A first run writes the bytecode, untimed; otherwise every module would be compiled
    again at each start.
    """
    subprocess.run(command, env=env, cwd=tree, capture_output=True, check=True)
    walls, processors = [], []
    for _ in range(runs):
        used = _children_cpu()
        started = time.perf_counter()
        subprocess.run(command, env=env, cwd=tree, capture_output=True, check=True)
        walls.append(time.perf_counter() - started)
        processors.append(_children_cpu() - used)
    return statistics.median(walls), statistics.median(processors)


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--compare", type=Path, help="another source tree to time the same way")
    options = parser.parse_args()
    trees = {"this tree": ROOT}
    if options.compare:
        trees["compared"] = options.compare.resolve()
    with tempfile.TemporaryDirectory() as folder:
        envs = {
            name: as_installed(tree, Path(folder) / f"installed-{number}")
            for number, (name, tree) in enumerate(trees.items())
        }
        config = Path(folder) / "hub.toml"
        config.write_text(CONFIG.format(database=Path(folder) / "hub.db"), encoding="utf-8")
        iochub = [sys.executable, "-m", "hub.cli"]
        here = envs["this tree"]
        upgrade = [*iochub, "db", "upgrade", "--config", str(config)]
        subprocess.run(upgrade, cwd=ROOT, env=here, check=True)
        subprocess.run([*iochub, "sync", "ecb", "--config", str(config)], cwd=ROOT, env=here)
        commands = {
            "python -c pass (baseline)": [sys.executable, "-c", "pass"],
            "iochub --version": [*iochub, "--version"],
            "iochub --help": [*iochub, "--help"],
            "iochub connectors": [*iochub, "connectors", "--config", str(config)],
        }
        print(f"median of {options.runs} runs, seconds; load {os.getloadavg()[0]:.1f}")
        print(f"{'command':32}" + "".join(f"{name + ' wall / cpu':>24}" for name in trees))
        for label, command in commands.items():
            row = [seconds(command, trees[name], envs[name], options.runs) for name in trees]
            print(f"{label:32}" + "".join(f"{wall:15.2f} / {cpu:6.2f}" for wall, cpu in row))


if __name__ == "__main__":
    main()
