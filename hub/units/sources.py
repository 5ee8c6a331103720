"""The four CSV files of administrative units, recognised by their headers and read into records.

| kind | file | one row is |
| --- | --- | --- |
| legacy districts | ``gso_legacy_districts_*.csv`` (GSO) | a district of the 3-level system |
| legacy communes | ``gso_legacy_communes_*.csv`` (GSO) | a commune of the 3-level system |
| 2025 communes | ``communes_2025_with_location.csv`` | a commune of the 2-level system |
| succession | ``succession_legacy_to_2025.csv`` | one legacy commune → one 2025 commune |
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import Any

from hub.model.units import AdminLevel
from hub.units.codes import pad_code

PROVINCE, DISTRICT, COMMUNE = AdminLevel.PROVINCE, AdminLevel.DISTRICT, AdminLevel.COMMUNE


class UnitsFileError(Exception):
    """A file given to the loader is not one it knows, or holds a value it cannot use."""


class FileKind(Enum):
    """The kinds of file, each with the columns that identify it (others may follow)."""

    # Checked in this order: a legacy communes header also holds every legacy districts column.
    SUCCESSION = (
        "succession",
        (
            "provinceCode",
            "districtCode",
            "wardCode",
            "isMergedWard",
            "isDividedWard",
            "newProvinceCode",
            "newWardCode",
        ),
    )
    COMMUNES_2025 = (
        "2025 communes",
        (
            "province",
            "ward",
            "wardType",
            "provinceCode",
            "provinceLat",
            "provinceLon",
            "wardCode",
            "wardLat",
            "wardLon",
            "wardAreaKm2",
        ),
    )
    LEGACY_COMMUNES = (
        "legacy communes",
        ("Mã", "Tên", "Cấp", "Mã QH", "Quận Huyện", "Mã TP", "Tỉnh / Thành Phố"),
    )
    LEGACY_DISTRICTS = ("legacy districts", ("Mã", "Tên", "Cấp", "Mã TP", "Tỉnh / Thành Phố"))

    def __init__(self, label: str, columns: tuple[str, ...]) -> None:
        self.label = label
        self.columns = columns

    @classmethod
    def of_header(cls, header: list[str]) -> FileKind | None:
        present = {column.strip() for column in header}
        return next((kind for kind in cls if present.issuperset(kind.columns)), None)


@dataclass(frozen=True, slots=True)
class LegacyDistrict:
    code: str
    name: str
    unit_type: str
    province_code: str
    province_name: str


@dataclass(frozen=True, slots=True)
class LegacyCommune:
    code: str
    name: str
    unit_type: str
    district_code: str
    province_code: str
    province_name: str


@dataclass(frozen=True, slots=True)
class Commune2025:
    code: str
    name: str
    unit_type: str
    province_code: str
    province_name: str
    province_lat: float | None
    province_lon: float | None
    lat: float | None
    lon: float | None
    area_km2: float | None


@dataclass(frozen=True, slots=True)
class SuccessionLink:
    """One legacy unit became (part of) one 2025 commune.

    The legacy unit is a commune, except for the island districts that had no communes
    (Bạch Long Vĩ, Cồn Cỏ, Hoàng Sa, Lý Sơn, Côn Đảo): their row names only the district,
    which became a special zone (đặc khu) of the same name.
    """

    legacy_code: str
    legacy_level: AdminLevel
    legacy_province: str
    new_code: str
    new_province: str
    merged: bool
    divided: bool


@dataclass(frozen=True, slots=True)
class UnitsFile:
    path: Path
    kind: FileKind
    records: list[Any]


def read_units_file(path: Path) -> UnitsFile:
    """Recognise ``path`` by its header and read its rows; UnitsFileError if it is not usable."""
    rows = _csv_rows(path)
    header = next(rows, None) or []
    kind = FileKind.of_header(header)
    if kind is None:
        raise UnitsFileError(f"{path}: not an administrative-units file; {_expected_headers()}")
    parse = _PARSERS[kind]
    columns = [column.strip() for column in header]
    records = []
    for line, values in enumerate(rows, start=2):
        if not any(value.strip() for value in values):
            continue
        try:
            records.append(parse(dict(zip(columns, values, strict=False))))
        except ValueError as exc:
            raise UnitsFileError(f"{path}, line {line}: {exc}") from None
    return UnitsFile(path, kind, records)


def _csv_rows(path: Path) -> Iterator[list[str]]:
    try:
        # utf-8-sig: the GSO files start with a byte-order mark.
        with path.open(encoding="utf-8-sig", newline="") as handle:
            yield from csv.reader(handle)
    except OSError as exc:
        raise UnitsFileError(f"{path}: cannot read the file ({exc.strerror})") from None
    except (UnicodeDecodeError, csv.Error):
        raise UnitsFileError(f"{path}: not a UTF-8 CSV file; {_expected_headers()}") from None


def _expected_headers() -> str:
    kinds = "; ".join(f"{kind.label} ({', '.join(kind.columns)})" for kind in FileKind)
    return f"expected the header of one of: {kinds}"


def _legacy_district(row: dict[str, str]) -> LegacyDistrict:
    return LegacyDistrict(
        code=_code(row, "Mã", DISTRICT),
        name=_text(row, "Tên"),
        unit_type=_text(row, "Cấp"),
        province_code=_code(row, "Mã TP", PROVINCE),
        province_name=_text(row, "Tỉnh / Thành Phố"),
    )


def _legacy_commune(row: dict[str, str]) -> LegacyCommune:
    return LegacyCommune(
        code=_code(row, "Mã", COMMUNE),
        name=_text(row, "Tên"),
        unit_type=_text(row, "Cấp"),
        district_code=_code(row, "Mã QH", DISTRICT),
        province_code=_code(row, "Mã TP", PROVINCE),
        province_name=_text(row, "Tỉnh / Thành Phố"),
    )


def _commune_2025(row: dict[str, str]) -> Commune2025:
    return Commune2025(
        code=_code(row, "wardCode", COMMUNE),
        name=_text(row, "ward"),
        unit_type=_text(row, "wardType"),
        province_code=_code(row, "provinceCode", PROVINCE),
        province_name=_text(row, "province"),
        province_lat=_number(row, "provinceLat"),
        province_lon=_number(row, "provinceLon"),
        lat=_number(row, "wardLat"),
        lon=_number(row, "wardLon"),
        area_km2=_number(row, "wardAreaKm2"),
    )


def _succession_link(row: dict[str, str]) -> SuccessionLink:
    has_commune = bool(row.get("wardCode", "").strip())
    return SuccessionLink(
        legacy_code=(
            _code(row, "wardCode", COMMUNE) if has_commune else _code(row, "districtCode", DISTRICT)
        ),
        legacy_level=COMMUNE if has_commune else DISTRICT,
        legacy_province=_code(row, "provinceCode", PROVINCE),
        new_code=_code(row, "newWardCode", COMMUNE),
        new_province=_code(row, "newProvinceCode", PROVINCE),
        merged=_flag(row, "isMergedWard"),
        divided=_flag(row, "isDividedWard"),
    )


def _code(row: dict[str, str], column: str, level: AdminLevel) -> str:
    try:
        return pad_code(row.get(column) or "", level)
    except ValueError as exc:
        raise ValueError(f"{column}: {exc}") from None


def _text(row: dict[str, str], column: str) -> str:
    value = (row.get(column) or "").strip()
    if not value:
        raise ValueError(f"{column} is empty")
    return value


def _number(row: dict[str, str], column: str) -> float | None:
    value = (row.get(column) or "").strip()
    try:
        return float(value) if value else None
    except ValueError:
        raise ValueError(f"{column} is {value!r}, not a number") from None


def _flag(row: dict[str, str], column: str) -> bool:
    value = (row.get(column) or "").strip().lower()
    if value not in {"true", "false"}:
        raise ValueError(f"{column} is {value!r}, not True or False")
    return value == "true"


_PARSERS: dict[FileKind, Callable[[dict[str, str]], Any]] = {
    FileKind.LEGACY_DISTRICTS: _legacy_district,
    FileKind.LEGACY_COMMUNES: _legacy_commune,
    FileKind.COMMUNES_2025: _commune_2025,
    FileKind.SUCCESSION: _succession_link,
}
