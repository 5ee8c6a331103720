"""The console in a real headless Chromium, on the hub's API served on 127.0.0.1.

Each test signs in by pasting a token, as a person would, and works the pages; the browser
fixture checks afterwards that no request left 127.0.0.1. Screenshots are written to the
test's temporary folder.
"""

from __future__ import annotations

import copy
import math
from datetime import UTC, datetime, timedelta
from io import BytesIO
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx
import pytest
from openpyxl import load_workbook
from selenium.webdriver.remote.webelement import WebElement
from selenium.webdriver.support.ui import Select
from sqlalchemy import select, update

from hub.model import AdminUnit, Alert, QuarantinedRecord, SyncRun
from tests.console.browser import Browser
from tests.console.conftest import CONNECTOR, Console, sign_in
from tests.plugins.feedback.conftest import KON_TUM_WARD
from tests.reports.conftest import FORM

VIEWER = "{ connectors { id } }"
COMMUNES = '{ adminUnits(level: COMMUNE, within: "51") { code } }'
RUN = "mutation($id: ID!) { runConnector(id: $id) { status } }"
MENUS = {
    "admin": {"overview", "reports", "connectors", "access", "graphiql"},
    "leader": {"overview", "reports", "connectors"},
    "unit_officer": {"overview", "reports"},
    "sector_officer": {"overview", "connectors"},
}


def test_each_role_sees_only_the_pages_it_may(browser: Browser, console: Console) -> None:
    for who, menu in MENUS.items():
        sign_in(browser, console, who)
        links = {link.get_attribute("id").removeprefix("nav-") for link in browser.all("nav a")}
        assert links == menu, who
        assert browser.text("#who") == f"{who}.test"
        browser.open(f"{console.url}/access")
        if "access" in menu:
            browser.find("#audit table")  # the admin's own sign-in is not audited, pages are
        else:
            assert browser.text("#forbidden")
        browser.open(f"{console.url}/connectors")
        if "connectors" in menu:
            browser.find("#connector-table")
            assert bool(browser.all("button.run")) == (who == "admin")
        browser.screenshot(f"connectors-as-{who}")
        browser.find("#signout").click()
        browser.wait_for(lambda: browser.driver.current_url.endswith("/signin"))
    browser.open(f"{console.url}/")  # signed out: back to the sign-in page
    assert browser.driver.current_url.endswith("/signin")


def test_a_wrong_token_is_told_and_signs_nobody_in(browser: Browser, console: Console) -> None:
    browser.open(f"{console.url}/signin")
    browser.find("#token").send_keys("ioc_not-a-token")
    browser.find("#signin").click()
    assert "token" in browser.text("#signin-error").lower()
    browser.open(f"{console.url}/connectors")
    assert browser.driver.current_url.endswith("/signin")


def test_admin_enables_a_connector_runs_it_and_discards_a_quarantined_record(
    browser: Browser, console: Console
) -> None:
    sign_in(browser, console, "admin")
    browser.open(f"{console.url}/connectors")
    toggle = browser.find(f"button.toggle[data-connector='{CONNECTOR}']")
    assert toggle.text == "Bật"
    toggle.click()
    browser.wait_for(
        lambda: browser.find(f"button.toggle[data-connector='{CONNECTOR}']").text == "Tắt"
    )
    [connector] = console.graphql("admin", "{ connectors { enabled nextRun } }")["connectors"]
    assert connector["enabled"] is True and connector["nextRun"] is not None
    row = _row_with(browser, "#connector-table", CONNECTOR)
    assert "6:00:00" in row.text  # the next run at 06:00, Vietnam time

    browser.find(f"button.run[data-connector='{CONNECTOR}']").click()
    row = browser.wait_for(lambda: _row_with(browser, "#connector-table", "Một phần"))
    assert "Đọc 3 · Ghi 2 · Cách ly 1" in row.text
    browser.find("#connector-table a").click()  # its history
    assert browser.find("#history-table [data-status]").get_attribute("data-status") == "PARTIAL"
    reason = browser.wait_for(lambda: _row_with(browser, ".quarantine-table", "on hold"))
    browser.screenshot("connector-run")

    reason.find_element("css selector", "input.pick").click()
    browser.find("#discard").click()
    browser.wait_for(lambda: browser.text("#quarantine-outcome") == "Loại bỏ: 1")
    browser.wait_for(lambda: not browser.all(".quarantine-table tbody tr"))
    with console.hub.db.session() as session:
        assert session.scalars(select(QuarantinedRecord)).all() == []


def test_an_alert_arrives_live_and_is_acknowledged_in_place(
    browser: Browser, console: Console
) -> None:
    sign_in(browser, console, "leader")
    browser.wait_for(lambda: "●" in browser.text("#alerts-state"))
    assert not browser.all(".alerts-table tbody tr")

    console.graphql(
        "admin", "mutation($id: ID!) { runConnector(id: $id) { status } }", id=CONNECTOR
    )
    arrived = browser.wait_for(lambda: browser.all(".alerts-table tr.arrived button.ack"))
    assert len(arrived) == 2  # the two cases stored; the third was quarantined
    browser.wait_for(lambda: browser.all("#events li.event"))
    browser.screenshot("alerts-arrived")
    alert_id = arrived[0].get_attribute("data-alert")
    arrived[0].click()
    browser.wait_for(lambda: browser.all(".alerts-table .acknowledged"))
    with console.hub.db.session() as session:
        alert = session.get(Alert, int(alert_id))
        assert alert.acknowledged_by == "leader.test"
        assert session.scalars(select(Alert).where(Alert.acknowledged_at.is_(None))).all()


SAVE_TEMPLATE = "mutation($d: JSON!) { saveReportTemplate(definition: $d) { code } }"
SAVE = """mutation($unit: ID!, $period: String!, $values: [CellInput!]!) {
  saveReport(template: "TEST-01", unit: $unit, period: $period, values: $values) { status } }"""
SUBMIT = """mutation($unit: ID!, $period: String!) {
  submitReport(template: "TEST-01", unit: $unit, period: $period) { status } }"""
CELLS = """query($unit: ID!, $period: String!) {
  report(template: "TEST-01", unit: $unit, period: $period) { cells { address value } } }"""
REPORT = """query($unit: ID!, $period: String!) {
  report(template: "TEST-01", unit: $unit, period: $period) { status history { action actor } } }"""


def test_a_leader_approves_a_report_a_commune_submitted(browser: Browser, console: Console) -> None:
    period = _last_month()
    console.graphql("admin", SAVE_TEMPLATE, d=FORM)
    values = [{"address": "D6", "value": 5}, {"address": "D7", "value": 10}]
    console.graphql("unit_officer", SAVE, unit=KON_TUM_WARD, period=period, values=values)
    console.graphql("unit_officer", SUBMIT, unit=KON_TUM_WARD, period=period)
    sign_in(browser, console, "leader")
    browser.open(f"{console.url}/reports?template=TEST-01&period={period}&within=51")
    browser.find("#board-table")
    while not browser.all(f"a.open-report[data-unit='{KON_TUM_WARD}'][data-period='{period}']"):
        browser.find("#board .more").click()  # the board is paged
    browser.find(f"a.open-report[data-unit='{KON_TUM_WARD}'][data-period='{period}']").click()
    browser.wait_for(lambda: _status(browser) == "SUBMITTED")
    assert "15" in browser.text("#report-table")  # D9 = SUM(D6:D7), computed by the hub
    assert not browser.all("#report-table input")  # a leader files nothing
    browser.find("#report-approve").click()
    browser.wait_for(lambda: _status(browser) == "APPROVED")
    browser.screenshot("report-approved")
    report = console.graphql("admin", REPORT, unit=KON_TUM_WARD, period=period)["report"]
    assert report["status"] == "APPROVED"
    assert report["history"][-1] == {"action": "APPROVE", "actor": "leader.test"}


def _status(browser: Browser) -> str | None:
    """The status of the report shown, as the API names it."""
    return browser.find("#report-status").get_attribute("data-status")


def _row_with(browser: Browser, table: str, text: str) -> WebElement | None:
    return next((row for row in browser.all(f"{table} tbody tr") if text in row.text), None)


def _last_month() -> str:
    first = datetime.now(ZoneInfo("Asia/Ho_Chi_Minh")).date().replace(day=1)
    before = first - timedelta(days=1)
    return f"{before.year}-{before.month:02d}"


def test_the_overview_shows_a_metric_by_unit_on_the_map_and_a_units_series(
    browser: Browser, console: Console
) -> None:
    console.graphql("admin", RUN, id=CONNECTOR)  # two cases received in November 2025
    sign_in(browser, console, "leader")
    browser.open(
        f"{console.url}/?metric=feedback_cases_received&periodType=MONTH&from=2025-06&to=2025-11"
    )
    row = browser.wait_for(lambda: _row_with(browser, "#values-table", "Phường Kon Tum"))
    chosen = browser.find("#metric option:checked").text
    assert chosen == "Số phản ánh, kiến nghị tiếp nhận (feedback_cases_received)"
    assert row.text.split()[-2:] == ["2", "1/1"]  # the value, and one of one unit reporting
    point = browser.find(f"#map circle[data-unit='{KON_TUM_WARD}']")
    assert "empty" not in (point.get_attribute("class") or "")
    with console.hub.db.session() as session:  # a circle of the ward's real area, in degrees
        today = select(AdminUnit.area_km2).where(
            AdminUnit.code == KON_TUM_WARD, AdminUnit.valid_to.is_(None)
        )
        radius_km = math.sqrt(session.scalars(today).one() / math.pi)
    assert float(point.get_attribute("r")) == pytest.approx(radius_km / 111.32, rel=1e-6)
    assert browser.find("#map-svg").get_attribute("data-drawn") == "centroids"
    assert "không phải ranh giới" in browser.text("#map-note")  # says it draws no boundaries
    assert len(browser.all("#map circle.empty")) == len(browser.all("#map circle")) - 1
    communes = console.graphql("leader", COMMUNES)["adminUnits"]
    assert len(browser.all("#values-table tbody tr")) == 50 < len(communes)  # a page of them
    browser.find("#values .more").click()
    assert len(browser.all("#values-table tbody tr")) == min(100, len(communes))
    row.find_element("css selector", "a").click()
    browser.wait_for(lambda: browser.text("#series-of") == "Phường Kon Tum")
    series = browser.find("#series")
    browser.wait_for(lambda: series.get_attribute("data-points") == "1")  # six months, one value
    browser.screenshot("overview")


def test_a_commune_officer_fills_its_report_sees_the_computed_cells_and_submits(
    browser: Browser, console: Console
) -> None:
    period = _last_month()
    console.graphql("admin", SAVE_TEMPLATE, d=FORM)
    sign_in(browser, console, "unit_officer")
    browser.open(f"{console.url}/reports?template=TEST-01&period={period}")
    assert browser.find("#within").get_attribute("value") == KON_TUM_WARD  # its own unit
    browser.find(f"a.open-report[data-unit='{KON_TUM_WARD}'][data-period='{period}']").click()
    browser.find("#report-table input[data-address='D6']").send_keys("7")
    browser.find("#report-table input[data-address='D7']").send_keys("1.5")
    browser.find("#report-save").click()
    browser.wait_for(lambda: _status(browser) == "DRAFT")
    total = browser.find("#report-table tbody tr:nth-child(5) td:nth-child(2)")  # D9
    assert total.text == "8,5" or total.text == "8.5", total.text
    assert not browser.all("#report-approve")  # not its own report to approve
    browser.find("#report-submit").click()
    browser.wait_for(lambda: _status(browser) == "SUBMITTED")
    browser.screenshot("report-submitted")
    cells = console.graphql("admin", CELLS, unit=KON_TUM_WARD, period=period)["report"]["cells"]
    assert {c["address"]: c["value"] for c in cells}["D9"] == 8.5


def test_a_commune_officer_downloads_its_workbook_and_uploads_it_filled(
    browser: Browser, console: Console, tmp_path: Path
) -> None:
    period = _last_month()
    console.graphql("admin", SAVE_TEMPLATE, d=FORM)
    sign_in(browser, console, "unit_officer")
    browser.open(f"{console.url}/reports?template=TEST-01&period={period}")
    browser.find(f"a.open-report[data-unit='{KON_TUM_WARD}'][data-period='{period}']").click()
    link = browser.find("#report-download").get_attribute("href")
    downloaded = browser.driver.execute_async_script(FETCH_BYTES, link)  # with the cookie
    book = load_workbook(BytesIO(bytes(downloaded)))
    assert book.active.title == FORM["layout"]["sheet"]
    uploads = httpx.post(link, content=b"", headers=_bearer(console, "unit_officer"))
    if uploads.status_code == 405:  # this hub takes no filled workbooks yet
        return
    book.active["D6"], book.active["D7"] = 4, 6
    filled = tmp_path / "filled.xlsx"
    book.save(filled)
    browser.find("#report-upload").send_keys(str(filled))
    browser.wait_for(lambda: _status(browser) == "DRAFT")
    cells = console.graphql("admin", CELLS, unit=KON_TUM_WARD, period=period)["report"]["cells"]
    assert {c["address"]: c["value"] for c in cells}["D9"] == 10


FETCH_BYTES = """
const done = arguments[arguments.length - 1];
fetch(arguments[0]).then((r) => r.arrayBuffer()).then((b) => done(Array.from(new Uint8Array(b))));
"""


def _bearer(console: Console, who: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {console.tokens[who]}"}


def test_an_admin_issues_a_token_shown_once_and_revokes_it(
    browser: Browser, console: Console
) -> None:
    sign_in(browser, console, "admin")
    browser.open(f"{console.url}/access")
    browser.find("#token-name").send_keys("can.bo.y.te")
    Select(browser.find("#token-role")).select_by_visible_text("sector_officer")
    browser.find("#token-sectors").send_keys("health")
    browser.find("#token-create").click()
    secret = browser.find("#new-secret").text
    assert secret.startswith("ioc_")
    row = browser.wait_for(lambda: _row_with(browser, ".tokens-table", "can.bo.y.te"))
    assert "sector_officer" in row.text and "health" in row.text and secret not in row.text
    browser.screenshot("token-issued")
    headers = {"Authorization": f"Bearer {secret}"}
    asked = httpx.post(f"{console.url}/graphql", json={"query": VIEWER}, headers=headers)
    assert "errors" not in asked.json()
    row.find_element("css selector", "button.revoke").click()
    browser.wait_for(
        lambda: "Đã thu hồi" in _row_with(browser, ".tokens-table", "can.bo.y.te").text
    )
    refused = httpx.post(f"{console.url}/graphql", json={"query": VIEWER}, headers=headers)
    assert refused.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    audited = browser.wait_for(lambda: browser.text(".audit-table"))
    assert "createApiToken" in audited and "revokeApiToken" in audited


FRESHNESS = """query($period: String!) {
  sourceFreshness(figures: ["feedback_cases_received"], period: $period) {
    connector schedule lastDelivered staleSince stale } }"""


def test_the_overview_says_when_the_source_of_its_figures_is_overdue(
    browser: Browser, console: Console
) -> None:
    console.graphql("admin", RUN, id=CONNECTOR)  # cases of November 2025
    delivered = datetime(2025, 12, 5, tzinfo=UTC)  # as if that run had been on 5 December 2025
    with console.hub.db.session() as session:
        session.execute(update(SyncRun).values(started_at=delivered))
    # Daily at 06:00 in Vietnam: due 6 December 06:00 (+07), overdue two days after that.
    [december] = console.graphql("leader", FRESHNESS, period="2025-12")["sourceFreshness"]
    assert (december["connector"], december["schedule"], december["stale"]) == (
        CONNECTOR,
        "0 6 * * *",
        True,
    )
    assert datetime.fromisoformat(december["staleSince"]) == datetime(2025, 12, 7, 23, tzinfo=UTC)
    with console.hub.db.session() as session:  # a later run that failed delivered nothing
        failed = datetime(2025, 12, 20, tzinfo=UTC)
        session.add(
            SyncRun(
                connector_id=CONNECTOR,
                status="FAILED",
                trigger="schedule",
                started_at=failed,
                finished_at=failed,
                error="source answered 503",
            )
        )
    [again] = console.graphql("leader", FRESHNESS, period="2025-12")["sourceFreshness"]
    assert again == december
    [november] = console.graphql("leader", FRESHNESS, period="2025-11")["sourceFreshness"]
    assert november["stale"] is False  # it had delivered after November ended

    sign_in(browser, console, "leader")
    overview = f"{console.url}/?metric=feedback_cases_received&periodType=MONTH&from=2025-07"
    browser.open(f"{overview}&to=2025-12")
    browser.find("#stale-sources[data-period='2025-12']")
    notice = browser.find(f"#stale-sources p[data-connector='{CONNECTOR}']")
    assert "0 6 * * *" in notice.text and "5/12/2025" in notice.text
    browser.screenshot("overview-stale-source")
    browser.open(f"{overview}&to=2025-11")
    browser.find("#stale-sources[data-period='2025-11']")  # the hub answered for November
    assert not browser.all("#stale-sources p")


def test_the_board_goes_back_through_the_periods(browser: Browser, console: Console) -> None:
    console.graphql("admin", SAVE_TEMPLATE, d=FORM)
    sign_in(browser, console, "leader")
    browser.open(f"{console.url}/reports?template=TEST-01&period=2026-03&within=51&count=3")
    shown = lambda: browser.find("#board-table").get_attribute("data-periods")  # noqa: E731
    browser.wait_for(lambda: shown() == "2026-01 2026-02 2026-03")
    browser.find("#earlier").click()
    browser.wait_for(lambda: shown() == "2025-10 2025-11 2025-12")
    assert "period=2025-12" in browser.driver.current_url  # the address keeps the window
    Select(browser.find("#count")).select_by_visible_text("12")
    browser.find("#earlier").click()
    browser.wait_for(lambda: shown().split() == [f"2024-{m:02d}" for m in range(1, 13)])
    browser.find("#later").click()
    browser.wait_for(lambda: shown().split()[-1] == "2025-12")
    browser.screenshot("board-history")


STALE_BOARD = """{ reportingComplianceHistory(template: "TEST-02", within: "51", until: "2026-01",
  count: 3) { period staleSources { connector lastDelivered } } }"""


def test_the_board_names_the_stale_source_of_its_metric_cells_by_period(
    browser: Browser, console: Console
) -> None:
    form = copy.deepcopy(FORM) | {"code": "TEST-02"}
    form["rows"][2]["cells"] = {"D": "METRIC:feedback_cases_received"}  # D7
    console.graphql("admin", SAVE_TEMPLATE, d=form)
    console.graphql("admin", RUN, id=CONNECTOR)  # cases of November 2025
    with console.hub.db.session() as session:
        session.execute(update(SyncRun).values(started_at=datetime(2025, 12, 5, tzinfo=UTC)))
    board = console.graphql("leader", STALE_BOARD)["reportingComplianceHistory"]
    # ND09 months: 2025-11 ended on 14 November, before the last delivery; the others after it.
    assert [(b["period"], [s["connector"] for s in b["staleSources"]]) for b in board] == [
        ("2025-11", []),
        ("2025-12", [CONNECTOR]),
        ("2026-01", [CONNECTOR]),
    ]
    sign_in(browser, console, "leader")
    browser.open(f"{console.url}/reports?template=TEST-02&period=2026-01&within=51&count=3")
    notice = browser.find(f"#stale-sources p[data-connector='{CONNECTOR}']")
    assert notice.text.endswith("2025-12, 2026-01")
    headings = [th.text for th in browser.all("#board-table thead th")]
    assert headings[1:] == ["2025-11", "2025-12 ⚠", "2026-01 ⚠"]
    browser.screenshot("board-stale-source")
