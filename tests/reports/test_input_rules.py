"""Input rules of a form: required cells, minimum and maximum, whole numbers, numbers written
the Vietnamese or the English way; and separation of duties between filing and approving."""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Callable
from importlib import resources
from typing import Any

import pytest
from litestar.testing import TestClient

from hub.auth.principal import Role
from hub.core import Hub
from hub.graphql.app import create_app
from hub.reports import clock
from hub.reports.errors import CellErrors, InputError, OutOfScope
from hub.reports.principal import Actor
from hub.reports.store import save_template
from hub.reports.template import template_from_dict
from hub.reports.workflow import Workflow
from tests.auth.support import bearer, mint
from tests.reports.conftest import FORM, Corner, Desk, local, seed_corner

MARCH = local(2025, 3, 14)


def ruled_form(locale: str) -> dict[str, Any]:
    """The test form with rules: D no less than 0, D6 required, D7 (people) whole numbers."""
    form = copy.deepcopy(FORM)
    form.update(code=f"RULES-{locale}", locale=locale)
    form["columns"][0].update(min=0)
    form["rows"][1]["cells"] = {"D": {"kind": "ROLLUP", "required": True, "max": 1e7}}
    form["rows"][2]["cells"] = {"D": {"kind": "ROLLUP", "whole": True, "min": 0}}
    return form


def install(corner: Corner, *forms: dict[str, Any]) -> None:
    with corner.hub.db.session() as session:
        for form in forms:
            save_template(session, template_from_dict(form), "test", [])


def saved(corner: Corner, values: dict[str, Any], form: str = "RULES-vi") -> dict[str, Any]:
    report = Desk(corner.hub).do("save", "23281", "2025-03", MARCH, values, form=form)
    return dict(report.inputs)


def test_every_broken_rule_is_named_at_once_and_nothing_is_saved(corner: Corner) -> None:
    install(corner, ruled_form("vi"))
    with pytest.raises(CellErrors) as refused:
        saved(corner, {"D6": "20.000.000", "D7": "2,5", "D8": -1, "D11": 3})
    assert refused.value.problems == [
        "D6: 20000000 is above the maximum 10000000",
        "D7: 2.5 is not a whole number",
        "D8: -1 is below the minimum 0",
    ]
    assert saved(corner, {"D11": 1}) == {"D11": 1.0}  # D11 was not saved before


@pytest.mark.parametrize(
    ("locale", "typed", "read"),
    [
        ("vi", "12,5", 12.5),
        ("vi", "12.5", 12.5),
        ("vi", "1.234.567", 1_234_567.0),
        ("vi", "1.234", 1234.0),
        ("vi", "1.234,5", 1234.5),
        ("en", "12,5", 12.5),
        ("en", "1,234,567", 1_234_567.0),
        ("en", "1,234", 1234.0),
        ("en", "1.234", 1.234),
    ],
)
def test_numbers_are_read_the_way_the_forms_users_write_them(
    corner: Corner, locale: str, typed: str, read: float
) -> None:
    install(corner, ruled_form(locale))
    assert saved(corner, {"D6": typed}, form=f"RULES-{locale}") == {"D6": read}


def test_a_report_is_not_submitted_while_required_cells_are_empty(corner: Corner) -> None:
    install(corner, ruled_form("vi"))
    saved(corner, {"D7": 3})
    desk = Desk(corner.hub)
    with pytest.raises(InputError, match=r"required cells are empty: D6 \(Diện tích gieo trồng\)"):
        desk.do("submit", "23281", "2025-03", MARCH, form="RULES-vi")
    saved(corner, {"D6": "0"})
    assert desk.do("submit", "23281", "2025-03", MARCH, form="RULES-vi").status == "SUBMITTED"


def test_with_separate_duties_who_filed_may_not_approve(corner: Corner) -> None:
    with corner.hub.db.session() as session:
        located = Desk(corner.hub).located(session, "23281", "2025-03")
        officer = Workflow(session, Actor("tinh.kontum", "62"), MARCH, separate_duties=True)
        officer.save(located, {"D6": 4})
        officer.submit(located)
        with pytest.raises(
            OutOfScope, match=r"tinh\.kontum filed the report of Phường Quang Trung"
        ):
            officer.approve(located)
        other = Workflow(session, Actor("huyen.kontum", "608"), MARCH, separate_duties=True)
        assert other.approve(located).status == "APPROVED"


APPROVE = """mutation {
  approveReport(template: "TEST-01", unit: "23281", period: "2025-03") { status } }"""
SAVE = """mutation {
  saveReport(template: "TEST-01", unit: "23281", period: "2025-03",
             values: [{address: "D6", value: "12,5"}]) { status } }"""
SUBMIT = """mutation {
  submitReport(template: "TEST-01", unit: "23281", period: "2025-03") { status } }"""


@pytest.mark.parametrize("separate", [True, False])
def test_the_setting_decides_through_the_api(
    make_hub: Callable[..., Hub], monkeypatch: pytest.MonkeyPatch, separate: bool
) -> None:
    hub = seed_corner(make_hub({"reports": {"separate_duties": separate}})).hub
    monkeypatch.setattr(clock, "now", lambda: MARCH)
    province = bearer(mint(hub, "tinh.kontum", Role.UNIT_OFFICER, ("62",)))
    admin = bearer(mint(hub, "quan.tri", Role.ADMIN))
    with TestClient(create_app(hub)) as client:

        def call(query: str, headers: dict[str, str]) -> dict[str, Any]:
            return client.post("/graphql", json={"query": query}, headers=headers).json()

        refused = call(SAVE, admin)["errors"][0]
        assert refused["message"] == (
            "an admin may not file reports: only unit officers may; ask one of them, or an "
            "admin for a token with that role"
        )
        assert call(SAVE, province)["data"] == {"saveReport": {"status": "DRAFT"}}
        assert call(SUBMIT, province)["data"] == {"submitReport": {"status": "SUBMITTED"}}
        approved = call(APPROVE, province)
    if separate:
        assert approved["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    else:
        assert approved["data"] == {"approveReport": {"status": "APPROVED"}}


def test_the_shipped_form_is_not_submitted_empty(corner: Corner) -> None:
    # Every figure a commune types in column D of the shipped form is required: those of the
    # rows that are not headings and whose D is not a formula.
    shipped = json.loads(
        resources.files("hub.reports").joinpath("forms/ktxh_xa_thang.json").read_text("utf-8")
    )
    typed = [
        f"D{row['row']}"
        for row in shipped["rows"]
        if not row.get("heading") and "D" not in (row.get("cells") or {})
    ]
    assert len(typed) == 26
    desk, form = Desk(corner.hub), "KTXH-XA-THANG"
    with pytest.raises(InputError) as refused:
        desk.do("submit", "23281", "2025-03", MARCH, form=form)
    message = str(refused.value)
    assert message.startswith("the report cannot be submitted while required cells are empty: ")
    assert re.findall(r"\b(D\d+) \(", message) == typed
    assert "D10 (Diện tích gieo trồng cây hằng năm)" in message
    desk.do("save", "23281", "2025-03", MARCH, dict.fromkeys(typed[1:], 0), form=form)
    with pytest.raises(InputError) as refused:
        desk.do("submit", "23281", "2025-03", MARCH, form=form)
    assert re.findall(r"\b(D\d+) \(", str(refused.value)) == ["D10"]
    with pytest.raises(CellErrors, match=r"D10: -1 is below the minimum 0"):
        desk.do("save", "23281", "2025-03", MARCH, {"D10": -1}, form=form)
    desk.do("save", "23281", "2025-03", MARCH, {"D10": "12,5"}, form=form)
    assert desk.do("submit", "23281", "2025-03", MARCH, form=form).status == "SUBMITTED"
