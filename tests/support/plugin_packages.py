"""Runs a plugin package's own test suite as its author would, in a subprocess.

The package is copied into the test's own folder (a build writes beside the sources), then
installed with pip into a folder of the test's own (``--target``, no
dependencies: the hub is the running one), which goes on ``PYTHONPATH``: its entry point is
then found exactly as an installed plugin's, and the running environment is left alone.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

LEFT_BEHIND = shutil.ignore_patterns("build", "*.egg-info", "__pycache__", ".pytest_cache")


def install_into(package: Path, target: Path) -> Path:
    """``pip install`` the package at ``package`` into the folder ``target``."""
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--quiet",
            "--no-deps",
            "--target",
            str(target),
            str(package),
        ],
        check=True,
        capture_output=True,
        text=True,
    )
    return target


def run_package_tests(package: Path, work: Path) -> subprocess.CompletedProcess[str]:
    """Copy the package under ``work``, install it there and run ``python -m pytest`` in it."""
    copy = work / package.name
    shutil.copytree(package, copy, ignore=LEFT_BEHIND)
    site = install_into(copy, work / "site")
    env = {
        **os.environ,
        "PYTHONPATH": str(site),
        "PYTHONDONTWRITEBYTECODE": "1",
        "IOCHUB_CONFIG": "",
    }
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:randomly"],
        cwd=copy,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
