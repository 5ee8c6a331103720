"""Write the indicators plugin's demo sources for Kon Tum province.

    python plugins/indicators/demo/make_demo.py

writes, next to this script:

- ``kontum-kt-xh.xlsx``: a workbook as the province's departments keep them, units down (GSO
  code and Vietnamese name) and periods across, one sheet per table: monthly retail sales,
  budget revenue and public investment disbursed, quarterly GRDP, the yearly public investment
  plan and population, the one-stop shop's monthly dossier counts (one row per district and
  indicator code), and the quarterly GRDP growth rate;
- ``kontum-cpi.json``: the province's monthly consumer price index (total and three commodity
  groups) as an SDMX-JSON 2.0 time-series message.

NOTE: the data are illustrative, not official statistics. Magnitudes are plausible for Kon Tum
(GRDP about 40,000 billion VND a year, about 580,000 inhabitants, 10 districts), and the
figures are internally consistent (dossiers resolved on time plus late never exceed those
received), but they are drawn from a seeded random generator: the same script always writes
the same values, and byte-identical files.

District-level tables list the 10 districts (608, 610–618) and no provincial total, which the
hub computes; figures only the province has (GRDP, its growth, CPI) are given for the province
(62).
"""

from __future__ import annotations

import io
import json
import random
import re
import zipfile
from datetime import datetime
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.worksheet.worksheet import Worksheet

HERE = Path(__file__).resolve().parent
WORKBOOK = HERE / "kontum-kt-xh.xlsx"
CPI_MESSAGE = HERE / "kontum-cpi.json"
FIXED_TIME = datetime(2025, 7, 15, 8, 0, 0)
_MODIFIED = re.compile(rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)")
NOTE = "Số liệu minh họa, không phải số liệu thống kê chính thức (illustrative, not official)."

PROVINCE = ("62", "Tỉnh Kon Tum")
# (GSO code, name, population 2024, share of the province's trade and revenue)
DISTRICTS = [
    ("608", "Thành phố Kon Tum", 182_000, 0.44),
    ("610", "Huyện Đắk Glei", 52_000, 0.05),
    ("611", "Huyện Ngọc Hồi", 58_000, 0.09),
    ("612", "Huyện Đắk Tô", 47_500, 0.07),
    ("613", "Huyện Kon Plông", 28_500, 0.06),
    ("614", "Huyện Kon Rẫy", 30_000, 0.04),
    ("615", "Huyện Đắk Hà", 83_000, 0.11),
    ("616", "Huyện Sa Thầy", 57_000, 0.07),
    ("617", "Huyện Tu Mơ Rông", 27_500, 0.03),
    ("618", "Huyện Ia H' Drai", 16_000, 0.04),
]
MONTHS = [(2024, m) for m in range(1, 13)] + [(2025, m) for m in range(1, 7)]
QUARTERS = [(2024, 1), (2024, 2), (2024, 3), (2024, 4), (2025, 1), (2025, 2)]
ROMAN = {1: "I", 2: "II", 3: "III", 4: "IV"}

# Retail sales swell before Tết (10 Feb 2024, 29 Jan 2025) and at the year's end.
RETAIL_SEASON = {
    1: 1.10,
    2: 1.08,
    3: 0.93,
    4: 0.95,
    5: 0.97,
    6: 0.97,
    7: 0.98,
    8: 1.00,
    9: 0.99,
    10: 1.00,
    11: 1.01,
    12: 1.08,
}
# Revenue: land-use fees and year-end settlements make December heavy.
REVENUE_SEASON = {
    1: 1.05,
    2: 0.70,
    3: 0.85,
    4: 0.95,
    5: 0.95,
    6: 1.00,
    7: 0.95,
    8: 0.90,
    9: 0.95,
    10: 1.00,
    11: 1.10,
    12: 1.60,
}
# Public investment disburses slowly early in the year and fast before the deadline.
DISBURSEMENT_SHARE = {
    1: 0.02,
    2: 0.03,
    3: 0.05,
    4: 0.05,
    5: 0.06,
    6: 0.09,
    7: 0.07,
    8: 0.08,
    9: 0.10,
    10: 0.11,
    11: 0.13,
    12: 0.18,
}
DOSSIER_CODES = [
    ("TN", "Hồ sơ tiếp nhận"),
    ("TT", "Trong đó: tiếp nhận trực tuyến"),
    ("DH", "Hồ sơ giải quyết đúng hạn"),
    ("QH", "Hồ sơ giải quyết quá hạn"),
]


def main() -> None:
    rng = random.Random(62)  # Kon Tum's GSO code: any fixed seed would do
    WORKBOOK.write_bytes(_reproducible_zip(_workbook_bytes(rng)))
    CPI_MESSAGE.write_text(
        json.dumps(_cpi_message(rng), ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
    )
    print(f"wrote {WORKBOOK} and {CPI_MESSAGE}")


# --- the workbook ------------------------------------------------------------------------


def _workbook_bytes(rng: random.Random) -> bytes:
    workbook = Workbook()
    workbook.remove(workbook.active)
    _retail_sales(workbook.create_sheet("Bán lẻ"), rng)
    _budget_revenue(workbook.create_sheet("Thu NS"), rng)
    _grdp(workbook.create_sheet("GRDP"), rng)
    _population(workbook.create_sheet("Dân số"), rng)
    plans = _investment_plan(workbook.create_sheet("KH vốn ĐTC"), rng)
    _investment_disbursed(workbook.create_sheet("Giải ngân ĐTC"), rng, plans)
    _dossiers(workbook.create_sheet("TTHC"), rng)
    _grdp_growth(workbook.create_sheet("Tăng trưởng GRDP"))
    workbook.properties.creator = "IOC Hub demo (make_demo.py)"
    workbook.properties.created = workbook.properties.modified = FIXED_TIME
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _retail_sales(sheet: Worksheet, rng: random.Random) -> None:
    headers = [f"Tháng {month}/{year}" for year, month in MONTHS]
    _title(sheet, "Tổng mức bán lẻ hàng hóa và doanh thu dịch vụ tiêu dùng", "tỷ đồng", headers)
    for code, name, _, share in DISTRICTS:
        values = [
            _money(2_450 * share * RETAIL_SEASON[month] * _growth(year, 0.11) * _noise(rng))
            for year, month in MONTHS
        ]
        sheet.append([code, name, *values])


def _budget_revenue(sheet: Worksheet, rng: random.Random) -> None:
    headers = [datetime(year, month, 1) for year, month in MONTHS]
    _title(sheet, "Thu ngân sách nhà nước trên địa bàn", "tỷ đồng", headers)
    for cell in sheet[4][2:]:
        cell.number_format = "mm/yyyy"
    for code, name, _, share in DISTRICTS:
        values = [
            _money(285 * share * REVENUE_SEASON[month] * _growth(year, 0.08) * _noise(rng, 0.12))
            for year, month in MONTHS
        ]
        sheet.append([code, name, *values])


def _grdp(sheet: Worksheet, rng: random.Random) -> None:
    headers = [f"Quý {ROMAN[quarter]}/{year}" for year, quarter in QUARTERS]
    _title(sheet, "Tổng sản phẩm trên địa bàn (GRDP) theo giá hiện hành", "tỷ đồng", headers)
    shares = {1: 0.215, 2: 0.24, 3: 0.253, 4: 0.292}
    values = [
        _money(40_000 * shares[quarter] * _growth(year, 0.105) * _noise(rng, 0.015))
        for year, quarter in QUARTERS
    ]
    sheet.append([*PROVINCE, *values])


def _grdp_growth(sheet: Worksheet) -> None:
    """The province's published growth rates: a rate is read as published, never added up.

    Drawn from a generator of its own, so that the other tables keep their values.
    """
    rng = random.Random("grdp_growth")
    headers = [f"Quý {ROMAN[quarter]}/{year}" for year, quarter in QUARTERS]
    _title(sheet, "Tốc độ tăng trưởng GRDP so với cùng kỳ năm trước", "%", headers)
    sheet.append([*PROVINCE, *(round(rng.uniform(7.5, 9.5), 2) for _ in QUARTERS)])


def _population(sheet: Worksheet, rng: random.Random) -> None:
    _title(sheet, "Dân số trung bình", "người", [2023, 2024])
    for code, name, people, _ in DISTRICTS:
        growth = 1 + rng.uniform(0.010, 0.017)
        sheet.append([code, name, round(people / growth), people])


def _investment_plan(sheet: Worksheet, rng: random.Random) -> dict[tuple[str, int], float]:
    _title(sheet, "Kế hoạch vốn đầu tư công được giao", "tỷ đồng", ["Năm 2024", "Năm 2025"])
    plans = {}
    for code, name, _, share in DISTRICTS:
        row = []
        for year in (2024, 2025):
            plans[code, year] = _money(
                1_900 * (0.5 * share + 0.05) * _growth(year, 0.12) * _noise(rng, 0.1)
            )
            row.append(plans[code, year])
        sheet.append([code, name, *row])
    return plans


def _investment_disbursed(
    sheet: Worksheet, rng: random.Random, plans: dict[tuple[str, int], float]
) -> None:
    headers = [f"{year}-{month:02d}" for year, month in MONTHS]
    _title(sheet, "Vốn đầu tư công giải ngân trong tháng", "tỷ đồng", headers)
    for code, name, _, _ in DISTRICTS:
        pace = rng.uniform(0.85, 1.0)  # the share of the plan a district manages to disburse
        values = [
            _money(plans[code, year] * pace * DISBURSEMENT_SHARE[month] * _noise(rng, 0.2))
            for year, month in MONTHS
        ]
        sheet.append([code, name, *values])


def _dossiers(sheet: Worksheet, rng: random.Random) -> None:
    headers = [f"T{month:02d}/{year}" for year, month in MONTHS]
    _title(sheet, "Kết quả giải quyết thủ tục hành chính", "hồ sơ", headers, with_code=True)
    for code, name, people, _ in DISTRICTS:
        rows: dict[str, list[int]] = {c: [] for c, _ in DOSSIER_CODES}
        for year, month in MONTHS:
            received = round(people / 60 * _noise(rng, 0.15) * (0.8 if month == 2 else 1))
            online = round(received * rng.uniform(0.35, 0.55) * _growth(year, 0.25))
            late = round(received * rng.uniform(0.0, 0.03))
            on_time = round((received - late) * rng.uniform(0.93, 0.99))
            for indicator, value in zip(rows, (received, online, on_time, late), strict=True):
                rows[indicator].append(value)
        for indicator, label in DOSSIER_CODES:
            sheet.append([code, name, indicator, label, *rows[indicator]])


def _title(
    sheet: Worksheet, title: str, unit: str, periods: list[Any], with_code: bool = False
) -> None:
    """Rows 1–3: title, unit and note; row 4: the column headers."""
    sheet.append([f"{title} ({unit})"])
    sheet.append(["Đơn vị tính: " + unit])
    sheet.append([NOTE])
    labels = ["Mã", "Đơn vị hành chính"] + (["Mã chỉ tiêu", "Chỉ tiêu"] if with_code else [])
    sheet.append([*labels, *periods])
    sheet["A1"].font = Font(bold=True)
    sheet["A3"].font = Font(italic=True)
    for cell in sheet[4]:
        cell.font = Font(bold=True)
    sheet.column_dimensions["B"].width = 22
    sheet.freeze_panes = "C5" if not with_code else "E5"


def _reproducible_zip(content: bytes) -> bytes:
    """The same archive with fixed times, so that the same data give the same bytes.

    Both the zip entries and the document's "modified" property (which openpyxl sets to the
    time of saving) carry the time the file was written.
    """
    source = zipfile.ZipFile(io.BytesIO(content))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == "docProps/core.xml":
                data = _MODIFIED.sub(rf"\g<1>{FIXED_TIME.isoformat()}Z\g<2>".encode(), data)
            fixed = zipfile.ZipInfo(info.filename, date_time=FIXED_TIME.timetuple()[:6])
            fixed.compress_type = zipfile.ZIP_DEFLATED
            target.writestr(fixed, data)
    return buffer.getvalue()


# --- the SDMX-JSON message ---------------------------------------------------------------

COMMODITIES = [
    ("_T", "Chỉ số giá tiêu dùng chung (all items)", 113.2, 0.0030),
    ("CP01", "Hàng ăn và dịch vụ ăn uống (food and catering)", 116.0, 0.0045),
    ("CP04", "Nhà ở, điện, nước, chất đốt và VLXD (housing and utilities)", 114.5, 0.0035),
    ("CP07", "Giao thông (transport)", 108.0, 0.0010),
]


def _cpi_message(rng: random.Random) -> dict[str, Any]:
    months = [f"{year}-{month:02d}" for year, month in MONTHS]
    series = {
        str(index): {"attributes": [], "observations": _cpi_series(rng, start, trend, len(months))}
        for index, (_, _, start, trend) in enumerate(COMMODITIES)
    }
    return {
        "meta": {
            "schema": "https://json.sdmx.org/2.0.0/sdmx-json-data-schema.json",
            "id": "KONTUM-CPI-DEMO",
            "prepared": FIXED_TIME.isoformat() + "Z",
            "test": True,
            "contentLanguages": ["vi", "en"],
            "sender": {"id": "CTK-KT", "name": "Cục Thống kê tỉnh Kon Tum (demo)"},
            "note": NOTE,
        },
        "data": {
            "structures": [_cpi_structure(months)],
            "dataSets": [{"structure": 0, "action": "Information", "series": series}],
        },
    }


def _cpi_series(rng: random.Random, start: float, trend: float, count: int) -> dict[str, list[Any]]:
    observations = {}
    level = start
    for index in range(count):
        observations[str(index)] = [round(level, 2), 0]
        level *= 1 + trend + rng.uniform(-0.003, 0.003)
    return observations


def _cpi_structure(months: list[str]) -> dict[str, Any]:
    def dimension(id_: str, name: str, position: int, values: list[dict[str, Any]]) -> dict:
        return {"id": id_, "name": name, "keyPosition": position, "values": values}

    def coded(pairs: list[tuple[str, str]]) -> list[dict[str, str]]:
        return [{"id": code, "name": name} for code, name in pairs]

    return {
        "name": "Chỉ số giá tiêu dùng tỉnh Kon Tum (CPI), gốc 2019 = 100",
        "dimensions": {
            "dataSet": [
                dimension("FREQ", "Tần suất", 0, coded([("M", "Tháng")])),
                dimension("REF_AREA", "Địa bàn", 1, coded([("VN-KT", "Tỉnh Kon Tum")])),
                dimension("INDICATOR", "Chỉ tiêu", 2, coded([("CPI", "Chỉ số giá tiêu dùng")])),
            ],
            "series": [
                dimension("COMMODITY", "Nhóm hàng", 3, coded([c[:2] for c in COMMODITIES])),
            ],
            "observation": [
                {
                    **dimension("TIME_PERIOD", "Thời kỳ", 4, coded([(m, m) for m in months])),
                    "roles": ["TIME_PERIOD"],
                },
            ],
        },
        "measures": {"observation": [{"id": "OBS_VALUE", "name": "Giá trị"}]},
        "attributes": {
            "dataSet": [],
            "series": [],
            "observation": [
                {
                    "id": "OBS_STATUS",
                    "name": "Tình trạng số liệu",
                    "relationship": {"primaryMeasure": "OBS_VALUE"},
                    "values": [{"id": "A", "name": "Normal value"}],
                }
            ],
        },
    }


# --- numbers -----------------------------------------------------------------------------


def _noise(rng: random.Random, spread: float = 0.06) -> float:
    return 1 + rng.uniform(-spread, spread)


def _growth(year: int, rate: float) -> float:
    return (1 + rate) ** (year - 2024)


def _money(value: float) -> float:
    """Billion VND to one decimal, as the province's reports give them."""
    return round(value, 1)


if __name__ == "__main__":
    main()
