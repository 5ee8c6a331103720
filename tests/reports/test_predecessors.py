"""PREV, LASTYEAR and YTD across the 2025 reform: a new commune reads its predecessors' reports.

The successions of the test corner (expected values are worked out by hand below):
Phường Quang Trung (23281) and Phường Duy Tân (23284) went whole into Phường Kon Tum (23293);
half of Phường Quyết Thắng (23287) went into it too (a split, weight 0.5); Thị trấn Đắk Glei
(23341, legacy) and Xã Đắk Pék (23353) went whole into Xã Đăk Pék (23341, new).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from hub.model import Succession
from hub.reports.assemble import locate, view
from hub.reports.schedule import WorkingDays
from hub.reports.sheet import OtherPeriods
from tests.reports.conftest import REFORM, Corner, Desk, file_report, local

SUCCESSIONS = [  # (legacy commune, new commune, kind, weight)
    ("23281", "23293", "MERGE", 1.0),
    ("23284", "23293", "MERGE", 1.0),
    ("23287", "23293", "SPLIT", 0.5),
    ("23341", "23341", "MERGE", 1.0),
    ("23353", "23341", "MERGE", 1.0),
    ("62", "51", "MERGE", 1.0),
]
JUNE = {  # reporting month 2025-06 (15 May – 14 June 2025): D6 area, D7 births, D8 poor homes
    "23281": {"D6": 10, "D7": 4, "D8": 30},
    "23284": {"D6": 20, "D7": 6, "D8": 50},
    "23287": {"D6": 8, "D7": 2, "D8": 40},
    "23341": {"D6": 5, "D7": 1, "D8": 12},
    "23353": {"D6": 7, "D7": 3, "D8": 20},
}
MAY = {"23281": {"D6": 1}, "23284": {"D6": 2}, "23287": {"D6": 4}}
AUGUST_2024 = {"23281": {"D6": 3, "D7": 1}, "23287": {"D6": 6, "D7": 2}}


@pytest.fixture
def reformed(corner: Corner) -> Corner:
    with corner.hub.db.session() as session:
        for old, new, kind, weight in SUCCESSIONS:
            session.add(
                Succession(
                    predecessor_id=corner.units[(old, "legacy")],
                    successor_id=corner.units[(new, "new")],
                    effective=REFORM,
                    kind=kind,
                    weight=weight,
                )
            )
    for period, reports, day in (
        ("2024-08", AUGUST_2024, local(2024, 8, 15)),
        ("2025-05", MAY, local(2025, 5, 15)),
        ("2025-06", JUNE, local(2025, 6, 16)),
    ):
        for unit, values in reports.items():
            file_report(corner.hub, unit, period, values, day)
    return corner


def cells(corner: Corner, unit: str, period: str, day: date) -> dict[str, object]:
    with corner.hub.db.sessions() as session:
        shown = view(session, locate(session, "TEST-01", unit, period), WorkingDays(), day)
        codes = {unit_id: code for (code, _), unit_id in corner.units.items()}
        return {
            **shown.values,
            "estimated": shown.other.estimated,
            "from": tuple(codes[unit_id] for unit_id in shown.other.predecessors),
        }


def test_prev_and_ytd_of_a_new_commune_come_from_its_predecessors(reformed: Corner) -> None:
    july = "2025-07"  # 15 June – 14 July 2025: filed by the 2025 communes
    Desk(reformed.hub).do("save", "23293", july, local(2025, 7, 14), {"D6": 50, "D7": 10})
    found = cells(reformed, "23293", july, date(2025, 7, 14))
    # PREV: 23281 + 23284 + half of 23287, cell by cell.
    assert found["E6"] == 10 + 20 + 0.5 * 8  # 34
    assert found["E7"] == 4 + 6 + 0.5 * 2  # 11
    assert found["E8"] == 30 + 50 + 0.5 * 40  # a stock adds up too: 100
    assert found["E9"] == 34 + 11  # the total's formula, on the combined parts
    # A ratio is computed again on the sums, not added up: 34 / 11, not 250 + 333 + 400 / 2.
    assert found["E10"] == pytest.approx(34 / 11 * 100)
    assert found["F6"] == pytest.approx(50 / 34 * 100)
    # Year to date: May (1 + 2 + 4/2 = 5) and June (34) inherited, plus July's own 50.
    assert found["G6"] == 5 + 34 + 50
    assert found["estimated"] is True  # half of a divided commune is an estimate
    assert found["from"] == ("23281", "23284", "23287")


def test_a_merge_of_whole_communes_is_not_estimated(reformed: Corner) -> None:
    july = "2025-07"
    Desk(reformed.hub).do("save", "23341", july, local(2025, 7, 14), {"D6": 20, "D7": 5})
    found = cells(reformed, "23341", july, date(2025, 7, 14))
    assert (found["E6"], found["E7"], found["E8"]) == (5 + 7, 1 + 3, 12 + 20)
    assert found["E10"] == pytest.approx(12 / 4 * 100)  # not (500 + 233.3)
    assert found["G6"] == 12 + 20  # June inherited; no predecessor filed May
    assert found["estimated"] is False and found["from"] == ("23341", "23353")


def test_same_period_last_year_reads_the_predecessors(reformed: Corner) -> None:
    with reformed.hub.db.sessions() as session:
        other = read_by(session, "23293", "2025-08")
    assert other.last_year["D6"] == 3 + 0.5 * 6  # 23284 did not file 2024-08: not zero, absent
    assert other.last_year["D7"] == 1 + 0.5 * 2
    assert other.last_year["D10"] == pytest.approx(6 / 2 * 100)
    # PREV of August is July, which the new commune files itself (nothing there yet).
    assert other.previous == {}
    # Year to date of August: May and June inherited (5, 34), July not filed.
    assert [values["D6"] for values in other.earlier_this_year] == [5, 34]


def test_a_change_in_a_predecessors_report_reaches_the_new_commune(reformed: Corner) -> None:
    july = "2025-07"
    before = cells(reformed, "23293", july, date(2025, 7, 14))["E6"]
    Desk(reformed.hub).do("approve", "23281", "2025-06", local(2025, 7, 1))
    Desk(reformed.hub).do("reopen", "23281", "2025-06", local(2025, 7, 1), "Sửa số liệu")
    Desk(reformed.hub).do("save", "23281", "2025-06", local(2025, 7, 1), {"D6": 16})
    after = cells(reformed, "23293", july, date(2025, 7, 14))["E6"]
    assert (before, after) == (34, 40)


def test_without_successions_a_new_commune_reads_blanks(corner: Corner) -> None:
    for unit, values in JUNE.items():
        file_report(corner.hub, unit, "2025-06", values, local(2025, 6, 16))
    with corner.hub.db.sessions() as session:
        other = read_by(session, "23293", "2025-07")
    assert other.previous == {} and other.earlier_this_year == [] and not other.estimated


def test_the_api_says_where_the_values_came_from(reformed: Corner) -> None:
    from litestar.testing import TestClient

    from hub.graphql.app import create_app
    from hub.reports import clock

    query = """{ report(template: "TEST-01", unit: "23293", period: "2025-07") {
        estimated inheritedFrom { code name } cells { address value } } }"""
    clock_now = clock.now
    clock.now = lambda: local(2025, 7, 14)  # type: ignore[assignment]
    try:
        with TestClient(create_app(reformed.hub)) as client:
            body = client.post("/graphql", json={"query": query}).json()
    finally:
        clock.now = clock_now  # type: ignore[assignment]
    report = body["data"]["report"]
    assert report["estimated"] is True
    assert [unit["code"] for unit in report["inheritedFrom"]] == ["23281", "23284", "23287"]
    assert {c["address"]: c["value"] for c in report["cells"]}["E6"] == 34


def test_libreoffice_recomputes_an_inheriting_report_to_the_hubs_values(
    reformed: Corner, tmp_path: Path
) -> None:
    from hub.reports.excel_export import report_workbook
    from tests.reports.spreadsheet import recalculated
    from tests.reports.test_excel import same

    july, day = "2025-07", date(2025, 7, 14)
    Desk(reformed.hub).do("save", "23293", july, local(2025, 7, 14), {"D6": 50, "D7": 10})
    with reformed.hub.db.sessions() as session:
        located = locate(session, "TEST-01", "23293", july)
        shown = view(session, located, WorkingDays(), day)
        content = report_workbook(session, located, WorkingDays(), day)
    sheet = recalculated(content, tmp_path)["Biểu 01"]
    assert shown.values["E6"] == 34 and shown.values["G6"] == 89
    for address, value in shown.values.items():
        assert same(value, sheet.get(address)), (address, value, sheet.get(address))


def test_a_new_province_reads_the_merged_provinces_roll_up(reformed: Corner) -> None:
    # Approved June reports roll up: Quang Trung into Kon Tum city, the city into Kon Tum (62).
    desk = Desk(reformed.hub)
    desk.do("approve", "23281", "2025-06", local(2025, 6, 17))
    desk.do("approve", "23284", "2025-06", local(2025, 6, 17))
    file_report(reformed.hub, "608", "2025-06", {}, local(2025, 6, 18), local(2025, 6, 19))
    with reformed.hub.db.sessions() as session:
        other = read_by(session, "51", "2025-07")
    # Quảng Ngãi (51) of 1 July 2025 was made of Kon Tum (62) whole: 62's June report as it is.
    assert other.previous["D6"] == 10 + 20  # the approved communes of the approved district
    assert other.previous["D7"] == 4 + 6
    assert not other.estimated


def read_by(session: Session, unit: str, period: str) -> OtherPeriods:
    """What the unit's report of ``period`` reads of other periods."""
    located = locate(session, "TEST-01", unit, period)
    return view(session, located, WorkingDays(), located.period.end).other
