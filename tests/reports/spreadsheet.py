"""A real spreadsheet engine for the tests: LibreOffice, headless, recomputes a workbook.

LibreOffice comes from Debian's packages (``libreoffice-calc-nogui``). Without it these tests
are skipped, except under CI, where its absence is a failure.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

TIMEOUT = 180


def soffice() -> str:
    found = shutil.which("soffice") or shutil.which("libreoffice")
    if found is None:
        if os.environ.get("CI"):
            pytest.fail(
                "LibreOffice (soffice) is not installed: apt-get install libreoffice-calc-nogui"
            )
        pytest.skip("LibreOffice (soffice) is not installed")
    return found


def recalculated(content: bytes, folder: Path) -> dict[str, dict[str, Any]]:
    """Every sheet's cell values after LibreOffice opened, recomputed and saved the workbook."""
    folder.mkdir(parents=True, exist_ok=True)
    source, out = folder / "report.xlsx", folder / "out"
    source.write_bytes(content)
    profile = (folder / "profile").resolve().as_uri()
    subprocess.run(
        [
            soffice(),
            f"-env:UserInstallation={profile}",
            "--headless",
            "--norestore",
            "--convert-to",
            "xlsx",
            "--outdir",
            str(out),
            str(source),
        ],
        check=True,
        capture_output=True,
        timeout=TIMEOUT,
    )
    book = load_workbook(out / "report.xlsx", data_only=True)
    return {
        sheet.title: {
            cell.coordinate: cell.value
            for row in sheet.iter_rows()
            for cell in row
            if cell.value is not None
        }
        for sheet in book.worksheets
    }
