"""A filled report uploaded as a workbook: the form downloaded, figures typed in, sent back
(HTTP and GraphQL); every bad cell named with its sheet and address, nothing saved unless all
are good."""

from __future__ import annotations

import json
from collections.abc import Iterator
from io import BytesIO
from typing import Any

import pytest
from litestar.testing import TestClient
from openpyxl import load_workbook

from hub.graphql.app import create_app
from hub.reports import clock
from hub.reports.store import find_report
from tests.reports.conftest import Corner, Desk, local

REPORT = "/reports/TEST-01/23281/2025-03.xlsx"


@pytest.fixture
def client(corner: Corner, monkeypatch: pytest.MonkeyPatch) -> Iterator[TestClient[Any]]:
    monkeypatch.setattr(clock, "now", lambda: local(2025, 3, 14))
    with TestClient(create_app(corner.hub)) as client:
        yield client


def filled(content: bytes, **cells: Any) -> bytes:
    book = load_workbook(BytesIO(content))
    for where, value in cells.items():
        book["Biểu 01"][where] = value
    buffer = BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def inputs(corner: Corner) -> dict[str, Any] | None:
    with corner.hub.db.sessions() as session:
        located = Desk(corner.hub).located(session, "23281", "2025-03")
        report = find_report(session, located.row.id, located.unit.id, "2025-03")
        return None if report is None else dict(report.inputs)


def test_the_downloaded_report_filled_in_is_saved(client: TestClient[Any], corner: Corner) -> None:
    content = filled(client.get(REPORT).content, D6=50.5, D7="12", D8=7, D11=2)
    saved = client.post(REPORT, files={"file": ("bao-cao.xlsx", content)})
    assert saved.status_code == 200, saved.text
    assert saved.json()["status"] == "DRAFT"
    assert inputs(corner) == {"D6": 50.5, "D7": 12.0, "D8": 7.0, "D11": 2.0}
    again = load_workbook(BytesIO(client.get(REPORT).content))["Biểu 01"]
    assert again["D6"].value == 50.5 and again["D9"].value == "=SUM(D6:D7)"


def test_the_blank_form_filled_in_is_saved_and_a_blank_cell_clears(
    client: TestClient[Any], corner: Corner
) -> None:
    Desk(corner.hub).do("save", "23281", "2025-03", local(2025, 3, 14), {"D6": 1, "D8": 3})
    content = filled(client.get("/reports/templates/TEST-01.xlsx").content, D6=4)
    assert client.post(REPORT, content=content).status_code == 200
    assert inputs(corner) == {"D6": 4.0}


def test_every_bad_cell_is_named_and_nothing_is_saved(
    client: TestClient[Any], corner: Corner
) -> None:
    Desk(corner.hub).do("save", "23281", "2025-03", local(2025, 3, 14), {"D6": 1})
    content = filled(client.get(REPORT).content, D6="nhiều", D7="=D6*2", D8=3, D9=42)
    refused = client.post(REPORT, files={"file": ("bao-cao.xlsx", content)})
    assert refused.status_code == 400
    errors = refused.json()["errors"]
    assert "'Biểu 01'!D7: type a number, not a formula" in errors
    assert "'Biểu 01'!D9 is computed by its formula =SUM(D6:D7); it cannot be typed in" in errors
    assert any(error.startswith("'Biểu 01'!D6: ") and "nhiều" in error for error in errors)
    assert len(errors) == 3
    assert inputs(corner) == {"D6": 1.0}  # D8's good value was not saved either


def test_a_workbook_of_another_version_or_form_is_refused(
    client: TestClient[Any], corner: Corner
) -> None:
    book = load_workbook(BytesIO(client.get(REPORT).content))
    meta = book["_ioc"]
    meta["A1"] = json.dumps({**json.loads(str(meta["A1"].value)), "version": 7})
    buffer = BytesIO()
    book.save(buffer)
    refused = client.post(REPORT, content=buffer.getvalue())
    assert refused.status_code == 400
    assert refused.json()["errors"] == [
        "the workbook holds version 7 of the form TEST-01; the hub has version 1: download "
        "the form again and type the figures into it"
    ]
    other = client.post("/reports/TEST-01/23281/2025-03.xlsx", content=b"not a workbook")
    assert other.status_code == 400 and inputs(corner) is None


UPLOAD = """mutation($file: Upload!) {
  uploadReportWorkbook(template: "TEST-01", unit: "23281", period: "2025-03", file: $file) {
    status cells { address value } } }"""


def test_graphql_takes_the_workbook_as_a_multipart_upload(
    client: TestClient[Any], corner: Corner
) -> None:
    content = filled(client.get(REPORT).content, D6=50, D7=4)
    response = client.post(
        "/graphql",
        data={
            "operations": json.dumps({"query": UPLOAD, "variables": {"file": None}}),
            "map": json.dumps({"0": ["variables.file"]}),
        },
        files={"0": ("bao-cao.xlsx", content)},
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert "errors" not in body, body
    cells = {c["address"]: c["value"] for c in body["data"]["uploadReportWorkbook"]["cells"]}
    assert cells["D9"] == 54.0 and inputs(corner) == {"D6": 50.0, "D7": 4.0}
    bad = filled(client.get(REPORT).content, D6="x")
    refused = client.post(
        "/graphql",
        data={
            "operations": json.dumps({"query": UPLOAD, "variables": {"file": None}}),
            "map": json.dumps({"0": ["variables.file"]}),
        },
        files={"0": ("bao-cao.xlsx", bad)},
    ).json()
    assert refused["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert refused["errors"][0]["message"].startswith("'Biểu 01'!D6: ")
