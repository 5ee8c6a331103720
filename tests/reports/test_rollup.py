"""Roll-up by level: district from communes, province from districts (or communes since July
2025); missing and late units; recomputed when a late one arrives; locked once approved."""

from __future__ import annotations

from datetime import datetime

import pytest

from hub.reports.assemble import ReportView, view
from hub.reports.errors import InputError
from hub.reports.schedule import WorkingDays
from tests.reports.conftest import Corner, Desk, file_report, local

MARCH = "2025-03"  # cut-off Friday 14 March 2025; communes due 18 March, districts 20 March
QUANG_TRUNG = {"D6": 10, "D7": 2, "D8": 5}
DUY_TAN = {"D6": 20, "D7": 0, "D8": 7}


def shown(corner: Corner, unit: str, period: str, at: datetime) -> ReportView:
    with corner.hub.db.sessions() as session:
        located = Desk(corner.hub).located(session, unit, period)
        return view(session, located, WorkingDays(), at.date())


def lower(report: ReportView) -> dict[str, tuple[str, str, bool]]:
    return {
        each.unit.code: (
            each.report.status if each.report else "NOT_STARTED",
            each.timeliness.value,
            each.included,
        )
        for each in report.lower
    }


@pytest.fixture
def march(corner: Corner) -> Corner:
    """Quang Trung on time and approved; Duy Tân late and only submitted; Quyết Thắng missing."""
    file_report(corner.hub, "23281", MARCH, QUANG_TRUNG, local(2025, 3, 14), local(2025, 3, 17))
    file_report(corner.hub, "23284", MARCH, DUY_TAN, local(2025, 3, 19))
    return corner


def test_a_district_sums_its_communes_approved_reports_and_lists_the_others(
    march: Corner,
) -> None:
    district = shown(march, "608", MARCH, local(2025, 3, 19))
    assert lower(district) == {
        "23281": ("APPROVED", "ON_TIME", True),
        "23284": ("SUBMITTED", "LATE", False),
        "23287": ("NOT_STARTED", "MISSING", False),
    }
    assert district.values["D6"] == 10.0 and district.values["D8"] == 5.0
    assert district.values["D9"] == 12.0  # the formula, on the district's own values
    assert district.values["D10"] == pytest.approx(10 / 2 * 100)
    assert district.deadline.isoformat() == "2025-03-20"


def test_a_late_commune_is_rolled_up_when_it_arrives(march: Corner) -> None:
    Desk(march.hub).do("approve", "23284", MARCH, local(2025, 3, 20))
    district = shown(march, "608", MARCH, local(2025, 3, 20))
    assert lower(district)["23284"] == ("APPROVED", "LATE", True)
    assert district.values["D6"] == 10.0 + 20.0
    assert district.values["D8"] == 5.0 + 7.0  # a stock sums across units
    # A ratio is computed on the sums, never averaged: (10 + 20) / (2 + 0), not mean(500, n/a).
    assert district.values["D10"] == pytest.approx((10 + 20) / (2 + 0) * 100)
    stored = district.report  # approving the commune computed the district's report again
    assert stored is not None and stored.values["D6"] == 30.0


def test_a_district_adds_its_own_typed_cells_and_is_approved_by_the_province(
    march: Corner,
) -> None:
    district = Desk(march.hub, "huyen", "608")
    district.do("save", "608", MARCH, local(2025, 3, 19), {"D11": 3})
    with pytest.raises(InputError, match="D6 is summed from the lower level's reports"):
        district.do("save", "608", MARCH, local(2025, 3, 19), {"D6": 99})
    district.do("submit", "608", MARCH, local(2025, 3, 20))
    Desk(march.hub, "tinh", "62").do("approve", "608", MARCH, local(2025, 3, 21))
    province = shown(march, "62", MARCH, local(2025, 3, 25))
    assert lower(province) == {
        "608": ("APPROVED", "ON_TIME", True),
        "610": ("NOT_STARTED", "MISSING", False),
    }
    assert province.values["D6"] == 10.0 and province.values["D11"] is None
    assert shown(march, "608", MARCH, local(2025, 3, 25)).values["D11"] == 3.0


def test_an_approved_report_stays_as_approved_and_says_it_is_stale(march: Corner) -> None:
    Desk(march.hub).do("submit", "608", MARCH, local(2025, 3, 20))
    Desk(march.hub).do("approve", "608", MARCH, local(2025, 3, 20))
    assert shown(march, "608", MARCH, local(2025, 3, 21)).stale is False
    Desk(march.hub).do("approve", "23284", MARCH, local(2025, 3, 21))
    district = shown(march, "608", MARCH, local(2025, 3, 21))
    assert district.stale is True
    assert district.values["D6"] == 10.0  # locked: the late commune is not in it
    Desk(march.hub).do("reopen", "608", MARCH, local(2025, 3, 22), "Bổ sung phường Duy Tân")
    district = shown(march, "608", MARCH, local(2025, 3, 22))
    assert district.stale is False and district.values["D6"] == 30.0


def test_since_july_2025_the_province_sums_its_communes_directly(corner: Corner) -> None:
    august = "2025-08"  # 15 July – 14 August 2025, under the 2-level system
    file_report(
        corner.hub, "23293", august, {"D6": 7, "D7": 1}, local(2025, 8, 14), local(2025, 8, 15)
    )
    file_report(
        corner.hub, "23341", august, {"D6": 5, "D7": 3}, local(2025, 8, 14), local(2025, 8, 15)
    )
    province = shown(corner, "51", august, local(2025, 8, 20))
    assert set(lower(province)) == {"23293", "23341"}
    assert province.values["D6"] == 12.0 and province.values["D7"] == 4.0
    assert province.values["D10"] == pytest.approx(12 / 4 * 100)
