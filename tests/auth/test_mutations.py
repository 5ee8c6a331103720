"""Mutations by role and scope, each written to the audit log (readable by admins only)."""

from __future__ import annotations

from typing import Any

from litestar.testing import TestClient

from hub.reports.store import shipped_forms
from hub.reports.template import template_from_dict
from tests.auth.conftest import (
    PRINCIPALS,
    Who,
    World,
    codes,
    for_every_principal,
    post,
    sees_sector,
    sees_unit,
)

ACKNOWLEDGE = 'mutation($id: ID!) { acknowledgeAlert(id: $id, note: "seen") { acknowledgedBy } }'
RUN = 'mutation { runConnector(id: "kontum-feedback") { status } }'
ENABLE = 'mutation { setConnectorEnabled(id: "kontum-traffic", enabled: true) { enabled } }'
DISCARD = "mutation($ids: [ID!]!) { discardQuarantined(ids: $ids) }"
RETRY_QUARANTINED = """mutation($ids: [ID!]!) {
  retryQuarantined(ids: $ids) { stored stillQuarantined } }"""
SAVE = """mutation($unit: ID!) { saveReport(template: "KTXH-XA-THANG", unit: $unit,
  period: "2026-03", values: []) { status } }"""
FILL = """mutation($unit: ID!, $values: [CellInput!]!) { saveReport(template: "KTXH-XA-THANG",
  unit: $unit, period: "2026-03", values: $values) { status } }"""
SUBMIT = """mutation($unit: ID!) { submitReport(template: "KTXH-XA-THANG", unit: $unit,
  period: "2026-03") { status } }"""
APPROVE = """mutation($unit: ID!) { approveReport(template: "KTXH-XA-THANG", unit: $unit,
  period: "2026-03") { status } }"""
AUDIT = """query($actor: String) { auditLog(actor: $actor, first: 100) { edges { node {
  actor role via action target client outcome } } } }"""


def outcome(body: dict[str, Any]) -> str:
    return codes(body)[0] if body.get("errors") else "ok"


def audit_of(client: TestClient, world: World, who: Who) -> list[dict[str, Any]]:
    admin = next(each for each in PRINCIPALS if each.role == "admin")
    body = post(client, AUDIT, world.headers(admin), actor=who.label)
    assert "errors" not in body, body
    return [edge["node"] for edge in body["data"]["auditLog"]["edges"]]


@for_every_principal
def test_alerts_are_acknowledged_inside_the_scope_by_the_roles_that_may(
    client: TestClient, world: World, who: Who
) -> None:
    expected_log = []
    labels = {each.label for each in PRINCIPALS}
    for alert_id, (unit, sector) in sorted(world.alerts.items()):
        body = post(client, ACKNOWLEDGE, world.headers(who), id=str(alert_id))
        if who.role in ("admin", "service"):
            expected = "FORBIDDEN"
        elif sees_unit(who, unit) and sees_sector(who, sector):
            expected = "ok"
            # the first who acknowledged it stays recorded (the alerts are shared here)
            assert body["data"]["acknowledgeAlert"]["acknowledgedBy"] in labels
        else:
            expected = "NOT_FOUND"  # outside the scope: as if it did not exist
        assert outcome(body) == expected, (unit, sector, body)
        expected_log.append(expected)
    logged = [
        entry for entry in audit_of(client, world, who) if entry["action"] == "acknowledgeAlert"
    ]
    assert sorted(entry["outcome"] for entry in logged) == sorted(expected_log)
    assert all(entry["via"].startswith("token:") and entry["client"] for entry in logged)


@for_every_principal
def test_only_admins_run_and_enable_connectors(client: TestClient, world: World, who: Who) -> None:
    run, enable = (post(client, query, world.headers(who)) for query in (RUN, ENABLE))
    expected = "ok" if who.role == "admin" else "FORBIDDEN"
    assert (outcome(run), outcome(enable)) == (expected, expected), (run, enable)
    logged = {(entry["action"], entry["outcome"]) for entry in audit_of(client, world, who)}
    assert logged == {("runConnector", expected), ("setConnectorEnabled", expected)}


@for_every_principal
def test_only_admins_discard_and_retry_quarantined_records(
    client: TestClient, world: World, who: Who
) -> None:
    ids = ["1", "2"]
    retry, discard = (
        post(client, query, world.headers(who), ids=ids) for query in (RETRY_QUARANTINED, DISCARD)
    )
    expected = "ok" if who.role == "admin" else "FORBIDDEN"
    assert (outcome(retry), outcome(discard)) == (expected, expected), (retry, discard)
    logged = {(entry["action"], entry["outcome"]) for entry in audit_of(client, world, who)}
    assert logged == {("retryQuarantined", expected), ("discardQuarantined", expected)}


@for_every_principal
def test_reports_are_filed_by_unit_officers_inside_their_territory(
    client: TestClient, world: World, who: Who
) -> None:
    for code in ("23293", "23368", "00097"):
        saved = post(client, SAVE, world.headers(who), unit=code)
        allowed = who.role == "unit_officer" and sees_unit(who, (code, "new"))
        assert outcome(saved) == ("ok" if allowed else "FORBIDDEN"), (code, saved)


def required_cells(code: str) -> list[str]:
    """The cells of a shipped form that must be filled before it is submitted."""
    (definition,) = [form for form in shipped_forms() if form["code"] == code]
    return [c.address for c in template_from_dict(definition).cells.values() if c.required]


def test_the_level_above_approves_and_every_step_is_audited(
    client: TestClient, world: World
) -> None:
    commune, province = (
        next(w for w in PRINCIPALS if w.label == label)
        for label in ("Phường Kon Tum officer", "Quảng Ngãi officer")
    )
    filled = [{"address": address, "value": 1} for address in required_cells("KTXH-XA-THANG")]
    saved = post(client, FILL, world.headers(commune), unit="23293", values=filled)
    assert outcome(saved) == "ok"
    assert outcome(post(client, SUBMIT, world.headers(commune), unit="23293")) == "ok"
    assert outcome(post(client, APPROVE, world.headers(commune), unit="23293")) == "FORBIDDEN"
    hanoi = next(w for w in PRINCIPALS if w.label == "Hà Nội officer")
    assert outcome(post(client, APPROVE, world.headers(hanoi), unit="23293")) == "FORBIDDEN"
    assert outcome(post(client, APPROVE, world.headers(province), unit="23293")) == "ok"
    steps = [
        (e["action"], e["outcome"], e["target"]["unit"])
        for e in reversed(audit_of(client, world, commune))
    ]
    assert steps == [
        ("saveReport", "ok", "23293"),
        ("submitReport", "ok", "23293"),
        ("approveReport", "FORBIDDEN", "23293"),
    ]
    assert [(e["action"], e["outcome"]) for e in audit_of(client, world, province)] == [
        ("approveReport", "ok")
    ]


@for_every_principal
def test_the_audit_log_is_for_admins_only(client: TestClient, world: World, who: Who) -> None:
    body = post(client, AUDIT, world.headers(who))
    assert outcome(body) == ("ok" if who.role == "admin" else "FORBIDDEN")
