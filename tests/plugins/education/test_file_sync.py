"""The ``file`` kind end to end: the bundled Kon Tum export, an Excel workbook and CSV files
with faults, synced by the hub's runtime into SQLite and PostgreSQL."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

from openpyxl import Workbook

from hub.connectors.runtime import run_sync
from hub.core import Hub
from hub.model import RunStatus
from tests.plugins.education.demo_export import cut_down, demo_table, rows
from tests.plugins.education.support import (
    facilities,
    quarantined,
    totals,
    values,
    written,
)

REFORM = date(2025, 7, 1)


def census_totals(table: str, column: str) -> dict[str, int]:
    """Census month → the sum of a count column of the bundled CSV, by the csv module."""
    totals: dict[str, int] = defaultdict(int)
    for row in rows(table):
        _, month, year = row["Ngày báo cáo"].split("/")
        totals[f"{year}-{month}"] += int(row[column])
    return dict(totals)


def test_the_demo_export_loads_whole_and_adds_up(edu_hub: Callable[..., Hub]) -> None:
    hub = edu_hub({"demo": demo_table()})

    run = run_sync(hub, "demo")

    assert (run.status, run.records_quarantined, run.error) == (RunStatus.SUCCEEDED, 0, None)

    def by_period(metric: str) -> dict[str, float]:
        return {key[0]: n for key, n in totals(hub, "demo", metric, "period").items()}

    assert by_period("pupils_enrolled") == census_totals("pupils", "Số học sinh")
    assert by_period("teachers") == census_totals("teachers", "Số giáo viên")
    assert by_period("school_classes") == census_totals("classes", "Số lớp")
    assert by_period("exam_passes") == {
        year: sum(int(r["Số đỗ"]) for r in rows("results") if r["Năm"] == year)
        for year in ("2025", "2026")
    }
    children = sum(r.value or 0 for r in written(hub, "demo", "school_age_population"))
    assert children == sum(int(r["Số trẻ"]) for r in rows("population"))
    placed = facilities(hub, "demo")
    assert len(placed) == len(rows("schools"))
    assert {valid_from for _, valid_from, _ in placed.values()} == {REFORM}


def test_the_demo_schools_that_closed_count_until_they_closed(
    edu_hub: Callable[..., Hub], tmp_path: Path
) -> None:
    city = cut_down(tmp_path / "city", school_prefix="62608")  # where the two closed schools are
    hub = edu_hub({"demo": city})
    run_sync(hub, "demo")

    closed = {r["Mã trường"] for r in rows("schools", city) if r["Trạng thái"] != "Đang hoạt động"}
    schools = values(hub, "demo", "schools", "school", "period", nonzero=False)
    assert len(closed) == 2
    for school in closed:
        assert (schools[school, "2025-09"], schools[school, "2026-09"]) == (1, 0)
    pupils = totals(hub, "demo", "pupils_enrolled", "school", "period")
    assert [pupils[school, "2026-09"] for school in closed] == [0, 0]
    assert all(pupils[school, "2025-09"] > 100 for school in closed)


def test_an_unchanged_export_is_skipped_and_a_changed_one_read_again(
    edu_hub: Callable[..., Hub], tmp_path: Path
) -> None:
    table = cut_down(tmp_path / "export")
    hub = edu_hub({"export": table})
    first = run_sync(hub, "export")

    unchanged = run_sync(hub, "export")
    teachers = Path(table["teachers"]["location"])
    school = rows("teachers", table)[0]["Mã trường"]
    with teachers.open("a", encoding="utf-8", newline="") as handle:
        handle.write(f"{school},30/09/2026,Nam,7\r\n")
    changed = run_sync(hub, "export")

    assert first.records_read > 0 and unchanged.records_read == 0
    assert changed.records_read == first.records_read
    added = values(hub, "export", "teachers", "school", "period", "sex")[school, "2026-09", "male"]
    assert added == 7 + sum(
        int(r["Số giáo viên"])
        for r in rows("teachers", table)[:-1]
        if (r["Mã trường"], r["Ngày báo cáo"], r["Giới tính"]) == (school, "30/09/2026", "Nam")
    )


def write_workbook(path: Path) -> None:
    """A school export as an office keeps it: a title above the header, two sheets, faults."""
    book = Workbook()
    schools = book.active
    schools.title = "Trường"
    schools.append(["DANH SÁCH TRƯỜNG HỌC"])
    schools.append([])
    schools.append(["Mã trường", "Tên trường", "Cấp học", "Mã xã"])
    schools.append(["T1", "Trường TH Quang Trung", "Tiểu học", 23281])  # retired in 2025
    schools.append(["T2", "Trường THCS Thắng Lợi", "THCS", "23293"])
    schools.append(["T3", "Trường TH Trà Bùi", "TH", 21142])  # divided in 2025
    schools.append(["T4", "Trường TH Không Rõ", "TH", 99999])  # no such commune
    schools.append(["T5", "Trường Mầm non Hoa Hồng", "Mầm non", 23293])  # not general education
    pupils = book.create_sheet("Học sinh")
    pupils.append(["SỐ HỌC SINH ĐẦU NĂM HỌC"])
    pupils.append([])
    pupils.append(["Mã trường", "Khối", "Giới tính", "Số học sinh"])
    pupils.append(["T1", "Khối 1", "Nam", 31.0])
    pupils.append(["T1", "Khối 1", "Nữ", 29])
    pupils.append(["T1", "Khối 2", "Nữ", -4])  # a negative count
    pupils.append(["T2", None, "Nam", 40])  # no grade
    pupils.append(["T2", 6, "Nam", 44])
    pupils.append(["T9", 6, "Nam", 12])  # a school the list does not have
    pupils.append(["T9", 7, "Nam", 10])
    pupils.append(["T3", 2, "Nữ", 20])
    pupils.append(["T5", 1, "Nữ", 20])  # its school is left out: so is it
    book.save(path)


def workbook_table(path: Path, **changes: Any) -> dict[str, Any]:
    common = {"location": str(path), "header_row": 3}
    return {
        "plugin": "education",
        "kind": "file",
        "snapshot": "2026-09-30",
        "schools": {
            **common,
            "sheet": "Trường",
            "id": "Mã trường",
            "name": "Tên trường",
            "level": "Cấp học",
            "commune": "Mã xã",
            "only": {"Cấp học": ["Tiểu học", "TH", "THCS"]},
        },
        "pupils": {
            **common,
            "sheet": "Học sinh",
            "school": "Mã trường",
            "grade": "Khối",
            "sex": "Giới tính",
            "count": "Số học sinh",
        },
        **changes,
    }


def test_an_excel_export_loads_what_it_can_and_says_where_the_rest_is(
    edu_hub: Callable[..., Hub], tmp_path: Path
) -> None:
    write_workbook(tmp_path / "truong.xlsx")
    hub = edu_hub({"xlsx": workbook_table(tmp_path / "truong.xlsx")})

    run = run_sync(hub, "xlsx")
    reasons = quarantined(hub, "xlsx", run)

    assert run.status == RunStatus.PARTIAL
    pupils = values(hub, "xlsx", "pupils_enrolled", "unit", "school", "grade", "sex")
    assert pupils == {
        ("23293", "T1", "1", "male"): 31,
        ("23293", "T1", "1", "female"): 29,
        ("23293", "T2", "6", "male"): 44,
    }
    sheet = "file truong.xlsx, sheet 'Học sinh'"
    assert f"{sheet}, row 6: negative count -4" in reasons
    assert f"{sheet}, row 7: no grade" in reasons
    assert any(
        r.startswith(
            f"pupils: 2 rows of school 'T9', which is not in the schools "
            f"table; first: {sheet}, row 9"
        )
        for r in reasons
    )
    assert sum("unknown unit '21142'" in r for r in reasons) > 1  # T3 and its values
    assert sum("unknown unit '99999'" in r for r in reasons) > 1
    assert not any("T5" in r for r in reasons)
    assert facilities(hub, "xlsx")["T1"][:2] == ("23293", REFORM)


def test_a_csv_line_with_more_fields_than_the_header_is_quarantined_with_its_number(
    edu_hub: Callable[..., Hub], tmp_path: Path
) -> None:
    (tmp_path / "truong.csv").write_text(
        "ma;ten;cap;xa\nA1;Trường TH A;TH;23293\n", encoding="utf-8"
    )
    (tmp_path / "gv.csv").write_text(
        "ma;gioi;so\nA1;Nam;4\n\nA1;Nữ;12;x\nA1;Nữ;11\n", encoding="utf-8"
    )
    columns = {"id": "ma", "name": "ten", "level": "cap", "commune": "xa"}
    hub = edu_hub(
        {
            "csv": {
                "plugin": "education",
                "kind": "file",
                "snapshot": "2026-10",
                "schools": {"location": str(tmp_path / "truong.csv"), **columns},
                "teachers": {
                    "location": str(tmp_path / "gv.csv"),
                    "school": "ma",
                    "sex": "gioi",
                    "count": "so",
                },
            }
        }
    )

    run = run_sync(hub, "csv")

    assert quarantined(hub, "csv", run) == ["file gv.csv, line 4: 4 fields, the header has 3"]
    assert values(hub, "csv", "teachers", "sex", "period") == {
        ("male", "2026-10"): 4,
        ("female", "2026-10"): 11,
    }


def test_a_file_without_a_mapped_column_fails_the_run_and_shows_the_header(
    edu_hub: Callable[..., Hub], tmp_path: Path
) -> None:
    write_workbook(tmp_path / "truong.xlsx")
    table = workbook_table(tmp_path / "truong.xlsx")
    table["pupils"] = {**table["pupils"], "sex": "Giới"}
    hub = edu_hub({"xlsx": table, "gone": workbook_table(tmp_path / "nowhere.xlsx")})

    run = run_sync(hub, "xlsx")
    gone = run_sync(hub, "gone")

    assert (run.status, run.attempts) == (RunStatus.FAILED, 1)
    assert run.error == (
        "file truong.xlsx, sheet 'Học sinh': no column 'Giới' (the header has: 'Mã trường', "
        "'Khối', 'Giới tính', 'Số học sinh')"
    )
    assert gone.status == RunStatus.FAILED and "nowhere.xlsx: no such file" in (gone.error or "")
