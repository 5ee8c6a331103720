"""The reporting system through the API: GraphQL and the workbook endpoints."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from datetime import datetime
from io import BytesIO
from typing import Any

import pytest
from litestar.testing import TestClient
from openpyxl import load_workbook
from sqlalchemy import select

from hub.auth.principal import Role
from hub.core import Hub
from hub.graphql.app import create_app
from hub.model import Metric, Observation
from hub.reports import clock
from tests.auth.support import bearer, mint
from tests.reports.conftest import FORM, Corner, file_report, local
from tests.reports.test_excel import people_workbook

REPORT = """query($unit: ID!, $period: String!) {
  report(template: "TEST-01", unit: $unit, period: $period) {
    unit { code name } period periodStart periodEnd status locked stale deadline timeliness
    cells { address kind formula value text error display editable }
    lowerUnits { unit { code } status timeliness included }
    missingUnits { code } lateUnits { code }
    history { action fromStatus toStatus actor reason changes }
    downloadPath
  } }"""
SAVE = """mutation($unit: ID!, $period: String!, $values: [CellInput!]!) {
  saveReport(template: "TEST-01", unit: $unit, period: $period, values: $values) {
    status cells { address value error } } }"""
STEP = """mutation($unit: ID!, $period: String!) {
  %s(template: "TEST-01", unit: $unit, period: $period) { status timeliness } }"""
WHY = """mutation($unit: ID!, $period: String!, $reason: String!) {
  %s(template: "TEST-01", unit: $unit, period: $period, reason: $reason) { status } }"""


class Api:
    """A client of the app that acts as one user at a set time: the anonymous principal of
    ``[auth] required = false`` without a scope, else a unit officer of that unit."""

    def __init__(self, client: TestClient, monkeypatch: pytest.MonkeyPatch, hub: Hub) -> None:
        self.client = client
        self.monkeypatch = monkeypatch
        self.hub = hub

    def headers(self, user: str, scope: str | None) -> dict[str, str]:
        if scope is None:
            return {}
        return bearer(mint(self.hub, user, Role.UNIT_OFFICER, (scope,)))

    def at(self, moment: datetime) -> Api:
        self.monkeypatch.setattr(clock, "now", lambda: moment)
        return self

    def post(
        self, query: str, user: str = "tester", scope: str | None = None, **variables: Any
    ) -> dict[str, Any]:
        response = self.client.post(
            "/graphql",
            json={"query": query, "variables": variables},
            headers=self.headers(user, scope),
        )
        assert response.status_code == 200, response.text
        return response.json()

    def data(self, query: str, **kwargs: Any) -> dict[str, Any]:
        body = self.post(query, **kwargs)
        assert "errors" not in body, body["errors"]
        return body["data"]

    def error(self, query: str, **kwargs: Any) -> tuple[str, str]:
        body = self.post(query, **kwargs)
        assert body.get("errors"), body
        return body["errors"][0]["extensions"]["code"], body["errors"][0]["message"]


@pytest.fixture
def api(corner: Corner, monkeypatch: pytest.MonkeyPatch) -> Iterator[Api]:
    with TestClient(create_app(corner.hub)) as client:
        yield Api(client, monkeypatch, corner.hub).at(local(2025, 3, 14))


def cells(report: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {cell["address"]: cell for cell in report["cells"]}


def test_templates_are_listed_with_their_layout_and_cells(api: Api) -> None:
    listed = api.data(
        "{ reportTemplates { code name periodType calendar fillingLevel levels "
        "deadlines { level workingDaysAfterCutoff } } }"
    )["reportTemplates"]
    assert [t["code"] for t in listed] == ["KTXH-XA-THANG", "TEST-01"]  # shipped, then ours
    assert listed[1:] == [
        {
            "code": "TEST-01",
            "name": "Báo cáo thử nghiệm",
            "periodType": "MONTH",
            "calendar": "ND09",
            "fillingLevel": "COMMUNE",
            "levels": ["PROVINCE", "DISTRICT", "COMMUNE"],
            "deadlines": [
                {"level": "COMMUNE", "workingDaysAfterCutoff": 2},
                {"level": "DISTRICT", "workingDaysAfterCutoff": 4},
                {"level": "PROVINCE", "workingDaysAfterCutoff": 6},
            ],
        }
    ]
    one = api.data(
        '{ reportTemplate(code: "TEST-01") { columns { column label } '
        "rows { row code label indent unit aggregation cells { address kind formula } }"
        " } }"
    )["reportTemplate"]
    assert one["columns"][1] == {"column": "E", "label": "Kỳ trước"}
    assert one["rows"][4] == {
        "row": 9,
        "code": "4",
        "label": "Tổng (1+2)",
        "indent": 1,
        "unit": None,
        "aggregation": "SUM",
        "cells": [
            {"address": "D9", "kind": "FORMULA", "formula": "=SUM(D6:D7)"},
            {"address": "E9", "kind": "FORMULA", "formula": "=PREV(D9)"},
            {"address": "F9", "kind": "FORMULA", "formula": '=IFERROR(D9/E9*100,"")'},
            {"address": "G9", "kind": "FORMULA", "formula": "=YTD(D9)"},
        ],
    }
    assert api.data('{ reportTemplate(code: "NONE") { code } }') == {"reportTemplate": None}


def test_fill_in_submit_approve_and_read_every_cell(api: Api) -> None:
    saved = api.data(
        SAVE,
        unit="23281",
        period="2025-03",
        user="xa",
        scope="23281",
        values=[{"address": "D6", "value": 12.5}, {"address": "D7", "value": "0"}],
    )
    shown = {c["address"]: (c["value"], c["error"]) for c in saved["saveReport"]["cells"]}
    assert shown["D9"] == (12.5, None) and shown["D10"] == (None, "#DIV/0!")
    assert api.data(STEP % "submitReport", unit="23281", period="2025-03")["submitReport"] == {
        "status": "SUBMITTED",
        "timeliness": "ON_TIME",
    }
    api.at(local(2025, 3, 17)).data(
        STEP % "approveReport", unit="23281", period="2025-03", user="huyen", scope="608"
    )
    report = api.data(REPORT, unit="23281", period="2025-03")["report"]
    assert (report["status"], report["locked"], report["deadline"]) == (
        "APPROVED",
        True,
        "2025-03-18",
    )
    assert report["periodStart"] == "2025-02-15" and report["periodEnd"] == "2025-03-14"
    d10 = cells(report)["D10"]
    assert d10 == {
        "address": "D10",
        "kind": "FORMULA",
        "formula": "=D6/D7*100",
        "value": None,
        "text": None,
        "error": "#DIV/0!",
        "display": "#DIV/0!",
        "editable": False,
    }
    assert cells(report)["F6"]["text"] == "" and cells(report)["D6"]["editable"] is True
    assert [h["action"] for h in report["history"]] == ["SAVE", "SUBMIT", "APPROVE"]
    assert report["history"][0]["changes"] == {"D6": [None, 12.5], "D7": [None, 0.0]}
    assert report["downloadPath"] == "/reports/TEST-01/23281/2025-03.xlsx"


def test_the_district_report_lists_missing_and_late_communes(api: Api) -> None:
    api.data(SAVE, unit="23281", period="2025-03", values=[{"address": "D6", "value": 3}])
    api.data(STEP % "submitReport", unit="23281", period="2025-03")
    api.data(STEP % "approveReport", unit="23281", period="2025-03")
    api.at(local(2025, 3, 19)).data(STEP % "submitReport", unit="23284", period="2025-03")
    report = api.data(REPORT, unit="608", period="2025-03")["report"]
    assert report["lowerUnits"] == [
        {
            "unit": {"code": "23281"},
            "status": "APPROVED",
            "timeliness": "ON_TIME",
            "included": True,
        },
        {"unit": {"code": "23284"}, "status": "SUBMITTED", "timeliness": "LATE", "included": False},
        {
            "unit": {"code": "23287"},
            "status": "NOT_STARTED",
            "timeliness": "MISSING",
            "included": False,
        },
    ]
    assert report["missingUnits"] == [{"code": "23287"}]
    assert report["lateUnits"] == [{"code": "23284"}]
    assert cells(report)["D6"]["value"] == 3.0 and cells(report)["D6"]["editable"] is False


def test_bad_input_is_a_clear_error_and_changes_nothing(api: Api) -> None:
    code, message = api.error(
        SAVE, unit="23281", period="2025-03", values=[{"address": "D6", "value": "nhiều"}]
    )
    assert (code, message) == ("BAD_USER_INPUT", "D6: 'nhiều' is not a number")
    code, message = api.error(
        SAVE, unit="23281", period="2025-03", values=[{"address": "D9", "value": 1}]
    )
    assert code == "BAD_USER_INPUT" and "computed by its formula" in message
    assert api.data(REPORT, unit="23281", period="2025-03")["report"]["status"] == "NOT_STARTED"
    code, message = api.error(
        SAVE, unit="23281", period="2025-04", values=[{"address": "D6", "value": 1}]
    )
    assert code == "BAD_USER_INPUT" and "not open yet" in message
    code, _ = api.error(
        STEP.replace("TEST-01", "NOPE") % "submitReport", unit="23281", period="2025-03"
    )
    assert code == "NOT_FOUND"


def test_scope_comes_from_the_token(api: Api, corner: Corner) -> None:
    client = api.client
    query = {
        "query": SAVE,
        "variables": {
            "unit": "23281",
            "period": "2025-03",
            "values": [{"address": "D6", "value": 1}],
        },
    }
    refused = client.post("/graphql", json=query, headers=api.headers("xa.dakpek", "23353"))
    assert refused.json()["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    allowed = client.post("/graphql", json=query, headers=api.headers("huyen", "608")).json()
    assert "errors" not in allowed
    history = api.data(REPORT, unit="23281", period="2025-03")["report"]["history"]
    assert history[0]["actor"] == "huyen"
    read_refused = client.post(
        "/graphql",
        json={"query": REPORT, "variables": {"unit": "23281", "period": "2025-03"}},
        headers=api.headers("huyen.dakglei", "610"),
    )
    assert read_refused.json()["errors"][0]["extensions"]["code"] == "FORBIDDEN"


def test_a_second_submission_of_an_approved_report_is_a_conflict(api: Api) -> None:
    api.data(STEP % "submitReport", unit="23281", period="2025-03")
    api.data(STEP % "approveReport", unit="23281", period="2025-03")
    code, message = api.error(STEP % "submitReport", unit="23281", period="2025-03")
    assert code == "CONFLICT" and "already approved" in message
    code, message = api.error(WHY % "reopenReport", unit="23281", period="2025-03", reason=" ")
    assert (code, message) == ("BAD_USER_INPUT", "a reason is required")
    reopened = api.data(WHY % "reopenReport", unit="23281", period="2025-03", reason="Sửa số")
    assert reopened["reopenReport"]["status"] == "DRAFT"
    api.data(STEP % "submitReport", unit="23281", period="2025-03")
    returned = api.data(WHY % "returnReport", unit="23281", period="2025-03", reason="Thiếu")
    assert returned["returnReport"]["status"] == "RETURNED"


def test_compliance_and_the_published_on_time_rate(api: Api, corner: Corner) -> None:
    api.data(STEP % "submitReport", unit="23281", period="2025-03")  # publishes its own
    with corner.hub.db.sessions() as session:
        published = session.execute(
            select(Metric.code, Observation.value).join(Metric, Metric.id == Observation.metric_id)
        ).all()
    assert sorted(published) == [
        ("report_forms_due", 1.0),
        ("report_forms_on_time", 1.0),
        ("report_forms_submitted", 1.0),
    ]
    query = """query($within: ID!) { reportingCompliance(template: "TEST-01", period: "2025-03",
        within: $within) { expected due onTime late missing notDue onTimeRate
        units { unit { code } level status timeliness deadline } } }"""
    found = api.at(local(2025, 3, 19)).data(query, within="608")["reportingCompliance"]
    assert (
        found["expected"],
        found["due"],
        found["onTime"],
        found["missing"],
        found["notDue"],
    ) == (4, 3, 1, 2, 1)
    assert found["onTimeRate"] == pytest.approx(100 / 3)
    assert found["units"][0] == {
        "unit": {"code": "608"},
        "level": "DISTRICT",
        "status": "NOT_STARTED",
        "timeliness": "NOT_DUE",
        "deadline": "2025-03-20",
    }
    publish = query.replace("query(", "mutation(").replace(
        "reportingCompliance", "publishReportingCompliance"
    )
    api.data(publish, within="608")
    with corner.hub.db.sessions() as session:
        assert len(session.scalars(select(Observation)).all()) == 9  # 3 communes due, 3 each


BOARD = """query($until: String!, $within: ID!, $count: Int!) {
  reportingComplianceHistory(template: "TEST-01", until: $until, within: $within,
    count: $count) { period within { code name } units { unit { code } timeliness status } } }"""
ONE = """query($period: String!, $within: ID!) {
  reportingCompliance(template: "TEST-01", period: $period, within: $within) {
    period within { code name } units { unit { code } timeliness status } } }"""


def test_the_board_of_several_periods_is_each_periods_compliance(api: Api, corner: Corner) -> None:
    file_report(corner.hub, "23281", "2025-01", {"D6": 1}, local(2025, 1, 14))  # at the cut-off
    file_report(corner.hub, "23281", "2025-02", {"D6": 1}, local(2025, 3, 10))  # weeks late
    api.at(local(2025, 3, 25))  # past 2025-03's deadlines: nothing filed is missing
    board = api.data(BOARD, until="2025-03", within="608", count=3)["reportingComplianceHistory"]
    assert [entry["period"] for entry in board] == ["2025-01", "2025-02", "2025-03"]
    quang_trung = [
        next(u for u in entry["units"] if u["unit"]["code"] == "23281") for entry in board
    ]
    assert [(u["timeliness"], u["status"]) for u in quang_trung] == [
        ("ON_TIME", "SUBMITTED"),
        ("LATE", "SUBMITTED"),
        ("MISSING", "NOT_STARTED"),
    ]
    for entry in board:  # the same as asking for each period alone
        alone = api.data(ONE, period=entry["period"], within="608")["reportingCompliance"]
        assert entry == alone


def test_the_board_follows_the_territory_across_the_reform(api: Api) -> None:
    api.at(local(2025, 9, 1))
    board = api.data(BOARD, until="2025-08", within="23341", count=3)["reportingComplianceHistory"]
    # 23341 was Thị trấn Đắk Glei until 30 June, then Xã Đăk Pék (ND09's July ends 14 July).
    assert [(e["period"], e["within"]["name"]) for e in board] == [
        ("2025-06", "Thị trấn Đắk Glei"),
        ("2025-07", "Xã Đăk Pék"),
        ("2025-08", "Xã Đăk Pék"),
    ]
    code, message = api.error(BOARD, until="2025-08", within="62", count=3)
    assert code == "BAD_USER_INPUT" and "no administrative unit has the code '62'" in message
    for count in (0, 37):
        code, message = api.error(BOARD, until="2025-08", within="23341", count=count)
        assert (code, message) == (
            "BAD_USER_INPUT",
            f"count is from 1 to 36 periods; {count} was asked",
        )


def test_a_template_is_saved_from_json_and_a_bad_one_rejected(api: Api) -> None:
    mutation = "mutation($d: JSON!) { saveReportTemplate(definition: $d) { code rows { row } } }"
    definition = copy.deepcopy(FORM) | {"code": "TEST-02"}
    assert api.data(mutation, d=definition)["saveReportTemplate"]["code"] == "TEST-02"
    definition["rows"][2]["cells"] = {"D": "=D9*2"}  # D7 = D9 * 2 while D9 = SUM(D6:D7)
    code, message = api.error(mutation, d=definition)
    assert code == "BAD_USER_INPUT"
    assert "D7: circular reference D7 → D9 → D7" in message
    definition["rows"][2]["cells"] = {"D": "METRIC:no_such_metric"}
    assert "D7: unknown metric 'no_such_metric'" in api.error(mutation, d=definition)[1]


def test_a_workbook_is_uploaded_and_reports_downloaded(api: Api) -> None:
    client = api.client
    created = client.post(
        "/reports/templates",
        params={"code": "X-01", "deadlines": "COMMUNE:1,DISTRICT:3,PROVINCE:5"},
        files={"file": ("bieu.xlsx", people_workbook())},
    )
    assert created.status_code == 201, created.text
    assert created.json()["code"] == "X-01" and created.json()["cells"] == 12
    bad = client.post(
        "/reports/templates",
        params={"code": "X-02"},
        files={"file": ("bieu.xlsx", people_workbook(D8="=D9-1"))},
    )
    assert bad.status_code == 400
    assert "D8: circular reference D8 → D9 → D8" in bad.json()["errors"]
    raw = client.post(
        "/reports/templates?code=X-03",
        content=people_workbook(),
        headers={"Content-Type": "application/octet-stream"},
    )
    assert raw.status_code == 201

    api.data(SAVE, unit="23281", period="2025-03", values=[{"address": "D6", "value": 7}])
    download = client.get("/reports/TEST-01/23281/2025-03.xlsx")
    assert download.status_code == 200
    assert download.headers["content-type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(BytesIO(download.content))["Biểu 01"]
    assert sheet["D6"].value == 7 and sheet["D9"].value == "=SUM(D6:D7)"
    assert client.get("/reports/TEST-01/99999/2025-03.xlsx").status_code == 400
    assert (
        client.get(
            "/reports/TEST-01/23281/2025-03.xlsx", headers=api.headers("huyen.dakglei", "610")
        ).status_code
        == 403
    )
    blank = client.get("/reports/templates/X-01.xlsx")
    assert (
        blank.status_code == 200 and client.get("/reports/templates/NOPE.xlsx").status_code == 404
    )
