"""The ``fhir`` kind against a FHIR server on a real socket, through the hub's runtime, on SQLite
and PostgreSQL: counts checked against the facts the resources were generated from."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

import pytest
from sqlalchemy import func, select

from hub.connectors.runtime import run_sync
from hub.core import Hub
from hub.model import ConnectorState, Event, Facility, RunStatus, SyncRun
from hub.testing.acceptance import saved_state, snapshot
from plugins.health.fhir_mapping import NOT_NOTIFIABLE
from tests.plugins.health.conftest import TOKEN, fhir_table, observed, quarantined, serve
from tests.plugins.health.fhir_server import (
    Drop,
    FhirTestServer,
    Outcome,
    Repeat,
    Status,
    is_page,
    of_type,
)
from tests.plugins.health.generated import (
    CENTRE,
    DISEASES,
    ICD10,
    Clinic,
    EncounterFact,
    encounter,
    generate,
)

NO_RETRY = {
    "retry_attempts": 1,
    "retry_initial_wait": 0,
    "retry_max_wait": 0,
    "request_retry_seconds": 0,
}
QUICK_RETRY = {"retry_attempts": 4, "retry_initial_wait": 0, "retry_max_wait": 0}


@pytest.fixture
def clinic() -> Clinic:
    return generate()


@pytest.fixture
def fhir_hub(
    health_hub: Callable[..., Hub], fhir_server: FhirTestServer, clinic: Clinic
) -> Callable[..., Hub]:
    """A hub whose connector ``fhir`` reads the generated clinic from the test server."""
    serve(fhir_server, clinic)

    def build(runtime: dict[str, Any] | None = None, **options: Any) -> Hub:
        return health_hub(
            {"fhir": fhir_table(fhir_server, **options)}, runtime=runtime or QUICK_RETRY
        )

    return build


def assert_counts_match(hub: Hub, clinic: Clinic) -> None:
    assert observed(hub, "health_encounters") == clinic.expected_encounters()
    assert observed(hub, "health_vaccine_doses") == clinic.expected_doses()
    assert observed(hub, "health_disease_cases") == clinic.expected_cases()


def count(hub: Hub, model: type, *where: Any) -> int:
    with hub.db.session() as session:
        return session.scalar(select(func.count()).select_from(model).where(*where)) or 0


def test_a_sync_counts_encounters_doses_and_cases_per_commune_and_day(
    fhir_hub: Callable[..., Hub], clinic: Clinic
) -> None:
    hub = fhir_hub()

    run = run_sync(hub, "fhir")

    assert (run.status, run.error, run.records_quarantined) == (RunStatus.SUCCEEDED, None, 0)
    assert_counts_match(hub, clinic)
    notifiable = [case for case in clinic.cases if case.code != "J06.9"]
    assert count(hub, Event) == len(clinic.encounters) + len(clinic.doses) + len(notifiable)
    with hub.db.session() as session:
        places = set(session.scalars(select(Facility.source_id)))
    assert places == {
        "Organization/bvdk",
        "Organization/ttyt-615",
        "Organization/tyt-23326",
        "Location/bvdk-ed",
    }


def test_it_pages_through_next_links_sending_the_token(
    fhir_hub: Callable[..., Hub], fhir_server: FhirTestServer, clinic: Clinic
) -> None:
    run_sync(fhir_hub(page_size=7), "fhir")

    pages = [r for r in fhir_server.requests if is_page(r)]
    expected_pages = sum(
        -(-len(clinic.of_type(kind)) // 7) - 1
        for kind in ("Organization", "Location", "Encounter", "Immunization", "Condition")
    )
    assert len(pages) == expected_pages
    assert {r.headers["authorization"] for r in fhir_server.requests} == {f"Bearer {TOKEN}"}
    (condition_search,) = fhir_server.searches_of("Condition")
    assert condition_search.query["_include"] == ["Condition:subject", "Condition:encounter"]
    assert condition_search.param("_sort") == "_lastUpdated"


def test_an_incremental_sync_reads_what_changed_and_moves_the_counts(
    fhir_hub: Callable[..., Hub], fhir_server: FhirTestServer, clinic: Clinic
) -> None:
    hub = fhir_hub()
    run_sync(hub, "fhir")
    cursor = saved_state(hub, "fhir")["cursors"]["Encounter"]  # type: ignore[index]
    first, second = clinic.encounters[0], clinic.encounters[1]
    later = "2024-09-01T10:00:00+07:00"
    changed = [
        EncounterFact(first.key, first.facility, first.klass, "entered-in-error", first.start),
        EncounterFact(second.key, CENTRE, "EMER", "finished", second.start.replace(day=2)),
        EncounterFact("Encounter/new", CENTRE, "IMP", "finished", second.start),
    ]
    for fact in changed:
        ident = fact.key.split("/")[1]
        fhir_server.put(encounter(ident, fact.facility, fact.klass, fact.status, fact.start), later)
    clinic.encounters[:2] = changed[:2]
    clinic.encounters.append(changed[2])

    run = run_sync(hub, "fhir")

    assert (run.status, run.records_read) == (RunStatus.SUCCEEDED, 3)
    assert fhir_server.searches_of("Encounter")[-1].param("_lastUpdated") == f"ge{cursor['value']}"
    assert observed(hub, "health_encounters") == clinic.expected_encounters()
    assert saved_state(hub, "fhir")["cursors"]["Encounter"] == {  # type: ignore[index]
        "value": later,
        "ties": sorted(fact.key.split("/")[1] for fact in changed),
    }


def test_a_resource_at_the_boundarys_instant_is_read_and_its_ties_are_not_read_again(
    fhir_hub: Callable[..., Hub], fhir_server: FhirTestServer, clinic: Clinic
) -> None:
    hub = fhir_hub()
    run_sync(hub, "fhir")
    boundary = saved_state(hub, "fhir")["cursors"]["Encounter"]  # type: ignore[index]
    tie = EncounterFact("Encounter/tie", CENTRE, "AMB", "finished", clinic.encounters[0].start)
    fhir_server.put(
        encounter("tie", tie.facility, tie.klass, tie.status, tie.start), boundary["value"]
    )
    clinic.encounters.append(tie)

    run = run_sync(hub, "fhir")

    assert (run.status, run.records_read) == (RunStatus.SUCCEEDED, 1)
    assert observed(hub, "health_encounters") == clinic.expected_encounters()
    saved = saved_state(hub, "fhir")["cursors"]["Encounter"]  # type: ignore[index]
    assert saved == {"value": boundary["value"], "ties": sorted([*boundary["ties"], "tie"])}


def test_a_cursor_saved_by_an_older_release_goes_on_from_its_place(
    fhir_hub: Callable[..., Hub], fhir_server: FhirTestServer, clinic: Clinic
) -> None:
    hub = fhir_hub()
    run_sync(hub, "fhir")
    cursors = saved_state(hub, "fhir")["cursors"]  # type: ignore[index]
    with hub.db.session() as session:  # as releases before the kit's cursor saved it
        row = session.get(ConnectorState, "fhir")
        row.state = {"cursors": {kind: cursor["value"] for kind, cursor in cursors.items()}}
    first = clinic.encounters[0]
    changed = EncounterFact(first.key, first.facility, first.klass, "cancelled", first.start)
    ident = first.key.split("/")[1]
    later = "2024-09-01T10:00:00+07:00"
    fhir_server.put(encounter(ident, first.facility, first.klass, "cancelled", first.start), later)
    clinic.encounters[0] = changed

    run = run_sync(hub, "fhir")

    assert run.status == RunStatus.SUCCEEDED
    searched = fhir_server.searches_of("Encounter")[-1].param("_lastUpdated")
    assert searched == f"ge{cursors['Encounter']['value']}"
    # Not everything again: the changed encounter, and what shares each old boundary.
    at_boundaries = sum(len(cursor["ties"]) for cursor in cursors.values())
    assert run.records_read == at_boundaries + 1
    assert observed(hub, "health_encounters") == clinic.expected_encounters()
    saved = saved_state(hub, "fhir")["cursors"]  # type: ignore[index]
    assert saved["Encounter"] == {"value": later, "ties": [ident]}
    assert saved["Organization"] == cursors["Organization"]


def test_a_run_that_breaks_off_mid_page_resumes_from_its_last_page(
    fhir_hub: Callable[..., Hub], fhir_server: FhirTestServer, clinic: Clinic
) -> None:
    hub = fhir_hub(runtime=NO_RETRY)
    fhir_server.inject(Drop(), when=lambda r: is_page(r) and r.param("offset") == "21")

    broken = run_sync(hub, "fhir")

    assert broken.status == RunStatus.FAILED
    assert "the connection broke off" in (broken.error or "")
    # Pages of 7 updated in groups of 4 at one instant: the ties of the third page's last
    # instant may go on past it, so the cursor keeps that instant and the ties read at it.
    encounters = clinic.of_type("Encounter")
    stamp = {r["id"]: clinic.last_updated[f"Encounter/{r['id']}"] for r in encounters}
    read = sorted(stamp, key=lambda ident: (datetime.fromisoformat(stamp[ident]), ident))[:21]
    boundary = stamp[read[-1]]
    ties = [ident for ident in read if stamp[ident] == boundary]
    saved = saved_state(hub, "fhir")["cursors"]["Encounter"]  # type: ignore[index]
    assert saved == {"value": boundary, "ties": sorted(ties)}

    resumed = run_sync(hub, "fhir")

    assert resumed.status == RunStatus.SUCCEEDED
    assert fhir_server.searches_of("Encounter")[-1].param("_lastUpdated") == f"ge{boundary}"
    assert_counts_match(hub, clinic)


def test_503_then_ok_and_429_with_retry_after_are_retried(
    fhir_hub: Callable[..., Hub], fhir_server: FhirTestServer, clinic: Clinic
) -> None:
    hub = fhir_hub()
    fhir_server.inject(Status(503, diagnostics="database restarting"), when=of_type("Encounter"))
    fhir_server.inject(Status(429, {"Retry-After": "0"}), when=is_page)
    fhir_server.inject(Drop(), when=is_page)

    run = run_sync(hub, "fhir")

    assert (run.status, run.attempts) == (RunStatus.SUCCEEDED, 1)  # each request retried
    assert_counts_match(hub, clinic)


def test_at_30_percent_faults_a_run_finishes_by_itself(
    fhir_hub: Callable[..., Hub], fhir_server: FhirTestServer, clinic: Clinic
) -> None:
    hub = fhir_hub()
    fhir_server.fail_share(0.3)

    run = run_sync(hub, "fhir")

    assert (run.status, run.attempts, run.error) == (RunStatus.SUCCEEDED, 1, None)
    assert fhir_server.faults_served > QUICK_RETRY["retry_attempts"]  # more than a run's retries
    assert_counts_match(hub, clinic)


def test_a_run_retried_from_its_checkpoint_reads_the_facility_directory_once(
    fhir_hub: Callable[..., Hub], fhir_server: FhirTestServer, clinic: Clinic
) -> None:
    hub = fhir_hub(runtime={**NO_RETRY, "retry_attempts": 2})
    fhir_server.inject(Drop(), when=lambda r: is_page(r) and r.param("offset") == "21")

    run = run_sync(hub, "fhir")

    assert (run.status, run.attempts) == (RunStatus.SUCCEEDED, 2)
    assert len(fhir_server.searches_of("Organization")) == 1
    assert len(fhir_server.searches_of("Location")) == 1
    assert_counts_match(hub, clinic)


def test_an_optional_resource_type_the_server_lacks_is_a_warning_not_a_failure(
    fhir_hub: Callable[..., Hub], fhir_server: FhirTestServer
) -> None:
    unknown = Status(404, diagnostics="Unknown resource type 'Location'", issue_code="not-found")
    strict = fhir_hub(runtime=NO_RETRY)
    fhir_server.inject(unknown, when=of_type("Location"))
    failed = run_sync(strict, "fhir")

    lenient = fhir_hub(runtime=NO_RETRY, optional_resources=["Location"])
    fhir_server.inject(unknown, when=of_type("Location"))
    warned = run_sync(lenient, "fhir")

    assert failed.status == RunStatus.FAILED
    assert "HTTP 404" in (failed.error or "") and "Unknown resource type" in (failed.error or "")
    # Read to its end; the encounters that took place at a Location cannot be placed now.
    assert (warned.status, warned.error) == (RunStatus.PARTIAL, None)
    (warning,) = warned.warnings or []
    assert warning.startswith("Location skipped: the server does not have it (")
    assert "Unknown resource type 'Location'" in warning
    assert warned.records_written > 0 and warned.records_lost == 0


def test_a_repeated_page_doubles_nothing(
    fhir_hub: Callable[..., Hub], fhir_server: FhirTestServer, clinic: Clinic
) -> None:
    hub = fhir_hub()
    fhir_server.inject(Repeat(), when=lambda r: is_page(r) and r.param("offset") == "14")

    run = run_sync(hub, "fhir")

    assert run.status == RunStatus.SUCCEEDED
    assert_counts_match(hub, clinic)


def test_an_operation_outcome_fails_the_run_with_its_diagnostics(
    fhir_hub: Callable[..., Hub], fhir_server: FhirTestServer
) -> None:
    hub = fhir_hub()
    fhir_server.inject(Outcome('Unknown search parameter "_sort"'), when=of_type("Immunization"))

    run = run_sync(hub, "fhir")

    assert run.status == RunStatus.FAILED
    assert run.attempts == 1  # not a transient issue: no retry
    assert 'error (processing): Unknown search parameter "_sort"' in (run.error or "")


def test_a_transient_operation_outcome_is_retried(
    fhir_hub: Callable[..., Hub], fhir_server: FhirTestServer, clinic: Clinic
) -> None:
    hub = fhir_hub()
    fhir_server.inject(Outcome("lock timeout", issue_code="timeout"), when=of_type("Condition"))

    run = run_sync(hub, "fhir")

    assert (run.status, run.attempts) == (RunStatus.SUCCEEDED, 1)  # the request was retried
    assert len(fhir_server.searches_of("Condition")) == 2
    assert_counts_match(hub, clinic)


def test_a_wrong_token_fails_the_run_and_says_so(
    health_hub: Callable[..., Hub], fhir_server: FhirTestServer
) -> None:
    hub = health_hub({"fhir": fhir_table(fhir_server, token="stale")}, runtime=QUICK_RETRY)

    run = run_sync(hub, "fhir")

    assert (run.status, run.attempts) == (RunStatus.FAILED, 1)
    assert "HTTP 401" in (run.error or "") and "check the credentials" in (run.error or "")
    assert "stale" not in (run.error or "")


def test_the_token_comes_from_the_environment(
    health_hub: Callable[..., Hub],
    fhir_server: FhirTestServer,
    clinic: Clinic,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    serve(fhir_server, clinic)
    monkeypatch.setenv("HEALTH_FHIR_TOKEN", TOKEN)
    hub = health_hub({"fhir": fhir_table(fhir_server, token="${HEALTH_FHIR_TOKEN}")})

    assert run_sync(hub, "fhir").status == RunStatus.SUCCEEDED


def test_next_links_on_the_servers_inner_address_are_followed_on_the_base_url(
    health_hub: Callable[..., Hub], clinic: Clinic
) -> None:
    with FhirTestServer(token=TOKEN, link_origin="http://fhir-internal:8080") as server:
        serve(server, clinic)
        hub = health_hub({"fhir": fhir_table(server)}, runtime=NO_RETRY)

        run = run_sync(hub, "fhir")

    assert run.status == RunStatus.SUCCEEDED
    assert_counts_match(hub, clinic)


def test_a_server_that_does_not_sort_keeps_the_cursor_until_the_end(
    health_hub: Callable[..., Hub], clinic: Clinic
) -> None:
    with FhirTestServer(token=TOKEN, sorts=False) as server:
        serve(server, clinic)
        hub = health_hub({"fhir": fhir_table(server)}, runtime=NO_RETRY)
        server.inject(Drop(), when=lambda r: is_page(r) and r.param("offset") == "28")

        assert run_sync(hub, "fhir").status == RunStatus.FAILED
        assert "Encounter" not in saved_state(hub, "fhir")["cursors"]  # type: ignore[index]
        assert run_sync(hub, "fhir").status == RunStatus.SUCCEEDED

    assert_counts_match(hub, clinic)


def test_check_names_the_server_and_counts_its_resources(
    fhir_hub: Callable[..., Hub], clinic: Clinic
) -> None:
    hub = fhir_hub()
    from hub.connectors.base import ConnectorContext

    message = hub.connector("fhir").create(ConnectorContext("fhir")).check()

    assert message == (
        "FHIR 4.0.1 server iochub test FHIR server 1.0: 3 Organization, 1 Location, "
        f"{len(clinic.encounters)} Encounter, {len(clinic.doses)} Immunization, "
        f"{len(clinic.cases)} Condition"
    )


def test_a_full_sync_reads_everything_again_and_changes_nothing(
    fhir_hub: Callable[..., Hub], clinic: Clinic
) -> None:
    hub = fhir_hub()
    first = run_sync(hub, "fhir")
    before = snapshot(hub, "fhir")

    again = run_sync(hub, "fhir", full=True)

    assert again.records_read == first.records_read
    assert snapshot(hub, "fhir") == before  # the same rows, the same values
    assert_counts_match(hub, clinic)
    assert count(hub, SyncRun) == 2
    assert quarantined(hub) == []


VN_ICD10 = "https://fhir.kcb.vn/CodeSystem/icd-10"
"""A plausible ICD-10 code system of a Vietnamese source, which the defaults do not list."""


def test_cases_coded_in_an_unlisted_icd10_system_are_skipped_by_name_until_it_is_listed(
    health_hub: Callable[..., Hub], fhir_server: FhirTestServer
) -> None:
    clinic = generate()
    moved = clinic.of_type("Condition")[::2]
    for resource in moved:
        resource["code"]["coding"][0]["system"] = VN_ICD10
    serve(fhir_server, clinic)
    notifiable_moved = sum(r["code"]["coding"][0]["code"] in DISEASES for r in moved)
    other = sum(case.code not in DISEASES for case in clinic.cases)
    assert notifiable_moved and other

    hub = health_hub({"fhir": fhir_table(fhir_server)}, runtime=QUICK_RETRY)
    run = run_sync(hub, "fhir")
    unlisted = f"Condition with an ICD-10 code of a system not in icd10_systems: {VN_ICD10}"
    assert run.skipped == {unlisted: notifiable_moved, NOT_NOTIFIABLE: other}
    assert run.records_skipped == notifiable_moved + other
    assert observed(hub, "health_disease_cases") != clinic.expected_cases()

    listed = health_hub(
        {"fhir": fhir_table(fhir_server, icd10_systems=[ICD10, VN_ICD10])}, runtime=QUICK_RETRY
    )
    run = run_sync(listed, "fhir", full=True)  # what it skipped is read again
    assert run.skipped == {NOT_NOTIFIABLE: other}
    assert observed(listed, "health_disease_cases") == clinic.expected_cases()
