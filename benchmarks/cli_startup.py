"""Benchmark: how long ``iochub`` commands take to start and answer, each in a new process.

Prints the median of several runs (bytecode compiled, as installed) of ``iochub --version``,
``--help`` and ``connectors`` (on a SQLite database with two connectors and a run), beside the
interpreter's own start (``python -c pass``) measured in the same run; with ``--compare TREE``,
the same commands run from another source tree (``git archive main | tar -x -C /tmp/main``),
for before and after.

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


def seconds(command: list[str], tree: Path, runs: int) -> tuple[float, float]:
    """The median wall and processor times of ``command`` run ``runs`` times with ``tree``
    first on the path.

    As installed, with compiled bytecode: a first run writes it (``PYTHONDONTWRITEBYTECODE``
    unset), untimed; otherwise every module would be compiled again at each start.
    """
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPATH"] = str(tree)
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
    with tempfile.TemporaryDirectory() as folder:
        config = Path(folder) / "hub.toml"
        config.write_text(CONFIG.format(database=Path(folder) / "hub.db"), encoding="utf-8")
        iochub = [sys.executable, "-m", "hub.cli"]
        subprocess.run([*iochub, "db", "upgrade", "--config", str(config)], check=True, cwd=ROOT)
        subprocess.run([*iochub, "sync", "ecb", "--config", str(config)], cwd=ROOT)
        commands = {
            "python -c pass (baseline)": [sys.executable, "-c", "pass"],
            "iochub --version": [*iochub, "--version"],
            "iochub --help": [*iochub, "--help"],
            "iochub connectors": [*iochub, "connectors", "--config", str(config)],
        }
        trees = {"this tree": ROOT, **({"compared": options.compare} if options.compare else {})}
        print(f"median of {options.runs} runs, seconds; load {os.getloadavg()[0]:.1f}")
        print(f"{'command':32}" + "".join(f"{name + ' wall / cpu':>24}" for name in trees))
        for label, command in commands.items():
            row = [seconds(command, tree, options.runs) for tree in trees.values()]
            print(f"{label:32}" + "".join(f"{wall:15.2f} / {cpu:6.2f}" for wall, cpu in row))


if __name__ == "__main__":
    main()
