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
