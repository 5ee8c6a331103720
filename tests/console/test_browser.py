"""The console in a real headless Chromium, on the hub's API served on 127.0.0.1.

Each test signs in by pasting a token, as a person would, and works the pages; the browser
fixture checks afterwards that no request left 127.0.0.1. Screenshots are written to the
test's temporary folder.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from selenium.webdriver.remote.webelement import WebElement
from sqlalchemy import select

from hub.model import Alert, QuarantinedRecord
from tests.console.browser import Browser
from tests.console.conftest import CONNECTOR, Console, sign_in
from tests.plugins.feedback.conftest import KON_TUM_WARD
from tests.reports.conftest import FORM

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
    [connector] = console.graphql("admin", "{ connectors { enabled } }")["connectors"]
    assert connector["enabled"] is True

    browser.find(f"button.run[data-connector='{CONNECTOR}']").click()
    row = browser.wait_for(lambda: _row_with(browser, "#connector-table", "PARTIAL"))
    assert "Đọc 3 · Ghi 2 · Cách ly 1" in row.text
    browser.find("#connector-table a").click()  # its history
    assert "PARTIAL" in browser.text("#history-table")
    reason = browser.wait_for(lambda: _row_with(browser, ".quarantine-table", "on hold"))
    browser.screenshot("connector-run")

    if not browser.all("#discard[data-missing='yes']"):  # once the hub offers discarding
        reason.find_element("css selector", "input.pick").click()
        browser.find("#discard").click()
        browser.wait_for(lambda: "1" in browser.text("#quarantine-outcome"))
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
    browser.wait_for(lambda: browser.text("#report-status") == "SUBMITTED")
    assert "15" in browser.text("#report-table")  # D9 = SUM(D6:D7), computed by the hub
    assert not browser.all("#report-table input")  # a leader files nothing
    browser.find("#report-approve").click()
    browser.wait_for(lambda: browser.text("#report-status") == "APPROVED")
    browser.screenshot("report-approved")
    report = console.graphql("admin", REPORT, unit=KON_TUM_WARD, period=period)["report"]
    assert report["status"] == "APPROVED"
    assert report["history"][-1] == {"action": "APPROVE", "actor": "leader.test"}


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
