"""An approved report is a snapshot: its view and its workbook (every sheet) show what was
approved, ``stale`` says that something it read has changed since, and only a change does."""

from __future__ import annotations

from pathlib import Path

from hub.reports.assemble import ReportView, view
from hub.reports.excel_export import report_workbook
from hub.reports.schedule import WorkingDays
from hub.reports.store import load_template, save_template
from tests.reports.conftest import Corner, Desk, file_report, local
from tests.reports.spreadsheet import recalculated
from tests.reports.test_excel import same

DAY = local(2025, 4, 20).date()


def shown(corner: Corner, period: str) -> tuple[ReportView, bytes]:
    with corner.hub.db.sessions() as session:
        located = Desk(corner.hub).located(session, "23281", period)
        return (
            view(session, located, WorkingDays(), DAY),
            report_workbook(session, located, WorkingDays(), DAY),
        )


def approve_february_and_march(corner: Corner) -> None:
    hub = corner.hub
    jan = {"D6": 20.25, "D7": 1}
    file_report(hub, "23281", "2025-01", jan, local(2025, 1, 14), local(2025, 1, 15))
    feb = {"D6": 40.5, "D7": 2, "D8": 11}
    file_report(hub, "23281", "2025-02", feb, local(2025, 2, 14), local(2025, 2, 15))
    march = {"D6": 50.1, "D7": 7, "D8": 12}
    file_report(hub, "23281", "2025-03", march, local(2025, 3, 14), local(2025, 3, 15))


def test_an_approved_reports_workbook_shows_what_was_approved_on_every_sheet(
    corner: Corner, tmp_path: Path
) -> None:
    approve_february_and_march(corner)
    approved, _ = shown(corner, "2025-03")
    desk = Desk(corner.hub)
    desk.do("reopen", "23281", "2025-02", local(2025, 4, 2), "sai số liệu")
    desk.do("save", "23281", "2025-02", local(2025, 4, 2), {"D6": 999.9})
    desk.do("reopen", "23281", "2025-01", local(2025, 4, 2), "sai số liệu")
    desk.do("save", "23281", "2025-01", local(2025, 4, 2), {"D6": 344.3})

    now, content = shown(corner, "2025-03")
    assert now.stale and now.values == approved.values
    assert now.values["E6"] == 40.5  # PREV(D6) as approved, not February's 999.9 of today
    book = recalculated(content, tmp_path)
    assert book["PREV"]["D6"] == 40.5
    for address, value in now.values.items():
        assert same(value, book["Biểu 01"].get(address)), (address, value)
    assert book["YTD"]["D6"] == 20.25 + 40.5 + 50.1


def test_saving_the_same_form_again_leaves_approved_reports_as_they_are(corner: Corner) -> None:
    approve_february_and_march(corner)
    assert not shown(corner, "2025-03")[0].stale
    with corner.hub.db.session() as session:
        _, template = load_template(session, "TEST-01")
        save_template(session, template, "test", corner.hub.definitions.metrics)
    assert not shown(corner, "2025-03")[0].stale
