"""Excel: import a form from a workbook as people make them; export a report whose formulas
LibreOffice recomputes to exactly the hub's values."""

from __future__ import annotations

from io import BytesIO
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font

from hub.reports.assemble import view
from hub.reports.cells import CellError, CellValue
from hub.reports.errors import TemplateError
from hub.reports.excel_export import report_workbook, template_workbook
from hub.reports.excel_import import template_from_workbook
from hub.reports.schedule import WorkingDays
from hub.reports.sheet import OtherPeriods, compute
from hub.reports.store import save_template, shipped_forms
from hub.reports.template import CellKind, template_from_dict
from tests.reports.conftest import FORM, Corner, Desk, file_report, local
from tests.reports.spreadsheet import recalculated


def people_workbook(**changes: Any) -> bytes:
    """A commune's monthly form as a person would make it in Excel."""
    book = Workbook()
    sheet = book.active
    sheet.title = "Biểu 01-X"
    sheet["A1"] = "ỦY BAN NHÂN DÂN XÃ"
    sheet["A2"] = "BÁO CÁO TÌNH HÌNH KINH TẾ - XÃ HỘI THÁNG"
    sheet.merge_cells("A2:G2")
    for letter, text in zip(
        "ABCDEFG",
        [
            "STT",
            "Chỉ tiêu",
            "Đơn vị tính",
            "Tháng này",
            "Cùng kỳ năm trước",
            "So sánh (%)",
            "Ghi chú",
        ],
        strict=True,
    ):
        sheet[f"{letter}4"] = text
    for letter, text in zip("ABCDEF", ["A", "B", "C", 1, 2, "3=1/2"], strict=True):
        sheet[f"{letter}5"] = text
    sheet["A6"], sheet["B6"] = "I", "Nông nghiệp"
    sheet["B6"].font = Font(bold=True)
    rows = [
        ("1", "Diện tích lúa", "ha"),
        ("2", "Diện tích ngô", "ha"),
        ("3", "Tổng diện tích", "ha"),
    ]
    for number, (code, label, unit) in enumerate(rows, start=7):
        sheet[f"A{number}"], sheet[f"B{number}"], sheet[f"C{number}"] = code, label, unit
        sheet[f"B{number}"].alignment = Alignment(indent=1)
        sheet[f"E{number}"] = f"=LASTYEAR!D{number}"
        sheet[f"F{number}"] = f'=IFERROR(D{number}/E{number}*100,"")'
    sheet["D7"] = 120  # a sample value: not part of the form
    sheet["D9"] = "=SUM(D7:D8)"
    sheet["B11"] = "Người lập biểu"
    for where, value in changes.items():
        sheet[where] = value
    buffer = BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_a_workbook_comes_across_with_labels_layout_and_formulas() -> None:
    template = template_from_workbook(people_workbook(), {"code": "X-01"})
    assert template.code == "X-01" and template.name == "BÁO CÁO TÌNH HÌNH KINH TẾ - XÃ HỘI THÁNG"
    assert [(r.row, r.code, r.label, r.unit, r.indent) for r in template.rows] == [
        (6, "I", "Nông nghiệp", None, 0),
        (7, "1", "Diện tích lúa", "ha", 1),
        (8, "2", "Diện tích ngô", "ha", 1),
        (9, "3", "Tổng diện tích", "ha", 1),
    ]
    assert [(c.column, c.label) for c in template.columns] == [
        ("D", "Tháng này"),
        ("E", "Cùng kỳ năm trước"),
        ("F", "So sánh (%)"),
        ("G", "Ghi chú"),
    ]
    assert template.layout.header_row == 5 and template.layout.sheet == "Biểu 01-X"
    assert template.layout.texts["A2"].startswith("BÁO CÁO") and "A2:G2" in template.layout.merged
    assert template.layout.texts["B11"] == "Người lập biểu"
    cells = template.cells
    assert cells["D7"].kind is CellKind.ROLLUP and cells["G8"].kind is CellKind.ROLLUP
    assert cells["D9"].formula == "=SUM(D7:D8)"
    assert cells["E8"].formula == "=LASTYEAR(D8)"  # the sheet reference becomes the function
    assert "D6" not in cells  # a heading has no cells
    assert template.deadlines == {"COMMUNE": 2, "DISTRICT": 4, "PROVINCE": 6}

    got = compute(template, {"D7": 30.0, "D8": 12.0}, OtherPeriods(last_year={"D9": 40.0}))
    assert got.values["D9"] == 42.0 and got.values["F9"] == pytest.approx(42 / 40 * 100)


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"D8": "=D9-1"}, "D8: circular reference D8 → D9 → D8"),
        ({"D8": "=VLOOKUP(D7,A1:B2,2)+FOO(1)"}, "D8: unknown function FOO"),
        ({"D8": "=D7+Z40"}, "D8: Z40 refers to Z40, which is not a value cell of the form"),
        ({"D8": "=SUM(B7:D7)"}, "D8: B7:D7 reaches outside the form's value cells"),
    ],
)
def test_a_workbook_with_a_bad_formula_is_rejected(change: dict[str, str], expected: str) -> None:
    with pytest.raises(TemplateError) as raised:
        template_from_workbook(people_workbook(**change), {"code": "X-01"})
    assert expected in raised.value.problems


def test_a_workbook_without_a_header_or_code_is_rejected() -> None:
    with pytest.raises(TemplateError, match="no header row found"):
        template_from_workbook(people_workbook(B4="Tên"), {"code": "X"})
    with pytest.raises(TemplateError, match="give the template's code"):
        template_from_workbook(people_workbook())
    with pytest.raises(TemplateError, match=r"not an \.xlsx workbook"):
        template_from_workbook(b"not a workbook", {"code": "X"})


def test_an_exported_form_imports_back_whole() -> None:
    template = template_from_dict(FORM)
    again = template_from_workbook(template_workbook(template))
    assert again.cells == template.cells
    assert [(r.row, r.code, r.label, r.unit, r.aggregation) for r in again.rows] == [
        (r.row, r.code, r.label, r.unit, r.aggregation) for r in template.rows
    ]
    assert (again.code, again.deadlines, again.calendar) == (
        template.code,
        template.deadlines,
        template.calendar,
    )


def test_an_exported_report_keeps_its_formulas(corner: Corner) -> None:
    Desk(corner.hub).do("save", "23281", "2025-03", local(2025, 3, 14), {"D6": 50, "D7": 4})
    with corner.hub.db.sessions() as session:
        located = Desk(corner.hub).located(session, "23281", "2025-03")
        content = report_workbook(session, located, WorkingDays(), local(2025, 3, 14).date())
    book = load_workbook(BytesIO(content))
    form = book["Biểu 01"]
    assert form["D9"].value == "=SUM(D6:D7)" and form["E6"].value == "=PREV!D6"
    assert form["G6"].value == "=YTD!D6" and form["D6"].value == 50
    assert book["YTD"]["D6"].value == "=0.0+'Biểu 01'!D6"
    assert form["B6"].value == "Diện tích gieo trồng" and form["C6"].value == "ha"


def same(hub_value: CellValue, sheet_value: Any) -> bool:
    """A value of the hub and one of LibreOffice's are the same value."""
    if hub_value in (None, ""):
        return sheet_value in (None, "")
    if isinstance(hub_value, CellError):
        return sheet_value == hub_value.code
    if isinstance(hub_value, float):
        return isinstance(sheet_value, int | float) and sheet_value == pytest.approx(
            hub_value, rel=1e-12, abs=1e-12
        )
    return sheet_value == hub_value


def test_libreoffice_recomputes_an_exported_report_to_the_hubs_values(
    corner: Corner, tmp_path: Path
) -> None:
    hub = corner.hub
    file_report(hub, "23281", "2024-03", {"D6": 33.3, "D7": 3, "D8": 9}, local(2024, 3, 14))
    file_report(hub, "23281", "2025-01", {"D6": 20.25, "D7": 1, "D8": 10}, local(2025, 1, 14))
    file_report(hub, "23281", "2025-02", {"D6": 40.5, "D7": 0, "D8": 11}, local(2025, 2, 14))
    Desk(hub).do(
        "save", "23281", "2025-03", local(2025, 3, 14), {"D6": 50.1, "D7": 7, "D8": 12, "D11": 2}
    )
    file_report(
        hub,
        "23284",
        "2025-03",
        {"D6": 1.7, "D7": 0, "D8": 3},
        local(2025, 3, 14),
        approved=local(2025, 3, 15),
    )
    checked, errors = 0, 0
    for unit in ("23281", "608"):
        with hub.db.sessions() as session:
            located = Desk(hub).located(session, unit, "2025-03")
            day = local(2025, 3, 16).date()
            shown = view(session, located, WorkingDays(), day)
            content = report_workbook(session, located, WorkingDays(), day)
        sheet = recalculated(content, tmp_path / unit)["Biểu 01"]
        for address, value in shown.values.items():
            assert same(value, sheet.get(address)), (unit, address, value, sheet.get(address))
            checked += 1
            errors += isinstance(value, CellError)
    assert checked == 2 * len(template_from_dict(FORM).cells)
    assert errors >= 2  # #DIV/0! of the previous month's rate, and of the district's rate


NEWER_FUNCTIONS = [
    '=IFS(D6>100,"lớn",D6>10,"vừa",TRUE,"nhỏ")',
    '=SWITCH(D7,7,"bảy",0,"không","khác")',
    '=CONCAT(D7,"-",D8)',
    '=TEXTJOIN("/",TRUE,D6,D7,D8)',
    '=MAXIFS(D6:D8,D6:D8,"<20")',
    '=MINIFS(D6:D8,D6:D8,">5")',
    "=IFNA(NA(),D7)",
    "=ROUND(STDEV.S(D6:D8),6)",
    "=VAR.P(D6:D8)",
    "=XOR(D7>5,D8>5)",
    "=CEILING.MATH(D6,5)",
    '=IFS(PREV(D6)>D6,"giảm",TRUE,"tăng")',
    "=DAYS(45000,44000)",
    "=PERCENTILE.INC(D6:D8,0.4)",
    "=RANK.EQ(D7,D6:D8)",
]
"""Functions Excel added after 2007, which a workbook file stores as ``_xlfn.IFS``."""


def newer_functions_form() -> dict[str, Any]:
    form = {**FORM, "code": "TEST-NEW", "rows": list(FORM["rows"])}
    blank: dict[str, Any] = {"E": None, "F": None, "G": None}
    for number, formula in enumerate(NEWER_FUNCTIONS, start=12):
        cells = {"D": formula, **blank}
        form["rows"].append({"row": number, "label": formula, "cells": cells})
    return form


def test_functions_newer_than_excel_2007_are_stored_with_their_prefix() -> None:
    template = template_from_dict(newer_functions_form())
    form = load_workbook(BytesIO(template_workbook(template)))["Biểu 01"]
    assert form["D12"].value == '=_xlfn.IFS(D6>100,"lớn",D6>10,"vừa",TRUE,"nhỏ")'
    assert form["D15"].value == '=_xlfn.TEXTJOIN("/",TRUE,D6,D7,D8)'
    assert form["D19"].value == "=ROUND(_xlfn.STDEV.S(D6:D8),6)"
    assert form["D23"].value == '=_xlfn.IFS(PREV!D6>D6,"giảm",TRUE,"tăng")'
    assert form["D9"].value == "=SUM(D6:D7)"  # Excel 2007's own: bare
    again = template_from_workbook(template_workbook(template))
    assert again.cells == template.cells  # read back without the prefixes


def test_libreoffice_reads_newer_functions_of_an_exported_report_as_the_hub(
    corner: Corner, tmp_path: Path
) -> None:
    hub = corner.hub
    with hub.db.session() as session:
        save_template(session, template_from_dict(newer_functions_form()), "test", [])
    desk, february = Desk(hub), local(2025, 2, 14)
    desk.do("save", "23281", "2025-02", february, {"D6": 60, "D7": 1}, form="TEST-NEW")
    desk.do("submit", "23281", "2025-02", february, form="TEST-NEW")
    values = {"D6": 50.1, "D7": 7, "D8": 12, "D11": 2}
    desk.do("save", "23281", "2025-03", local(2025, 3, 14), values, form="TEST-NEW")
    with hub.db.sessions() as session:
        located = Desk(hub).located(session, "23281", "2025-03", form="TEST-NEW")
        day = local(2025, 3, 16).date()
        shown = view(session, located, WorkingDays(), day)
        content = report_workbook(session, located, WorkingDays(), day)
    sheet = recalculated(content, tmp_path)["Biểu 01"]
    newer = {f"D{row}" for row in range(12, 12 + len(NEWER_FUNCTIONS))}
    assert newer <= set(shown.values)
    assert [shown.values[f"D{row}"] for row in (12, 13, 14, 23)] == ["vừa", "bảy", "7-12", "giảm"]
    for address, value in shown.values.items():
        assert same(value, sheet.get(address)), (address, value, sheet.get(address))


def test_the_shipped_form_imports_back_with_its_input_rules() -> None:
    (shipped,) = [form for form in shipped_forms() if form["code"] == "KTXH-XA-THANG"]
    template = template_from_dict(shipped)
    again = template_from_workbook(template_workbook(template))
    assert again.cells == template.cells
    required = [cell for cell in again.cells.values() if cell.required]
    assert len(required) == 26 and {cell.minimum for cell in required} == {0}
