"""The excel connector kind, on workbooks built here with openpyxl."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook

from hub.connectors.base import Connector
from hub.connectors.errors import PermanentSourceError
from hub.connectors.records import BadRecord, Checkpoint, Observation

Rows = list[list[Any]]

GRDP_ROWS: Rows = [
    ["Tổng sản phẩm trên địa bàn (tỷ đồng)"],
    [],
    ["Mã", "Đơn vị", "Quý I/2024", "Quý II/2024", "Quý III/2024"],
    [62, "Tỉnh Kon Tum", 8600.5, 9600, 10100.2],
    ["608 - Thành phố Kon Tum", None, 3500, 3900.5, 4100],
    ["Huyện Đắk Hà", None, 900.1, None, 1000],  # an empty cell: missing, not zero
    ["610", "Huyện Đắk Glei", 400, 420, "n/a"],
]


def workbook(path: Path, sheets: dict[str, Rows]) -> str:
    book = Workbook()
    book.remove(book.active)
    for name, rows in sheets.items():
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append(row)
    book.save(path)
    return str(path)


@pytest.fixture
def excel(tmp_path: Path, make_connector: Callable[..., Connector]) -> Callable[..., Connector]:
    def build(sheets: dict[str, Rows], layouts: list[dict[str, Any]], **table: Any) -> Connector:
        location = workbook(tmp_path / "book.xlsx", sheets)
        return make_connector("excel", location=location, sheets=layouts, **table)

    return build


def grdp_layout(**changes: Any) -> dict[str, Any]:
    return {"name": "GRDP", "header_row": 3, "first_data_column": "C", "metric": "grdp", **changes}


def observations(items: list[Any]) -> dict[tuple[str, str], Any]:
    return {(i.unit, i.period): i.value for i in items if isinstance(i, Observation)}


def bad(items: list[Any]) -> list[BadRecord]:
    return [i for i in items if isinstance(i, BadRecord)]


def test_units_down_periods_across(excel: Callable[..., Connector]) -> None:
    connector = excel({"GRDP": GRDP_ROWS}, [grdp_layout()], units={"Huyện Đắk Hà": "615"})

    items = list(connector.read({}, full=False))

    assert observations(items) == {
        ("62", "2024-Q1"): 8600.5,
        ("62", "2024-Q2"): 9600,
        ("62", "2024-Q3"): 10100.2,
        ("608", "2024-Q1"): 3500,
        ("608", "2024-Q2"): 3900.5,
        ("608", "2024-Q3"): 4100,
        ("615", "2024-Q1"): 900.1,
        ("615", "2024-Q3"): 1000,
        ("610", "2024-Q1"): 400,
        ("610", "2024-Q2"): 420,
    }
    first = next(i for i in items if isinstance(i, Observation))
    assert first.metric == "grdp"
    assert (first.place, first.source_id) == ("Sheet 'GRDP' cell C4", "GRDP!C4")
    assert isinstance(items[-1], Checkpoint)


def test_a_text_where_a_number_belongs_names_the_sheet_and_cell(
    excel: Callable[..., Connector],
) -> None:
    connector = excel({"GRDP": GRDP_ROWS}, [grdp_layout()], units={"Huyện Đắk Hà": "615"})

    [problem] = bad(list(connector.read({}, full=False)))

    assert problem.reason == "Sheet 'GRDP' cell E7: 'n/a' is not a number"
    assert problem.place == "Sheet 'GRDP' cell E7"
    assert problem.payload == {
        "key": {"UNIT": "610"},
        "period": "2024-Q3",
        "value": "n/a",
        "source_id": "GRDP!E7",
    }


def test_missing_value_markers_are_empty_cells(excel: Callable[..., Connector]) -> None:
    connector = excel(
        {"GRDP": GRDP_ROWS}, [grdp_layout(missing_values=["n/a"])], units={"Huyện Đắk Hà": "615"}
    )

    items = list(connector.read({}, full=False))

    assert bad(items) == []
    assert ("610", "2024-Q3") not in observations(items)


def test_a_unit_neither_mapped_nor_a_gso_code(excel: Callable[..., Connector]) -> None:
    connector = excel({"GRDP": GRDP_ROWS}, [grdp_layout(missing_values=["n/a"])])

    problems = bad(list(connector.read({}, full=False)))

    assert [p.reason for p in problems] == [
        f"Sheet 'GRDP' cell {cell}: unit 'Huyện Đắk Hà' (UNIT) is neither in the units "
        "mapping nor a GSO code"
        for cell in ("C6", "E6")
    ]


def test_headers_that_are_not_periods(excel: Callable[..., Connector]) -> None:
    rows: Rows = [
        ["Mã", "Tháng 1/2024", "Tháng 2/2024", "Ghi chú", "Tháng 13/2024", None, "Ước tính"],
        ["608", 1200, 1150, "số liệu sơ bộ", 10, 5, None],
        ["610", 130, 128, None, None, None, None],
    ]
    connector = excel({"BL": rows}, [{"metric": "retail_sales"}])

    items = list(connector.read({}, full=False))

    assert observations(items) == {
        ("608", "2024-01"): 1200,
        ("608", "2024-02"): 1150,
        ("610", "2024-01"): 130,
        ("610", "2024-02"): 128,
    }
    assert [p.reason for p in bad(items)] == [
        "Sheet 'BL' cell D1: header 'Ghi chú' is not a period, and the column has values",
        "Sheet 'BL' cell E1: header 'Tháng 13/2024' is not a period, and the column has values",
        "Sheet 'BL' cell F1: the column has values but no period header",
    ]  # "Ước tính" heads an empty column: nothing is lost, nothing to say
    assert bad(items)[0].payload == {"header": "Ghi chú", "values": ["số liệu sơ bộ", None]}


def test_the_last_data_column_leaves_a_notes_column_out(excel: Callable[..., Connector]) -> None:
    rows: Rows = [["Mã", "2024", "2025", "Ghi chú"], ["608", 1, 2, "ước"]]
    connector = excel({"S": rows}, [{"metric": "population", "last_data_column": "C"}])

    items = list(connector.read({}, full=False))

    assert observations(items) == {("608", "2024"): 1, ("608", "2025"): 2}
    assert bad(items) == []


def test_date_and_number_headers(excel: Callable[..., Connector]) -> None:
    rows: Rows = [
        ["Mã", datetime(2024, 1, 1), datetime(2024, 2, 1), 2024],
        ["617", 10.5, 11, 130],
    ]
    connector = excel({"S": rows}, [{"metric": "budget_revenue"}])

    assert observations(list(connector.read({}, full=False))) == {
        ("617", "2024-01"): 10.5,
        ("617", "2024-02"): 11,
        ("617", "2024"): 130,
    }


def test_a_metric_column(excel: Callable[..., Connector]) -> None:
    rows: Rows = [
        ["Mã", "Chỉ tiêu", "T01/2024", "T02/2024"],
        ["608", "TN", 3000, 2500],
        ["608", "DH", 2950, 2480],
        ["608", "XX", 1, 1],
        ["608", None, 5, None],
    ]
    metrics = {"TN": "admin_dossiers_received", "DH": "admin_dossiers_resolved_on_time"}
    layout = {"metric_column": "B", "first_data_column": "C"}
    connector = excel({"TTHC": rows}, [layout], metrics=metrics)

    items = list(connector.read({}, full=False))

    by_metric = {(i.metric, i.period): i.value for i in items if isinstance(i, Observation)}
    assert by_metric == {
        ("admin_dossiers_received", "2024-01"): 3000,
        ("admin_dossiers_received", "2024-02"): 2500,
        ("admin_dossiers_resolved_on_time", "2024-01"): 2950,
        ("admin_dossiers_resolved_on_time", "2024-02"): 2480,
    }
    assert [p.reason for p in bad(items)] == [
        "Sheet 'TTHC' cell C4: indicator code 'XX' (METRIC) is not in the metrics mapping",
        "Sheet 'TTHC' cell D4: indicator code 'XX' (METRIC) is not in the metrics mapping",
        "Sheet 'TTHC' cell C5: indicator code '' (METRIC) is not in the metrics mapping",
    ]


def test_a_row_with_values_but_no_unit(excel: Callable[..., Connector]) -> None:
    rows: Rows = [["Mã", "2024"], ["608", 1], [None, 7], [None, None], ["  ", None]]
    connector = excel({"S": rows}, [{"metric": "population"}])

    [problem] = bad(list(connector.read({}, full=False)))

    assert problem.reason == "Sheet 'S' cell A3: the row has values but no unit"
    assert problem.payload == {"2024": 7}


def test_a_formula_excel_never_calculated(excel: Callable[..., Connector]) -> None:
    rows: Rows = [["Mã", "2023", "2024"], ["608", 1, "=B2*2"]]
    connector = excel({"S": rows}, [{"metric": "population"}])

    items = list(connector.read({}, full=False))

    assert observations(items) == {("608", "2023"): 1}
    assert [p.reason for p in bad(items)] == [
        "Sheet 'S' cell C2: formula =B2*2 has no saved value (open and save the workbook in Excel)"
    ]


def test_several_sheets_and_scale(excel: Callable[..., Connector]) -> None:
    sheets = {
        "Dân số": [["Mã", 2024], ["608", 182000]],
        "GRDP": [["Mã", "Năm 2024"], ["62", 40_000_000]],  # in million VND
    }
    layouts = [
        {"name": "GRDP", "metric": "grdp", "fixed_dims": {"price_basis": "current"}},
        {"name": "Dân số", "metric": "population"},
    ]
    connector = excel(sheets, layouts, scale={"grdp": 0.001})

    items = [i for i in connector.read({}, full=False) if isinstance(i, Observation)]

    assert [(i.metric, i.unit, i.period, i.value, i.dims) for i in items] == [
        ("grdp", "62", "2024", 40_000.0, {"price_basis": "current"}),
        ("population", "608", "2024", 182000, {}),
    ]


def test_a_missing_sheet(excel: Callable[..., Connector]) -> None:
    connector = excel({"GRDP": GRDP_ROWS}, [grdp_layout(name="Thu NS")])

    [problem] = bad(list(connector.read({}, full=False)))
    assert problem.reason == "Sheet 'Thu NS': no sheet 'Thu NS' (sheets: GRDP)"
    with pytest.raises(PermanentSourceError, match="no sheet 'Thu NS'"):
        connector.check()


def test_a_file_that_is_not_a_workbook(
    tmp_path: Path, make_connector: Callable[..., Connector]
) -> None:
    path = tmp_path / "book.xlsx"
    path.write_text("Mã,2024\n608,1\n")
    connector = make_connector("excel", location=str(path), sheets=[{"metric": "population"}])

    items = list(connector.read({}, full=False))

    assert items[0].reason.startswith("workbook: not an Excel workbook (.xlsx)")
    assert isinstance(items[1], Checkpoint)
    with pytest.raises(PermanentSourceError, match="not an Excel workbook"):
        connector.check()


def test_check_describes_the_sheets(excel: Callable[..., Connector]) -> None:
    connector = excel({"GRDP": GRDP_ROWS}, [grdp_layout()], units={"Huyện Đắk Hà": "615"})

    assert connector.check() == (
        "Excel workbook: sheet 'GRDP' with 4 rows × 3 periods (2024-Q1 … 2024-Q3); "
        "10 values map to observations, 1 would be quarantined "
        "(first: Sheet 'GRDP' cell E7: 'n/a' is not a number)"
    )


@pytest.mark.parametrize(
    ("layout", "message"),
    [
        ({}, "give either metric"),
        ({"metric": "grdp", "metric_column": "B"}, "give either metric"),
        ({"metric": "grdp", "unit_column": "A1"}, "not a column letter"),
        ({"metric": "grdp", "header_row": 0}, "greater than or equal to 1"),
        ({"metric": "grdp", "colour": "red"}, "Extra inputs are not permitted"),
    ],
)
def test_layouts_that_do_not_validate(
    make_connector: Callable[..., Connector], layout: dict[str, Any], message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        make_connector("excel", location="book.xlsx", sheets=[layout])


POPULATION_AS_TEXT: Rows = [
    ["Mã", "Đơn vị", "2024"],
    ["62", "Tỉnh Kon Tum", "580.400"],  # typed as text, as a Vietnamese office writes it
    ["608", "Thành phố Kon Tum", "178.771"],
    ["610", "Huyện Đắk Glei", "1.595,4"],
    ["615", "Huyện Đắk Hà", "12,5"],
    ["618", "Huyện Ngọc Hồi", 48123],  # a number cell is a number whatever the convention
]


@pytest.mark.parametrize(
    ("convention", "expected"),
    [
        (None, {"62": 580400, "608": 178771, "610": 1595.4, "615": 12.5, "618": 48123}),
        ("vi", {"62": 580400, "608": 178771, "610": 1595.4, "615": 12.5, "618": 48123}),
        ("en", {"62": 580.4, "608": 178.771, "610": 1595.4, "615": 12.5, "618": 48123}),
    ],
)
def test_numbers_typed_as_text_are_read_by_the_workbooks_convention(
    excel: Callable[..., Connector], convention: str | None, expected: dict[str, float]
) -> None:
    layout = {"name": "DS", "header_row": 1, "first_data_column": "C", "metric": "population"}
    table = {} if convention is None else {"numbers": convention}  # None: the kind's default
    connector = excel({"DS": POPULATION_AS_TEXT}, [layout], **table)

    items = list(connector.read({}, full=False))

    assert bad(items) == []
    assert {unit: value for (unit, _), value in observations(items).items()} == pytest.approx(
        expected
    )
