"""The workflow: draft, submit, approve or return, reopen; what is refused; the history."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from hub.model import Report, ReportStatus, ReportTransition
from hub.reports.assemble import ReportView, view
from hub.reports.errors import InputError, OutOfScope, WorkflowConflict
from hub.reports.schedule import WorkingDays
from tests.reports.conftest import Corner, Desk, local

MARCH = "2025-03"  # Decree 09: 15 Feb – 14 Mar 2025 (a Friday); opens on 11 Mar
ON_CUTOFF = local(2025, 3, 14)


def stored(corner: Corner, unit: str = "23281", period: str = MARCH) -> Report | None:
    with corner.hub.db.sessions() as session:
        return session.scalar(
            select(Report).where(
                Report.unit_id == corner.units[(unit, "legacy")], Report.period == period
            )
        )


def history(corner: Corner) -> list[tuple[str, str | None, str, str, str | None]]:
    with corner.hub.db.sessions() as session:
        rows = session.scalars(select(ReportTransition).order_by(ReportTransition.id))
        return [(r.action, r.from_status, r.to_status, r.actor, r.reason) for r in rows]


def count(corner: Corner, table: type) -> int:
    with corner.hub.db.sessions() as session:
        return session.scalar(select(func.count()).select_from(table)) or 0


def test_a_draft_is_saved_computed_and_recorded(corner: Corner) -> None:
    desk = Desk(corner.hub, "officer.quangtrung", "23281")
    desk.do("save", "23281", MARCH, ON_CUTOFF, {"D6": 12.5, "D7": "4"})
    desk.do("save", "23281", MARCH, ON_CUTOFF, {"D7": 5, "D8": 30})
    report = stored(corner)
    assert report is not None and report.status == ReportStatus.DRAFT
    assert report.inputs == {"D6": 12.5, "D7": 5.0, "D8": 30.0}
    assert report.values["D9"] == 17.5 and report.values["D10"] == pytest.approx(250.0)
    with corner.hub.db.sessions() as session:
        changes = [t.changes for t in session.scalars(select(ReportTransition))]
    assert changes == [
        {"D6": [None, 12.5], "D7": [None, 4.0]},
        {"D7": [4.0, 5.0], "D8": [None, 30.0]},
    ]
    assert history(corner)[0] == ("SAVE", "DRAFT", "DRAFT", "officer.quangtrung", None)


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"D6": "mười hai"}, "D6: 'mười hai' is not a number"),
        ({"D9": 3}, "D9 is computed by its formula; it cannot be typed in"),
        ({"Z1": 3}, "Z1 is not a value cell of the form"),
        ({"D6": 1, "D7": "x"}, "D7: 'x' is not a number"),
    ],
)
def test_bad_values_change_nothing(corner: Corner, values: dict, message: str) -> None:
    with pytest.raises(InputError, match=message):
        Desk(corner.hub).do("save", "23281", MARCH, ON_CUTOFF, values)
    assert stored(corner) is None
    assert count(corner, ReportTransition) == 0


def test_a_period_not_yet_open_is_refused(corner: Corner) -> None:
    with pytest.raises(InputError, match=r"2025-03 is not open yet: .* from 2025-03-11"):
        Desk(corner.hub).do("save", "23281", MARCH, local(2025, 3, 10), {"D6": 1})
    with pytest.raises(InputError, match="not open yet"):
        Desk(corner.hub).do("submit", "23281", MARCH, local(2025, 3, 10))
    Desk(corner.hub).do("save", "23281", MARCH, local(2025, 3, 11), {"D6": 1})
    assert count(corner, Report) == 1


def test_a_unit_outside_the_callers_territory_is_refused(corner: Corner) -> None:
    with pytest.raises(OutOfScope, match="outside their territory"):
        Desk(corner.hub, "officer.dakglei", "610").do("save", "23281", MARCH, ON_CUTOFF, {"D6": 1})
    Desk(corner.hub, "district.kontum", "608").do("save", "23281", MARCH, ON_CUTOFF, {"D6": 1})
    assert stored(corner) is not None


def test_a_commune_cannot_approve_its_own_report(corner: Corner) -> None:
    commune = Desk(corner.hub, "officer", "23281")
    commune.do("save", "23281", MARCH, ON_CUTOFF, {"D6": 1})
    commune.do("submit", "23281", MARCH, ON_CUTOFF)
    with pytest.raises(OutOfScope, match="for the level above it"):
        commune.do("approve", "23281", MARCH, ON_CUTOFF)
    Desk(corner.hub, "district", "608").do("approve", "23281", MARCH, ON_CUTOFF)
    assert stored(corner).status == ReportStatus.APPROVED


def test_an_approved_report_is_locked_until_reopened_with_a_reason(corner: Corner) -> None:
    commune, district = Desk(corner.hub, "xa", "23281"), Desk(corner.hub, "huyen", "608")
    commune.do("save", "23281", MARCH, ON_CUTOFF, {"D6": 10})
    commune.do("submit", "23281", MARCH, ON_CUTOFF)
    district.do("approve", "23281", MARCH, local(2025, 3, 17))
    before = count(corner, ReportTransition)
    with pytest.raises(WorkflowConflict, match="approved, so locked"):
        commune.do("save", "23281", MARCH, ON_CUTOFF, {"D6": 11})
    with pytest.raises(WorkflowConflict, match="already approved: it cannot be submitted again"):
        commune.do("submit", "23281", MARCH, ON_CUTOFF)
    with pytest.raises(InputError, match="a reason is required"):
        district.do("reopen", "23281", MARCH, ON_CUTOFF, "  ")
    assert count(corner, ReportTransition) == before
    assert stored(corner).inputs == {"D6": 10.0}

    district.do("reopen", "23281", MARCH, local(2025, 3, 18), "Sai số liệu diện tích")
    commune.do("save", "23281", MARCH, local(2025, 3, 18), {"D6": 11})
    assert stored(corner).status == ReportStatus.DRAFT
    assert history(corner) == [
        ("SAVE", "DRAFT", "DRAFT", "xa", None),
        ("SUBMIT", "DRAFT", "SUBMITTED", "xa", None),
        ("APPROVE", "SUBMITTED", "APPROVED", "huyen", None),
        ("REOPEN", "APPROVED", "DRAFT", "huyen", "Sai số liệu diện tích"),
        ("SAVE", "DRAFT", "DRAFT", "xa", None),
    ]


def test_return_with_a_reason_then_resubmit_keeps_the_first_submission(corner: Corner) -> None:
    commune, district = Desk(corner.hub, "xa"), Desk(corner.hub, "huyen")
    commune.do("save", "23281", MARCH, ON_CUTOFF, {"D6": 10})
    commune.do("submit", "23281", MARCH, ON_CUTOFF)
    with pytest.raises(WorkflowConflict, match="already submitted"):
        commune.do("submit", "23281", MARCH, ON_CUTOFF)
    with pytest.raises(WorkflowConflict, match="the report is submitted"):
        commune.do("save", "23281", MARCH, ON_CUTOFF, {"D6": 12})
    with pytest.raises(InputError, match="a reason is required"):
        district.do("send_back", "23281", MARCH, ON_CUTOFF, "")
    district.do("send_back", "23281", MARCH, local(2025, 3, 20), "Thiếu số trẻ em sinh ra")
    assert stored(corner).status == ReportStatus.RETURNED
    commune.do("save", "23281", MARCH, local(2025, 3, 21), {"D7": 3})
    commune.do("submit", "23281", MARCH, local(2025, 3, 21))
    report = stored(corner)
    assert report.first_submitted_at == ON_CUTOFF and report.submitted_at == local(2025, 3, 21)
    assert history(corner)[2] == (
        "RETURN",
        "SUBMITTED",
        "RETURNED",
        "huyen",
        "Thiếu số trẻ em sinh ra",
    )


def test_only_a_submitted_report_can_be_approved(corner: Corner) -> None:
    with pytest.raises(WorkflowConflict, match="not started; only a SUBMITTED report"):
        Desk(corner.hub).do("approve", "23281", MARCH, ON_CUTOFF)


def test_a_unit_below_the_filling_level_or_a_wrong_period_is_refused(corner: Corner) -> None:
    desk = Desk(corner.hub)
    with pytest.raises(InputError, match="'2025-Q1' is a QUARTER period"):
        desk.do("save", "23281", "2025-Q1", ON_CUTOFF, {"D6": 1})
    with pytest.raises(InputError, match="no administrative unit has the code '62' on 2025-08-14"):
        desk.do("save", "62", "2025-08", local(2025, 8, 14), {"D11": 1})


def test_other_periods_are_read_from_the_stored_reports(corner: Corner) -> None:
    desk = Desk(corner.hub)
    desk.do("save", "23281", "2025-01", local(2025, 1, 14), {"D6": 20, "D7": 1})
    desk.do("save", "23281", "2025-02", local(2025, 2, 14), {"D6": 40})
    desk.do("save", "23281", MARCH, ON_CUTOFF, {"D6": 50, "D7": 4})
    values = stored(corner).values
    assert values["E6"] == 40.0 and values["F6"] == pytest.approx(125.0)
    assert values["G6"] == 20 + 40 + 50 and values["G7"] == 1 + 4


def test_the_view_of_a_report_not_started(corner: Corner) -> None:
    with corner.hub.db.sessions() as session:
        located = Desk(corner.hub).located(session, "23281", MARCH)
        shown = view(session, located, WorkingDays(), local(2025, 3, 19).date())
    assert shown.status == "NOT_STARTED"
    assert shown.deadline.isoformat() == "2025-03-18"  # 2 working days after Friday 14 March
    assert shown.timeliness == "MISSING"
    assert shown.values["D9"] == 0.0 and shown.values["D6"] is None


def test_an_approved_report_says_stale_when_an_earlier_period_it_reads_changes(
    corner: Corner,
) -> None:
    commune, district = Desk(corner.hub, "xa", "23281"), Desk(corner.hub, "huyen", "608")
    commune.do("save", "23281", "2025-02", local(2025, 2, 14), {"D6": 40})
    commune.do("save", "23281", MARCH, ON_CUTOFF, {"D6": 50})
    commune.do("submit", "23281", MARCH, ON_CUTOFF)
    district.do("approve", "23281", MARCH, local(2025, 3, 17))
    assert shown(corner, MARCH).stale is False

    commune.do("save", "23281", "2025-02", local(2025, 3, 18), {"D6": 45})  # a late correction
    march = shown(corner, MARCH)
    assert march.stale is True
    assert march.values["E6"] == 40.0 and march.values["G6"] == 40 + 50  # approved: as it was

    district.do("reopen", "23281", MARCH, local(2025, 3, 19), "Số liệu tháng 2 đã sửa")
    march = shown(corner, MARCH)
    assert march.stale is False
    assert march.values["E6"] == 45.0 and march.values["G6"] == 45 + 50


def shown(corner: Corner, period: str, unit: str = "23281") -> ReportView:
    with corner.hub.db.sessions() as session:
        located = Desk(corner.hub).located(session, unit, period)
        return view(session, located, WorkingDays(), local(2025, 3, 20).date())
