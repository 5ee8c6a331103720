"""Saves that arrive at once: each merges its cells into the report, none is lost.

Eight real HTTP requests against the API served on a real socket, each typing a different
cell of the same report at the same moment, on SQLite and PostgreSQL.
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest

from hub.reports import clock
from hub.reports.store import find_report, save_template
from hub.reports.template import template_from_dict
from tests.reports.conftest import Corner, Desk, local
from tests.support.api_server import served_api

EIGHT_ROWS: dict[str, Any] = {
    "code": "EIGHT",
    "name": "Eight figures",
    "deadlines": {"COMMUNE": 2, "DISTRICT": 4, "PROVINCE": 6},
    "layout": {"header_row": 4},
    "columns": [{"column": "D", "label": "Kỳ này", "kind": "INPUT"}],
    "rows": [{"row": row, "label": f"Chỉ tiêu {row}", "unit": "người"} for row in range(5, 13)],
}
CELLS = [f"D{row}" for row in range(5, 13)]
SAVE = """mutation($values: [CellInput!]!) {
  saveReport(template: "EIGHT", unit: "23281", period: "2025-03", values: $values) {
    status } }"""


def post_at_once(url: str, bodies: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """POST every body to ``url`` from its own thread, all released at the same moment."""
    start = threading.Barrier(len(bodies))

    def post(body: dict[str, Any]) -> dict[str, Any]:
        start.wait()
        return httpx.post(url, json=body, timeout=120).json()

    with ThreadPoolExecutor(len(bodies)) as pool:
        return list(pool.map(post, bodies))


@pytest.mark.parametrize("started", [False, True], ids=["not-started", "draft"])
def test_eight_saves_at_once_each_keep_their_cell(
    corner: Corner, monkeypatch: pytest.MonkeyPatch, started: bool
) -> None:
    hub, moment = corner.hub, local(2025, 3, 14)
    monkeypatch.setattr(clock, "now", lambda: moment)
    with hub.db.session() as session:
        save_template(session, template_from_dict(EIGHT_ROWS), "test", [])
    if started:
        Desk(hub).do("save", "23281", "2025-03", moment, {"D5": 0}, form="EIGHT")
    bodies = [
        {"query": SAVE, "variables": {"values": [{"address": cell, "value": index + 1}]}}
        for index, cell in enumerate(CELLS)
    ]
    with served_api(hub) as websocket:
        answers = post_at_once(websocket.replace("ws://", "http://"), bodies)
    assert [a.get("data") for a in answers] == [{"saveReport": {"status": "DRAFT"}}] * 8, answers
    with hub.db.sessions() as session:
        located = Desk(hub).located(session, "23281", "2025-03", form="EIGHT")
        report = find_report(session, located.row.id, located.unit.id, "2025-03")
        assert report is not None
        assert report.inputs == {cell: float(index + 1) for index, cell in enumerate(CELLS)}
        assert report.values["D12"] == 8.0


SAVE_TEMPLATE = """mutation($d: JSON!) { saveReportTemplate(definition: $d) { version rows {
  row label } } }"""
READ_TEMPLATE = '{ reportTemplate(code: "EIGHT") { version definition } }'


def edited(definition: dict[str, Any], row: int, label: str) -> dict[str, Any]:
    """The form as read, with one row's label changed by an editor."""
    copy = {**definition, "rows": [dict(item) for item in definition["rows"]]}
    for item in copy["rows"]:
        if item["row"] == row:
            item["label"] = label
    return copy


def test_two_editors_saving_a_form_at_once_one_is_refused(corner: Corner) -> None:
    hub = corner.hub
    with hub.db.session() as session:
        save_template(session, template_from_dict(EIGHT_ROWS), "test", [])
    with served_api(hub) as websocket:
        url = websocket.replace("ws://", "http://")
        read = httpx.post(url, json={"query": READ_TEMPLATE}).json()["data"]["reportTemplate"]
        assert read["version"] == read["definition"]["version"] == 1
        mine = edited(read["definition"], 5, "Số hộ")
        theirs = edited(read["definition"], 6, "Số khẩu")
        answers = post_at_once(
            url, [{"query": SAVE_TEMPLATE, "variables": {"d": d}} for d in (mine, theirs)]
        )
        saved = [a for a in answers if "errors" not in a]
        refused = [a for a in answers if "errors" in a]
        assert len(saved) == 1 and len(refused) == 1, answers
        assert saved[0]["data"]["saveReportTemplate"]["version"] == 2
        (error,) = refused[0]["errors"]
        assert error["extensions"]["code"] == "CONFLICT"
        assert "you edited version 1, the hub now has version 2" in error["message"]
        kept = httpx.post(url, json={"query": READ_TEMPLATE}).json()["data"]["reportTemplate"]
        winner = saved[0]["data"]["saveReportTemplate"]["rows"]
        labels = {item["row"]: item["label"] for item in kept["definition"]["rows"]}
        assert labels == {item["row"]: item["label"] for item in winner}
        assert [labels[5], labels[6]] in (["Số hộ", "Chỉ tiêu 6"], ["Chỉ tiêu 5", "Số khẩu"])


def test_a_stale_or_unversioned_change_to_a_form_is_refused(corner: Corner) -> None:
    hub = corner.hub
    with hub.db.session() as session:
        save_template(session, template_from_dict(EIGHT_ROWS), "test", [])
    with served_api(hub) as websocket:
        url = websocket.replace("ws://", "http://")

        def save(definition: dict[str, Any]) -> dict[str, Any]:
            return httpx.post(url, json={"query": SAVE_TEMPLATE, "variables": {"d": definition}})

        read = httpx.post(url, json={"query": READ_TEMPLATE}).json()["data"]["reportTemplate"]
        first = save(edited(read["definition"], 5, "Số hộ")).json()
        assert first["data"]["saveReportTemplate"]["version"] == 2
        stale = save(edited(read["definition"], 7, "Số trẻ")).json()
        assert stale["errors"][0]["extensions"]["code"] == "CONFLICT"
        unversioned = edited(read["definition"], 7, "Số trẻ")
        unversioned.pop("version")
        (error,) = save(unversioned).json()["errors"]
        assert error["extensions"]["code"] == "BAD_USER_INPUT"
        assert 'give the version you edited ("version": 2' in error["message"]
        again = save(edited(read["definition"], 5, "Số hộ")).json()  # what it already says
        assert again["data"]["saveReportTemplate"]["version"] == 2
        kept = httpx.post(url, json={"query": READ_TEMPLATE}).json()["data"]["reportTemplate"]
        assert [r["label"] for r in kept["definition"]["rows"]][:3] == [
            "Số hộ",
            "Chỉ tiêu 6",
            "Chỉ tiêu 7",
        ]
