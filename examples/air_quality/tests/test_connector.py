"""The ``readings`` kind against the scripted API: paging, the cursor, bad readings, faults."""

from collections.abc import Callable

from sqlalchemy import select

from hub.connectors.runtime import run_sync
from hub.core import Hub
from hub.model import AdminUnit, Metric, Observation, QuarantinedRecord, RunStatus
from hub.testing import Reply, ScriptedServer
from hub.testing.acceptance import assert_accounted, saved_state

from .conftest import READINGS, serve

MakeHub = Callable[..., Hub]


def stored(hub: Hub) -> dict[tuple[str, str, str], float]:
    """(commune, day, pollutant) → the stored daily concentration."""
    with hub.db.session() as session:
        rows = session.execute(
            select(AdminUnit.code, Observation.period, Observation.dims_key, Observation.value)
            .join(AdminUnit, AdminUnit.id == Observation.unit_id)
            .join(Metric, Metric.id == Observation.metric_id)
            .where(Metric.code == "air_concentration")
        ).all()
    return {(code, day, dims.removeprefix("pollutant=")): value for code, day, dims, value in rows}


def test_every_page_is_read_and_each_pollutant_is_an_observation(
    air_hub: MakeHub, scripted_server: ScriptedServer
) -> None:
    serve(scripted_server, READINGS)
    hub = air_hub()
    run = run_sync(hub, "air")
    assert (run.status, run.records_read, run.records_written) == (RunStatus.SUCCEEDED, 5, 5)
    assert stored(hub) == {
        ("21025", "2026-11-20", "pm25"): 31.5,
        ("21025", "2026-11-20", "pm10"): 48.0,
        ("21028", "2026-11-20", "pm25"): 22.0,
        ("23293", "2026-11-20", "pm25"): 12.25,
        ("23293", "2026-11-20", "no2"): 9.5,
    }
    asked = [r.params.get("page") for r in scripted_server.requests_for("/api/readings")]
    assert asked == ["1", "2"]  # page 2 holds one reading: fewer than a page, the last
    assert scripted_server.requests[0].params["per_page"] == "2"


def test_the_next_run_asks_from_the_last_update_and_leaves_out_what_it_read(
    air_hub: MakeHub, scripted_server: ScriptedServer
) -> None:
    serve(scripted_server, READINGS)
    hub = air_hub()
    run_sync(hub, "air")
    assert saved_state(hub, "air") == {
        "cursor": {"value": "2026-11-21T01:05:00+07:00", "ties": ["r2", "r3"]}
    }
    unchanged = run_sync(hub, "air")
    corrected = {**READINGS[2], "values": {"pm25": 14.0}, "updated_at": "2026-11-21T09:00:00+07:00"}
    serve(scripted_server, [*READINGS, corrected])
    after = run_sync(hub, "air")

    since = [r.params.get("updated_since") for r in scripted_server.requests_for("/api/readings")]
    assert since[-1] == "2026-11-21T01:05:00+07:00"  # the latest update, as the API wrote it
    assert unchanged.records_read == 0  # the API sent r2 and r3 again: ties already read
    assert (after.records_read, after.records_written) == (1, 1)
    assert stored(hub)[("23293", "2026-11-20", "pm25")] == 14.0
    assert ("23293", "2026-11-20", "no2") in stored(hub)  # not in the correction: kept


def test_bad_readings_are_quarantined_with_their_reason_and_the_rest_stored(
    air_hub: MakeHub, scripted_server: ScriptedServer
) -> None:
    broken = [
        {**READINGS[0], "values": {}},
        {**READINGS[1], "commune": "99999"},
        {**READINGS[2], "values": {"pm25": "n/a", "no2": 9.5}},
    ]
    serve(scripted_server, broken)
    hub = air_hub()
    run = run_sync(hub, "air")
    assert_accounted(run)
    assert (run.status, run.records_written, run.records_quarantined) == (RunStatus.PARTIAL, 1, 3)
    assert stored(hub) == {("23293", "2026-11-20", "no2"): 9.5}
    with hub.db.session() as session:
        reasons = {q.place: q.reason for q in session.scalars(select(QuarantinedRecord))}
    assert reasons["page 1"] == "the reading has no values"
    assert "99999" in reasons["station QN-02 on 2026-11-20"]
    assert "n/a" in reasons["station KT-01 on 2026-11-20"]


def test_a_busy_server_and_a_dropped_connection_are_retried(
    air_hub: MakeHub, scripted_server: ScriptedServer
) -> None:
    serve(scripted_server, READINGS)
    page_two = scripted_server.script  # page 2 fails twice before it answers
    page_two(
        "/api/readings",
        Reply(503, headers={"Retry-After": "0"}),
        Reply.dropped(),
        Reply.json({"results": READINGS[2:]}),
        query={"page": 2},
    )
    hub = air_hub()
    run = run_sync(hub, "air")
    assert (run.status, run.records_written) == (RunStatus.SUCCEEDED, 5)
    pages = [r.params["page"] for r in scripted_server.requests_for("/api/readings")]
    assert pages == ["1", "2", "2", "2"]  # retried on the spot, not from the first page


def test_a_refused_key_fails_the_run_with_a_clear_message(
    air_hub: MakeHub, scripted_server: ScriptedServer
) -> None:
    scripted_server.script("/api/readings", Reply(401))
    hub = air_hub(api_key="not-valid", api_key_header="X-API-Key")
    run = run_sync(hub, "air")
    assert run.status == RunStatus.FAILED
    assert "HTTP 401" in run.error and "credentials" in run.error
    assert "not-valid" not in run.error
    assert scripted_server.requests[0].headers["X-API-Key"] == "not-valid"
