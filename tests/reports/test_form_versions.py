"""Versioned forms: a form's workbook carries its code and version, and an import that would
change a formula, leave off cells holding values, undo a newer version or replace a form it
does not name is refused (409) with the differences, until the caller confirms them."""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from io import BytesIO
from typing import Any

import pytest
from litestar.testing import TestClient
from openpyxl import load_workbook

from hub.reports.store import load_template, save_template
from hub.reports.template import CellKind, template_from_dict
from tests.reports.conftest import FORM, Corner, Desk, local


@pytest.fixture
def client(corner: Corner) -> Iterator[TestClient[Any]]:
    from hub.graphql.app import create_app

    with TestClient(create_app(corner.hub)) as client:
        yield client


def blank_form(client: TestClient[Any]) -> bytes:
    response = client.get("/reports/templates/TEST-01.xlsx")
    assert response.status_code == 200
    return response.content


def edited(content: bytes, **cells: Any) -> bytes:
    book = load_workbook(BytesIO(content))
    for where, value in cells.items():
        book["Biểu 01"][where] = value
    buffer = BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def upload(client: TestClient[Any], content: bytes, **params: str) -> Any:
    return client.post("/reports/templates", params=params, files={"file": ("f.xlsx", content)})


def stored(corner: Corner) -> tuple[int, Any]:
    with corner.hub.db.sessions() as session:
        row, template = load_template(session, "TEST-01")
        return row.definition["version"], template


def test_a_forms_workbook_carries_its_code_and_version(client: TestClient[Any]) -> None:
    book = load_workbook(BytesIO(blank_form(client)))
    meta = json.loads("".join(str(row[0].value) for row in book["_ioc"].iter_rows(max_col=1)))
    assert (meta["code"], meta["version"]) == ("TEST-01", 1)
    again = upload(client, blank_form(client), code="TEST-01")  # the same form: no change
    assert again.status_code == 201 and again.json()["version"] == 1


def test_a_number_typed_over_a_formula_is_refused_until_confirmed(
    client: TestClient[Any], corner: Corner
) -> None:
    changed = edited(blank_form(client), D9=42)
    refused = upload(client, changed, code="TEST-01")
    assert refused.status_code == 409
    assert refused.json()["differences"] == [
        "D9: the formula =SUM(D6:D7) would become a ROLLUP cell (no longer computed)"
    ]
    version, template = stored(corner)
    assert version == 1 and template.cells["D9"].kind is CellKind.FORMULA  # nothing changed
    wrong = upload(client, changed, code="TEST-01", confirm="0123456789ab")
    assert wrong.status_code == 409
    applied = upload(client, changed, code="TEST-01", confirm=refused.json()["confirm"])
    assert applied.status_code == 201 and applied.json()["version"] == 2
    assert stored(corner)[1].cells["D9"].kind is CellKind.ROLLUP


def test_an_older_workbook_may_not_drop_the_rows_a_newer_version_added(
    client: TestClient[Any], corner: Corner
) -> None:
    old = blank_form(client)
    newer = copy.deepcopy(FORM)
    newer["rows"].append({"row": 12, "code": "7", "label": "Số hộ mới", "unit": "hộ"})
    with corner.hub.db.session() as session:
        save_template(session, template_from_dict(newer), "test", corner.hub.definitions.metrics)
    Desk(corner.hub).do("save", "23281", "2025-03", local(2025, 3, 14), {"D12": 5})

    refused = upload(client, old, code="TEST-01")
    assert refused.status_code == 409
    assert refused.json()["differences"][0].startswith(
        "the workbook holds version 1 of the form TEST-01; the hub has version 2"
    )
    assert (
        "D12 (Số hộ mới) would be left off the form: 1 report(s) hold a value in it"
        in (refused.json()["differences"])
    )
    assert stored(corner)[0] == 2 and "D12" in stored(corner)[1].cells


def test_an_upload_that_does_not_name_the_form_it_replaces_is_refused(
    client: TestClient[Any], corner: Corner
) -> None:
    refused = upload(client, edited(blank_form(client), B6="Diện tích"))
    assert refused.status_code == 409
    assert refused.json()["differences"] == [
        "the workbook would replace the form TEST-01 (Báo cáo thử nghiệm), which the upload "
        "does not name: add ?code=TEST-01"
    ]
    assert stored(corner)[1].rows[1].label == "Diện tích gieo trồng"
