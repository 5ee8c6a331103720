"""The bundled CSVs read plainly with the csv module, so that tests check the loader against
facts computed independently of it; and subsets of them, for fast tests."""

from __future__ import annotations

import csv
from functools import cache
from pathlib import Path

DATA = Path(__file__).resolve().parents[2] / "hub" / "units" / "data"
SHARED = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "admin-units"
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
