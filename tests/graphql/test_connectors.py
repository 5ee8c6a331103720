"""Connectors, runs and quarantine; enabling a connector and running one through the API."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from litestar.testing import TestClient
from sqlalchemy import select

from hub.connectors.locks import exclusive
from hub.connectors.records import Event as EventRecord
from hub.core import Hub
from hub.ingest.normalise import record_payload
from hub.model import AuditEntry, ConnectorRow, Event, QuarantinedRecord, RunStatus
from tests.graphql.conftest import Seed, data, error_codes, graphql

CONNECTORS = """{ connectors { id plugin kind enabled schedule configured
    lastRun { id status error connector { id } } } }"""


def test_connectors_with_their_last_run(client: TestClient, seed: Seed) -> None:
    connectors = data(client, CONNECTORS)["connectors"]
    assert connectors == [
        {
            "id": "kontum-feedback",
            "plugin": "testplugin",
            "kind": "static",
            "enabled": True,
            "schedule": "*/15 * * * *",
            "configured": True,
            "lastRun": {
                "id": str(seed.runs[RunStatus.FAILED]),
                "status": "FAILED",
                "error": "source answered 503",
                "connector": {"id": "kontum-feedback"},
            },
        },
        {
            "id": "kontum-traffic",
            "plugin": "testplugin",
            "kind": "static",
            "enabled": False,
            "schedule": None,
            "configured": True,
            "lastRun": None,
        },
    ]


def test_runs_newest_first(client: TestClient, seed: Seed) -> None:
    query = """query($last: Int) { connector(id: "kontum-feedback") {
        runs(last: $last) { id status startedAt finishedAt recordsRead recordsWritten
                            recordsQuarantined trigger } } }"""
    runs = data(client, query, last=2)["connector"]["runs"]
    assert [run["status"] for run in runs] == ["FAILED", "PARTIAL"]
    assert runs[1] == {
        "id": str(seed.runs[RunStatus.PARTIAL]),
        "status": "PARTIAL",
        "startedAt": "2026-03-01T01:00:00+00:00",
        "finishedAt": "2026-03-01T01:05:00+00:00",
        "recordsRead": 10,
        "recordsWritten": 9,
        "recordsQuarantined": 1,
        "trigger": "schedule",
    }
    assert len(data(client, query)["connector"]["runs"]) == 3  # last: 10 by default
    assert error_codes(graphql(client, query, last=-1)) == ["BAD_USER_INPUT"]


def test_an_unknown_connector_is_null(client: TestClient) -> None:
    assert data(client, '{ connector(id: "nope") { id } }') == {"connector": None}


def test_quarantine_pages(client: TestClient, seed: Seed) -> None:
    query = """query($connectorId: ID, $first: Int, $after: String) {
        quarantine(connectorId: $connectorId, first: $first, after: $after) {
          edges { cursor node { id connectorId runId receivedAt reason place payload } }
          pageInfo { hasNextPage endCursor } } }"""
    first = data(client, query, connectorId="kontum-feedback", first=3)["quarantine"]
    rest = data(client, query, first=3, after=first["pageInfo"]["endCursor"])["quarantine"]
    nodes = [edge["node"] for edge in first["edges"] + rest["edges"]]
    assert [node["payload"] for node in nodes] == [{"n": n} for n in (4, 3, 2, 1, 0)]
    assert (first["pageInfo"]["hasNextPage"], rest["pageInfo"]["hasNextPage"]) == (True, False)
    assert nodes[0]["runId"] == str(seed.runs[RunStatus.PARTIAL])
    assert (nodes[0]["reason"], nodes[0]["place"]) == ("unknown unit 4", "line 4")
    assert data(client, query, connectorId="kontum-traffic")["quarantine"]["edges"] == []
    assert error_codes(graphql(client, query, after="bm9wZQ")) == ["BAD_USER_INPUT"]


SET_ENABLED = """mutation($id: ID!, $enabled: Boolean!) {
    setConnectorEnabled(id: $id, enabled: $enabled) { id enabled } }"""


def test_set_connector_enabled_persists(client: TestClient, hub: Hub) -> None:
    assert data(client, SET_ENABLED, id="kontum-traffic", enabled=True) == {
        "setConnectorEnabled": {"id": "kontum-traffic", "enabled": True}
    }
    assert (
        data(client, SET_ENABLED, id="kontum-feedback", enabled=False)["setConnectorEnabled"][
            "enabled"
        ]
        is False
    )
    enabled = {c["id"]: c["enabled"] for c in data(client, CONNECTORS)["connectors"]}
    assert enabled == {"kontum-feedback": False, "kontum-traffic": True}
    with hub.db.session() as session:
        rows = {row.id: row for row in session.scalars(select(ConnectorRow))}
    assert (rows["kontum-traffic"].enabled, rows["kontum-traffic"].enabled_override) == (
        False,
        True,
    )
    assert rows["kontum-feedback"].enabled_override is False


def test_set_enabled_on_an_unknown_connector_is_not_found(client: TestClient) -> None:
    body = graphql(client, SET_ENABLED, id="nope", enabled=True)
    assert error_codes(body) == ["NOT_FOUND"]
    assert "nope" in body["errors"][0]["message"]
    assert body["data"] is None


RUN = """mutation($id: ID!, $full: Boolean) { runConnector(id: $id, full: $full) {
    id status full trigger recordsRead recordsWritten recordsQuarantined finishedAt error
    recordsSkipped recordsDuplicate recordsPlaced skipped { reason count }
    connector { id lastRun { id recordsRead recordsSkipped skipped { reason count } } } } }"""


def test_run_connector_runs_a_sync_and_returns_the_finished_run(
    client: TestClient, hub: Hub
) -> None:
    run = data(client, RUN, id="kontum-feedback", full=True)["runConnector"]
    assert run["status"] == "PARTIAL" and run["error"] is None
    assert (run["full"], run["trigger"]) == (True, "api")
    assert (run["recordsRead"], run["recordsWritten"], run["recordsQuarantined"]) == (3, 2, 1)
    assert (run["recordsSkipped"], run["recordsDuplicate"], run["recordsPlaced"]) == (0, 0, 0)
    assert run["skipped"] == []
    assert run["finishedAt"] is not None
    last = {"id": run["id"], "recordsRead": 3, "recordsSkipped": 0, "skipped": []}
    assert run["connector"] == {"id": "kontum-feedback", "lastRun": last}
    with hub.db.session() as session:
        written = session.scalars(select(Event.source_id).where(Event.source == "kontum-feedback"))
        assert sorted(written) == ["static-1", "static-2"]


def test_run_connector_errors(client: TestClient, hub: Hub) -> None:
    unknown = graphql(client, RUN, id="nope")
    assert error_codes(unknown) == ["NOT_FOUND"]
    with exclusive(hub.db, "iochub.sync:kontum-feedback") as taken:
        assert taken
        busy = graphql(client, RUN, id="kontum-feedback")
    assert error_codes(busy) == ["CONFLICT"]
    assert "already running" in busy["errors"][0]["message"]


DISCARD = "mutation($ids: [ID!]!) { discardQuarantined(ids: $ids) }"
RETRY = """mutation($ids: [ID!]!) {
  retryQuarantined(ids: $ids) { stored stillQuarantined problems } }"""


def quarantine_ids(hub: Hub) -> list[int]:
    with hub.db.session() as session:
        return list(session.scalars(select(QuarantinedRecord.id).order_by(QuarantinedRecord.id)))


def audited(hub: Hub, action: str) -> list[tuple[dict, str]]:
    with hub.db.session() as session:
        rows = session.scalars(select(AuditEntry).where(AuditEntry.action == action))
        return [(row.target, row.outcome) for row in rows]


def test_discard_quarantined_deletes_and_counts(client: TestClient, hub: Hub, seed: Seed) -> None:
    first, second, *rest = quarantine_ids(hub)
    assert data(client, DISCARD, ids=[str(first), str(second), "999999"]) == {
        "discardQuarantined": 2
    }
    assert quarantine_ids(hub) == rest
    assert audited(hub, "discardQuarantined") == [({"ids": str([first, second, 999999])}, "ok")]
    bad = graphql(client, DISCARD, ids=["x1"])
    assert error_codes(bad) == ["BAD_USER_INPUT"]
    assert quarantine_ids(hub) == rest


def quarantine_late_event(hub: Hub, seed: Seed) -> int:
    """A record quarantined under a unit the hub has since loaded; return its row id."""
    late = EventRecord(
        "test.incident", "late-1", datetime(2025, 8, 3, tzinfo=UTC), unit="23293", place="p"
    )
    with hub.db.session() as session:
        row = QuarantinedRecord(
            connector_id="kontum-feedback",
            record_key="late-1",
            sync_run_id=seed.runs[RunStatus.PARTIAL],
            reason="unknown unit '23293' on 2025-08-03",
            place="p",
            payload=record_payload(late),
        )
        session.add(row)
        session.flush()
        return row.id


def test_retry_quarantined_stores_what_the_config_now_accepts(
    client: TestClient, hub: Hub, seed: Seed
) -> None:
    seeded = quarantine_ids(hub)  # the test kind cannot read its bad records again
    late_id = quarantine_late_event(hub, seed)

    retried = data(client, RETRY, ids=[str(late_id), str(seeded[0])])["retryQuarantined"]

    assert retried == {
        "stored": 1,
        "stillQuarantined": 1,
        "problems": [
            f"record {seeded[0]}: kontum-feedback cannot read a single record again: "
            "a full sync (iochub sync --full kontum-feedback) reads it"
        ],
    }
    assert quarantine_ids(hub) == seeded
    with hub.db.session() as session:
        stored = session.scalars(select(Event).where(Event.source_id == "late-1")).one()
        assert (stored.source, stored.kind) == ("kontum-feedback", "test.incident")
    ((target, outcome),) = audited(hub, "retryQuarantined")
    assert (target["stored"], target["still"], outcome) == (1, 1, "ok")


def test_retry_quarantined_while_the_connector_runs_is_a_conflict(
    client: TestClient, hub: Hub, seed: Seed
) -> None:
    late_id = quarantine_late_event(hub, seed)
    with exclusive(hub.db, "iochub.sync:kontum-feedback") as taken:
        assert taken
        busy = graphql(client, RETRY, ids=[str(late_id)])
    assert error_codes(busy) == ["CONFLICT"]
    assert [outcome for _, outcome in audited(hub, "retryQuarantined")] == ["CONFLICT"]
    assert late_id in quarantine_ids(hub)


def test_the_next_run_of_a_scheduled_connector(client: TestClient) -> None:
    before = datetime.now(UTC)
    found = data(client, "{ connectors { id nextRun } }")["connectors"]
    after = datetime.now(UTC)
    next_run = {c["id"]: c["nextRun"] for c in found}
    assert next_run["kontum-traffic"] is None  # disabled
    quarter = datetime.fromisoformat(next_run["kontum-feedback"])  # "*/15 * * * *"
    assert quarter.minute % 15 == 0 and quarter.second == 0
    assert before < quarter <= after + timedelta(minutes=15)
