"""The bundled unit lists cut down to a few 2025 provinces: loading them takes a moment, not
a minute, and a test still sees real codes, names and the 2025 successions."""

from __future__ import annotations

import csv
from collections.abc import Callable, Collection
from pathlib import Path

from hub.units.loader import bundled_unit_files

DISTRICTS = "gso_legacy_districts_2025-07-18.csv"
COMMUNES = "gso_legacy_communes_2025-07-18.csv"
COMMUNES_2025 = "communes_2025_with_location.csv"
SUCCESSION = "succession_legacy_to_2025.csv"
WITH_BOM = {DISTRICTS, COMMUNES}  # the GSO's own exports start with one

QUANG_NGAI = "51"
"""Quảng Ngãi (2025), which took in Kon Tum: the default province of the kit's hubs."""


def write_unit_subset(folder: Path, provinces: Collection[str]) -> list[Path]:
    """The four bundled files cut down to these 2025 provinces (GSO codes such as ``"51"``)
    and the legacy provinces that went into them; written to ``folder`` for ``load_units``."""
    new = {int(code) for code in provinces}
    files = {path.name: path for path in bundled_unit_files()}
    legacy = {
        _number(row["provinceCode"])
        for row in _rows(files[SUCCESSION])
        if _number(row["newProvinceCode"]) in new
    }
    keep: dict[str, Callable[[dict[str, str]], bool]] = {
        DISTRICTS: lambda row: _number(row["Mã TP"]) in legacy,
        COMMUNES: lambda row: _number(row["Mã TP"]) in legacy,
        COMMUNES_2025: lambda row: _number(row["provinceCode"]) in new,
        SUCCESSION: lambda row: _number(row["newProvinceCode"]) in new,
    }
    folder.mkdir(parents=True, exist_ok=True)
    return [_write_subset(files[name], folder / name, wanted) for name, wanted in keep.items()]


def _write_subset(source: Path, target: Path, wanted: Callable[[dict[str, str]], bool]) -> Path:
    rows = _rows(source)
    encoding = "utf-8-sig" if source.name in WITH_BOM else "utf-8"
    with target.open("w", encoding=encoding, newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(row for row in rows if wanted(row))
    return target


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def _number(code: str) -> int:
    """A code as the number it stands for: "00097", "97" and "97.0" are all 97."""
    return int(float(code))
