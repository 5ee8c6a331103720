"""The bundled CSVs read plainly with the csv module, so that tests check the loader against
facts computed independently of it; and subsets of them, for fast tests."""

from __future__ import annotations

import csv
from functools import cache
from pathlib import Path

DATA = Path(__file__).resolve().parents[2] / "hub" / "units" / "data"
GSO_SHA256 = {
    "gso_legacy_districts_2025-07-18.csv": (
        "f924f4a38b3cce04ad00670fa3ec3478cbf73a1d157690693c16109a9b3bf4ef"
    ),
    "gso_legacy_communes_2025-07-18.csv": (
        "bad8474f99dd8476f07a11117154f1e587741a210f20e33c4b50d9d3fe6954a9"
    ),
    "communes_2025_with_location.csv": (
        "cf103923c0c469201f3b22d78f5b05c90db13986994811a9fc17988de18bf678"
    ),
    "succession_legacy_to_2025.csv": (
        "93d53e6f53d2094a0bfa4a17fba18f772eab36106737962b00fe1749ca7bbb1d"
    ),
}
"""SHA-256 of the reference lists as published (GSO, vietnamadminunits): the bundled copies
must be these files byte for byte."""
DISTRICTS = "gso_legacy_districts_2025-07-18.csv"
COMMUNES = "gso_legacy_communes_2025-07-18.csv"
COMMUNES_2025 = "communes_2025_with_location.csv"
SUCCESSION = "succession_legacy_to_2025.csv"
WITH_BOM = {DISTRICTS, COMMUNES}

HA_NOI, QUANG_NGAI, KON_TUM = 1, 51, 62
SUBSET = {HA_NOI, QUANG_NGAI}
"""The 2025 provinces of the fast tests: Hà Nội kept its territory, Quảng Ngãi took in Kon Tum."""


@cache
def rows(name: str) -> tuple[dict[str, str], ...]:
    with (DATA / name).open(encoding="utf-8-sig", newline="") as handle:
        return tuple(csv.DictReader(handle))


def number(code: str) -> int:
    """A code as the number it stands for: "00097", "97" and "97.0" are all 97."""
    return int(float(code))


def legacy_provinces_of(new_provinces: set[int]) -> set[int]:
    return {
        number(row["provinceCode"])
        for row in rows(SUCCESSION)
        if number(row["newProvinceCode"]) in new_provinces
    }


def write_subset(folder: Path, new_provinces: set[int]) -> list[Path]:
    """The four files cut down to these 2025 provinces and the legacy ones they came from."""
    legacy = legacy_provinces_of(new_provinces)
    keep = {
        DISTRICTS: lambda row: number(row["Mã TP"]) in legacy,
        COMMUNES: lambda row: number(row["Mã TP"]) in legacy,
        COMMUNES_2025: lambda row: number(row["provinceCode"]) in new_provinces,
        SUCCESSION: lambda row: number(row["newProvinceCode"]) in new_provinces,
    }
    folder.mkdir(parents=True, exist_ok=True)
    return [
        write(folder / name, [row for row in rows(name) if wanted(row)])
        for name, wanted in keep.items()
    ]


def write(path: Path, content: list[dict[str, str]]) -> Path:
    """Write rows as the bundled file of the same name is written: same header, same BOM."""
    header = list(rows(path.name)[0])
    encoding = "utf-8-sig" if path.name in WITH_BOM else "utf-8"
    with path.open("w", encoding=encoding, newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=header, lineterminator="\n")
        writer.writeheader()
        writer.writerows(content)
    return path
