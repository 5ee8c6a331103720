"""Reading FHIR: files (Bundles, NDJSON, folders) and a server's answers, faults included."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from iochub_plugins.health.fhir_files import read_files
from iochub_plugins.health.fhir_server import FhirServer

from hub.connectors.base import ConnectorContext
from hub.connectors.errors import PermanentSourceError, TransientSourceError
from hub.connectors.http import HttpAuth
from hub.core import Hub
from tests.plugins.health.conftest import TOKEN
from tests.plugins.health.fhir_server import FhirTestServer, Outcome, Status, of_type
from tests.support.http_server import Reply, ScriptedServer

PATIENT = {"resourceType": "Patient", "id": "p1"}
ENCOUNTER = {"resourceType": "Encounter", "id": "e1"}


def test_ndjson_lines_that_are_not_resources_are_bad_records_the_rest_is_read(
    tmp_path: Path,
) -> None:
    path = tmp_path / "Encounter.ndjson"
    path.write_text(
        f"{json.dumps(ENCOUNTER)}\n\n{{oops\n[1, 2]\n{json.dumps(PATIENT)}\n", encoding="utf-8"
    )

    found = read_files(str(path), 5)

    assert found.resources == [ENCOUNTER, PATIENT]
    assert [(p.place, p.reason.split(": ")[1]) for p in found.problems] == [
        ("Encounter.ndjson line 3", "not JSON (Expecting property name enclosed in double quotes)"),
        ("Encounter.ndjson line 4", "not a FHIR resource"),
    ]


def test_bundles_are_opened_nested_ones_too(tmp_path: Path) -> None:
    inner = {"resourceType": "Bundle", "entry": [{"resource": PATIENT}]}
    outer = {
        "resourceType": "Bundle",
        "type": "collection",
        "entry": [{"resource": ENCOUNTER}, {"resource": inner}, {"request": {}}],
    }
    (tmp_path / "bundle.json").write_text(json.dumps(outer), encoding="utf-8")

    assert read_files(str(tmp_path / "bundle.json"), 5).resources == [ENCOUNTER, PATIENT]


def test_a_folder_is_read_file_by_file_and_its_digest_follows_the_content(
    tmp_path: Path,
) -> None:
    (tmp_path / "a.json").write_text(json.dumps(ENCOUNTER), encoding="utf-8")
    (tmp_path / "b.ndjson").write_text(json.dumps(PATIENT), encoding="utf-8")
    (tmp_path / "notes.txt").write_text("not FHIR", encoding="utf-8")

    first = read_files(str(tmp_path), 5)
    (tmp_path / "b.ndjson").write_text(json.dumps({**PATIENT, "id": "p2"}), encoding="utf-8")
    second = read_files(str(tmp_path), 5)

    assert (first.files, first.resources) == (2, [ENCOUNTER, PATIENT])
    assert first.digest != second.digest
    assert read_files(str(tmp_path), 5).digest == second.digest


def test_a_missing_file_or_an_empty_folder_fails_the_run(tmp_path: Path) -> None:
    with pytest.raises(PermanentSourceError, match="no such file"):
        read_files(str(tmp_path / "gone.ndjson"), 5)
    with pytest.raises(PermanentSourceError, match=r"no \.json, \.ndjson, \.jsonl files"):
        read_files(str(tmp_path), 5)


def test_a_429_says_how_long_to_wait_and_a_500_outcome_its_diagnostics() -> None:
    with (
        FhirTestServer(token=TOKEN) as server,
        FhirServer(server.base_url, {"Authorization": f"Bearer {TOKEN}"}, 5) as client,
    ):
        server.inject(Status(429, {"Retry-After": "7"}), when=of_type("Encounter"))
        down = Status(500, diagnostics="HAPI-0389: database down")
        server.inject(down, when=of_type("Encounter"))

        with pytest.raises(TransientSourceError) as throttled:
            list(client.search("Encounter", {}))
        with pytest.raises(TransientSourceError, match=r"HTTP 500.*HAPI-0389: database down"):
            list(client.search("Encounter", {}))

    assert throttled.value.retry_after == 7


def test_a_200_operation_outcome_is_an_error_transient_only_if_its_issue_is() -> None:
    with FhirTestServer() as server, FhirServer(server.base_url, {}, 5) as client:
        server.inject(Outcome("too costly", issue_code="too-costly"))
        server.inject(Outcome("try later", issue_code="throttled"))

        with pytest.raises(PermanentSourceError, match=r"error \(too-costly\): too costly"):
            list(client.search("Encounter", {}))
        with pytest.raises(TransientSourceError, match="try later"):
            list(client.search("Encounter", {}))


@pytest.mark.parametrize(
    ("reply", "error", "message"),
    [
        (Reply(200, b'{"resourceType": "Patient"}'), PermanentSourceError, "expected a Bundle"),
        (Reply(200, b'{"resourceType": "Bund'), TransientSourceError, "not complete JSON"),
        (Reply(404, b"no such type"), PermanentSourceError, "HTTP 404"),
        (Reply(403, b""), PermanentSourceError, "check the credentials"),
    ],
)
def test_answers_that_are_no_search_set_are_errors(
    reply: Reply, error: type[Exception], message: str
) -> None:
    with ScriptedServer() as server, FhirServer(server.url("/fhir"), {}, 5) as client:
        server.script("/fhir/Encounter", reply)

        with pytest.raises(error, match=message):
            list(client.search("Encounter", {}))


def test_a_paging_that_loops_is_stopped() -> None:
    with ScriptedServer() as server, FhirServer(server.url("/fhir"), {}, 5) as client:
        looping = {
            "resourceType": "Bundle",
            "type": "searchset",
            "entry": [],
            "link": [{"relation": "next", "url": server.url("/fhir/Encounter")}],
        }
        server.script("/fhir/Encounter", Reply(200, json.dumps(looping).encode()))

        with pytest.raises(PermanentSourceError, match="paging loops"):
            list(client.search("Encounter", {}))


def test_an_entry_without_a_resource_is_a_bad_record_and_outcomes_are_not_matches() -> None:
    bundle = {
        "resourceType": "Bundle",
        "type": "searchset",
        "entry": [
            {"resource": ENCOUNTER, "search": {"mode": "match"}},
            {"fullUrl": "urn:uuid:1"},
            {
                "resource": {"resourceType": "OperationOutcome", "issue": []},
                "search": {"mode": "outcome"},
            },
            {"resource": PATIENT, "search": {"mode": "include"}},
        ],
    }
    with ScriptedServer() as server, FhirServer(server.url("/fhir"), {}, 5) as client:
        server.script("/fhir/Encounter", Reply(200, json.dumps(bundle).encode()))

        (page,) = client.search("Encounter", {"_count": "10"})

    assert page.matches == [ENCOUNTER]
    assert page.included == {"Patient/p1": PATIENT}
    assert [problem.reason for problem in page.problems] == [
        f"entry 2 of {server.url('/fhir/Encounter')}: no resource"
    ]


def test_an_export_is_read_over_http_too() -> None:
    lines = f"{json.dumps(ENCOUNTER)}\n{json.dumps(PATIENT)}\n".encode()
    with ScriptedServer() as server:
        server.script("/export/Encounter.ndjson", Reply(200, lines))

        found = read_files(server.url("/export/Encounter.ndjson"), 5)

    assert (found.files, found.resources) == (1, [ENCOUNTER, PATIENT])


def test_an_export_over_http_is_read_with_the_connectors_token(
    health_hub: Callable[..., Hub],
) -> None:
    lines = f"{json.dumps(ENCOUNTER)}\n{json.dumps(PATIENT)}\n".encode()
    with ScriptedServer() as server:
        server.script("/export/Encounter.ndjson", Reply(200, lines))
        table = {"plugin": "health", "kind": "fhir", "token": TOKEN}
        location = server.url("/export/Encounter.ndjson")
        hub = health_hub({"fhir": {**table, "location": location}})

        said = hub.connector("fhir").create(ConnectorContext("fhir")).check()
        (request,) = server.requests_for("/export/Encounter.ndjson")

    assert said == "1 file(s): 1 Encounter, 1 Patient"
    assert request.headers["Authorization"] == f"Bearer {TOKEN}"
    assert request.headers["Accept"] == "application/fhir+json"


def test_an_api_key_in_the_query_reaches_the_fhir_server() -> None:
    auth = HttpAuth(api_key="k3y", api_key_param="apikey")
    with ScriptedServer() as server:
        server.script("/fhir/metadata", Reply.json({"resourceType": "CapabilityStatement"}))
        with FhirServer(server.url("/fhir"), auth=auth) as client:
            client.capabilities()
        (request,) = server.requests_for("/fhir/metadata")

    assert request.query == "apikey=k3y"
