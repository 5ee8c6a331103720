"""Every official FHIR R4 example is either mapped or quarantined with what it lacks; none breaks a
run — file by file, then all of them from a server, through the hub's runtime."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from iochub_plugins.health.fhir_connector import FhirConnector
from iochub_plugins.health.fhir_files import read_files
from sqlalchemy import func, select

from hub.connectors.base import ConnectorContext
from hub.connectors.records import BadRecord, Checkpoint, Event, Facility, Item, Skipped
from hub.connectors.runtime import run_sync
from hub.core import Hub
from hub.model import Event as EventRow
from hub.model import Facility as FacilityRow
from hub.model import RunStatus
from tests.plugins.health.conftest import EXAMPLES, TOKEN, quarantined
from tests.plugins.health.fhir_server import FhirTestServer

READ_TYPES = ("Organization", "Location", "Encounter", "Immunization", "Condition")
DIRECTORY_TYPES = ("Organization", "Location")
CONFIG: dict[str, Any] = {
    # Two hospitals of the examples placed by hand, as an admin would for a facility whose
    # address is abroad; their departments and locations follow them.
    "facility_units": {"Organization/f001": "23293", "Organization/f201": "23281"},
    "notifiable_diseases": {
        "dengue": ["A90", "A91", "A97"],
        "sepsis": ["http://snomed.info/sct|10001005"],
        "fever": ["http://snomed.info/sct|386661006"],
    },
}

NOT_NOTIFIABLE = "skipped: Condition that is not a notifiable disease"
NO_DATE = "no date (period.start)"
NO_ENCOUNTER_FACILITY = (
    "no facility (serviceProvider or location referring to an Organization or Location)"
)
NO_ADDRESS = "no commune (no address); map it in facility_units"
ANN_ARBOR = (
    "no commune (address has no unit-code extension, and no part of '3300 Washtenaw Avenue, "
    "Suite 227, Ann Arbor, MI' is in address_units); map it in facility_units"
)

EXPECTED: dict[str, dict[str, str]] = {
    "condition-example-f001-heart.json": {"Condition/f001": NOT_NOTIFIABLE},
    "condition-example-f002-lung.json": {"Condition/f002": NOT_NOTIFIABLE},
    "condition-example-f003-abscess.json": {"Condition/f003": NOT_NOTIFIABLE},
    "condition-example-f201-fever.json": {
        # The patient lives in Amsterdam: the case counts where it was diagnosed.
        "Condition/f201": "health.disease_case in 23281 on 2013-04-02",
    },
    "condition-example-f202-malignancy.json": {"Condition/f202": NOT_NOTIFIABLE},
    "condition-example-f203-sepsis.json": {
        "Condition/f203": (
            "no commune (patient's address has no unit-code extension, and no part of 'Bos en "
            "Lommerplein 280, Amsterdam' is in address_units; facility Organization/2 (XYZ "
            "Insurance) has no commune)"
        ),
    },
    "condition-example-f204-renal.json": {"Condition/f204": NOT_NOTIFIABLE},
    "condition-example-f205-infection.json": {"Condition/f205": NOT_NOTIFIABLE},
    "condition-example-family-history.json": {"Condition/family-history": NOT_NOTIFIABLE},
    "condition-example-stroke.json": {"Condition/stroke": NOT_NOTIFIABLE},
    "condition-example.json": {"Condition/example": NOT_NOTIFIABLE},
    "condition-example2.json": {
        "Condition/example2": "no code (code.coding, only the text 'Asthma')",
    },
    "encounter-example-emerg.json": {"Encounter/emerg": NO_ENCOUNTER_FACILITY},
    "encounter-example-f001-heart.json": {"Encounter/f001": NO_DATE},
    "encounter-example-f002-lung.json": {"Encounter/f002": NO_DATE},
    "encounter-example-f003-abscess.json": {"Encounter/f003": NO_DATE},
    "encounter-example-f201-20130404.json": {"Encounter/f201": NO_DATE},
    "encounter-example-f202-20130128.json": {"Encounter/f202": NO_DATE},
    "encounter-example-f203-20130311.json": {
        "Encounter/f203": "facility Organization/2 (XYZ Insurance) has no commune",
    },
    "encounter-example-home.json": {"Encounter/home": NO_ENCOUNTER_FACILITY},
    "encounter-example-xcda.json": {"Encounter/xcda": f"{NO_DATE}; {NO_ENCOUNTER_FACILITY}"},
    "encounter-example.json": {"Encounter/example": f"{NO_DATE}; {NO_ENCOUNTER_FACILITY}"},
    "immunization-example-historical.json": {
        "Immunization/historical": "no date (occurrenceDateTime: only the text 'January 2012')",
    },
    "immunization-example-protocol.json": {
        "Immunization/protocol": "health.immunization in 23293 on 2018-06-18",
    },
    "immunization-example-refused.json": {
        "Immunization/notGiven": (
            "no facility (location or performer referring to an Organization or Location)"
        ),
    },
    "immunization-example-subpotent.json": {
        "Immunization/subpotent": "health.immunization in 23293 on 2015-01-15",
    },
    "immunization-example.json": {
        "Immunization/example": "health.immunization in 23293 on 2013-01-10",
    },
    "location-example-ambulance.json": {"Location/amb": "facility in 23293"},
    "location-example-hl7hq.json": {"Location/hl7": ANN_ARBOR},
    "location-example-patients-home.json": {"Location/ph": "facility in 23293"},
    "location-example-room.json": {"Location/2": "facility in 23293"},
    "location-example-ukpharmacy.json": {"Location/ukp": NO_ADDRESS},
    "location-example.json": {"Location/1": "facility in 23293"},
    "location-examples-general.json": {"Location/2": NO_ADDRESS, "Location/3": NO_ADDRESS},
    "organization-example-f001-burgers.json": {"Organization/f001": "facility in 23293"},
    "organization-example-f002-burgers-card.json": {"Organization/f002": "facility in 23293"},
    "organization-example-f003-burgers-ENT.json": {"Organization/f003": "facility in 23293"},
    "organization-example-f201-aumc.json": {"Organization/f201": "facility in 23281"},
    "organization-example-f203-bumc.json": {
        "Organization/f203": (
            "no commune (address has no unit-code extension, and no part of 'apenrots 230, "
            "Blijdorp' is in address_units); map it in facility_units"
        ),
    },
    "organization-example-gastro.json": {"Organization/1": NO_ADDRESS},
    "organization-example-good-health-care.json": {
        "Organization/2.16.840.1.113883.19.5": NO_ADDRESS,
    },
    "organization-example-hl7pay.json": {"Organization/hl7pay": NO_ADDRESS},
    "organization-example-insurer.json": {"Organization/2": NO_ADDRESS},
    "organization-example-lab.json": {
        "Organization/1832473e-2fe0-452d-abe9-3cdb9879522f": NO_ADDRESS,
    },
    "organization-example-mihealth.json": {"Organization/3": NO_ADDRESS},
    "organization-example-mmanu.json": {
        "Organization/mmanu": (
            "no commune (address has no unit-code extension and no place names); "
            "map it in facility_units"
        ),
    },
    "organization-example.json": {"Organization/hl7": ANN_ARBOR},
}
EXAMPLE_FILES = sorted(EXAMPLES.glob("*.json"))


def connector(location: Path) -> FhirConnector:
    config = FhirConnector.config_model.model_validate({"location": str(location), **CONFIG})
    return FhirConnector(config, ConnectorContext("examples"))


def all_examples() -> list[dict[str, Any]]:
    return read_files(str(EXAMPLES), 5).resources


def outcome(item: Item) -> str:
    if isinstance(item, Skipped):
        return f"skipped: {item.reason}"
    if isinstance(item, BadRecord):
        return item.reason.split(": ", 1)[1]
    if isinstance(item, Facility):
        return f"facility in {item.unit}"
    assert isinstance(item, Event)
    return f"{item.kind} in {item.unit} on {item.occurred_at.date()}"


def key(resource: dict[str, Any]) -> str:
    return f"{resource['resourceType']}/{resource['id']}"


def test_every_example_file_is_in_the_table() -> None:
    with_read_types = {
        path.name
        for path in EXAMPLE_FILES
        if any(r["resourceType"] in READ_TYPES for r in read_files(str(path), 5).resources)
    }
    assert with_read_types == set(EXPECTED)


@pytest.mark.parametrize("path", EXAMPLE_FILES, ids=lambda path: path.name)
def test_each_resource_is_mapped_or_quarantined_with_what_it_lacks(path: Path) -> None:
    everything = all_examples()
    in_file = read_files(str(path), 5).resources
    # The directory is every example's, this file's own facilities last (two files hold a
    # Location/2, different ones).
    directory = [r for r in [*everything, *in_file] if r["resourceType"] in DIRECTORY_TYPES]
    mapper = connector(path).mapper(directory)
    related = {key(r): r for r in everything}.get

    outcomes = {
        key(r): outcome(mapper.map(r, related)) for r in in_file if r["resourceType"] in READ_TYPES
    }
    others = [mapper.map(r, related) for r in in_file if r["resourceType"] not in READ_TYPES]

    assert outcomes == EXPECTED.get(path.name, {})
    # Another type where a search expects these (a server's mistake) is quarantined too.
    assert all(
        isinstance(item, BadRecord)
        and "not a resource type the fhir connector reads" in item.reason
        for item in others
    )


@pytest.mark.parametrize("path", EXAMPLE_FILES, ids=lambda path: path.name)
def test_each_file_read_as_a_source_gives_its_records_and_a_checkpoint(path: Path) -> None:
    items = list(connector(path).read({}, full=True))

    assert isinstance(items[-1], Checkpoint)
    expected = EXPECTED.get(path.name, {})
    records = [item for item in items if not isinstance(item, Checkpoint | Skipped)]
    counted = [o for o in expected.values() if o != NOT_NOTIFIABLE]
    assert len(records) == len(counted)  # other types are context (patients) or not read


def test_all_examples_from_a_server_sync_with_the_rest_quarantined(
    health_hub: Callable[..., Hub],
) -> None:
    last_of_each: dict[str, str] = {}
    with FhirTestServer(token=TOKEN) as server:
        for path in EXAMPLE_FILES:
            for resource in read_files(str(path), 5).resources:
                server.put(resource, last_updated="2024-01-02T03:04:05+07:00")
            last_of_each.update(EXPECTED.get(path.name, {}))
        table = {
            "plugin": "health",
            "kind": "fhir",
            "base_url": server.base_url,
            "token": TOKEN,
            "page_size": 5,
            **CONFIG,
        }
        hub = health_hub({"examples": table})

        run = run_sync(hub, "examples")

    problems = {
        f"{k}: {o}"
        for k, o in last_of_each.items()
        if not o.startswith(("facility in", "health.", "skipped"))
    }
    assert (run.status, run.error) == (RunStatus.PARTIAL, None)
    assert sorted(quarantined(hub)) == sorted(problems)
    skipped = sum(o.startswith("skipped") for o in last_of_each.values())
    assert run.skipped == {"Condition that is not a notifiable disease": skipped}
    with hub.db.session() as session:
        events = session.scalar(select(func.count()).select_from(EventRow))
        facilities = session.scalar(select(func.count()).select_from(FacilityRow))
    assert events == sum(o.startswith("health.") for o in last_of_each.values())
    assert facilities == sum(o.startswith("facility in") for o in last_of_each.values())
