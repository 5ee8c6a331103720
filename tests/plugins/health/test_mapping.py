"""FHIR resources → facilities and events, case by case (the official examples are in
test_examples.py)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
from iochub_plugins.health.clinical_codes import NotifiableDiseases, VaccineNames
from iochub_plugins.health.config import FhirConfig
from iochub_plugins.health.fhir_connector import FhirConnector
from iochub_plugins.health.fhir_mapping import ResourceMapper
from pydantic import ValidationError

from hub.connectors.base import ConnectorContext
from hub.connectors.records import BadRecord, Event, Facility

ICD10 = "http://hl7.org/fhir/sid/icd-10"
HOSPITAL = {
    "resourceType": "Organization",
    "id": "h",
    "name": "Bệnh viện",
    "type": [{"coding": [{"system": "urn:kind", "code": "prov"}]}],
}
WARD = {
    "resourceType": "Location",
    "id": "w",
    "name": "Khoa Nhi",
    "managingOrganization": {"reference": "Organization/h"},
    "position": {"latitude": 14.35, "longitude": 108.0},
}


def mapper(**config: Any) -> ResourceMapper:
    settings = {"location": "unused", "facility_units": {"Organization/h": "23293"}, **config}
    connector = FhirConnector(FhirConfig.model_validate(settings), ConnectorContext("test"))
    return connector.mapper([HOSPITAL, WARD])


def condition(**fields: Any) -> dict[str, Any]:
    return {
        "resourceType": "Condition",
        "id": "c",
        "subject": {"reference": "Patient/p"},
        "code": {"coding": [{"system": ICD10, "code": "A91"}]},
        "onsetDateTime": "2024-07-03",
        **fields,
    }


def related(*resources: dict[str, Any]) -> Any:
    return {f"{r['resourceType']}/{r['id']}": r for r in resources}.get


def test_an_organization_and_its_location_are_facilities_in_its_commune() -> None:
    m = mapper(facility_kinds={"urn:kind|prov": "hospital"})

    hospital, ward = m.map(HOSPITAL), m.map(WARD)

    assert isinstance(hospital, Facility) and isinstance(ward, Facility)
    assert (hospital.kind, hospital.unit) == ("hospital", "23293")
    assert (ward.unit, ward.lat, ward.lon) == ("23293", 14.35, 108.0)
    assert ward.attributes["managing_organization"] == "Organization/h"


def test_a_position_with_latitude_and_longitude_swapped_is_left_out() -> None:
    ward = mapper().map({**WARD, "position": {"latitude": 108.0, "longitude": 14.35}})

    assert isinstance(ward, Facility) and (ward.lat, ward.lon) == (None, None)


def test_a_facility_without_a_name_is_quarantined() -> None:
    item = mapper().map({"resourceType": "Organization", "id": "h"})

    assert isinstance(item, BadRecord) and item.reason == "Organization/h: no name"


def test_an_encounter_is_an_event_at_its_facility_on_its_start() -> None:
    ict = timezone(timedelta(hours=7))
    item = mapper().map(
        {
            "resourceType": "Encounter",
            "id": "e",
            "status": "finished",
            "class": {"code": "IMP", "display": "inpatient"},
            "period": {"start": "2024-07-01T22:30:00+07:00"},
            "location": [
                {"location": {"reference": "#contained"}},
                {"location": {"reference": "https://fhir.example.vn/fhir/Location/w"}},
            ],
        }
    )

    assert isinstance(item, Event)
    assert (item.kind, item.source_id, item.unit, item.status) == (
        "health.encounter",
        "Encounter/e",
        "23293",
        "finished",
    )
    assert item.occurred_at == datetime(2024, 7, 1, 22, 30, tzinfo=ict)
    assert item.attributes["class"] == "IMP" and item.attributes["facility"] == "Location/w"


@pytest.mark.parametrize(
    ("start", "problem"),
    [
        ("2024-07", "no date (period.start: '2024-07' is not precise to the day)"),
        ("July 2024", "no date (period.start: 'July 2024' is not a date)"),
        ("2024-02-30", "no date (period.start: '2024-02-30' is not a date)"),
    ],
)
def test_an_encounter_dated_too_vaguely_says_so(start: str, problem: str) -> None:
    item = mapper().map(
        {
            "resourceType": "Encounter",
            "id": "e",
            "class": {"code": "AMB"},
            "period": {"start": start},
            "serviceProvider": {"reference": "Organization/h"},
        }
    )

    assert isinstance(item, BadRecord) and item.reason == f"Encounter/e: {problem}"


def test_an_encounter_at_an_unknown_facility_and_without_class_lists_both() -> None:
    item = mapper().map(
        {
            "resourceType": "Encounter",
            "id": "e",
            "period": {"start": "2024-07-01"},
            "serviceProvider": {"reference": "Organization/gone"},
        }
    )

    assert isinstance(item, BadRecord)
    assert item.reason == (
        "Encounter/e: no class (class.code); unknown facility Organization/gone (not in the "
        "directory nor in facility_units)"
    )
    assert "text" not in item.payload and item.place == "Encounter/e"


def test_an_immunization_names_its_vaccine_and_dose() -> None:
    item = mapper(vaccine_codes={"urn:vn-epi|QVX": "penta"}).map(
        {
            "resourceType": "Immunization",
            "id": "i",
            "status": "completed",
            "vaccineCode": {"coding": [{"system": "urn:vn-epi", "code": "QVX"}]},
            "occurrenceDateTime": "2024-07-02",
            "performer": [
                {"actor": {"reference": "Practitioner/nurse"}},
                {"actor": {"reference": "Organization/h"}},
            ],
            "protocolApplied": [{"doseNumberString": "3"}],
        }
    )

    assert isinstance(item, Event) and item.unit == "23293"
    assert {k: item.attributes[k] for k in ("vaccine", "dose", "facility")} == {
        "vaccine": "penta",
        "dose": "3",
        "facility": "Organization/h",
    }


def test_a_case_counts_in_the_patients_commune_first() -> None:
    patient = {"resourceType": "Patient", "id": "p", "address": [{"city": "Xã Đăk Cấm"}]}

    item = mapper(address_units={"Xã Đăk Cấm": "23311"}).condition(condition(), related(patient))

    assert isinstance(item, Event) and item.unit == "23311"
    assert item.attributes["place_basis"] == "residence"
    assert (item.status, item.attributes["classification"]) == ("unknown", "suspected")


def test_a_case_without_a_known_home_counts_at_its_encounters_facility() -> None:
    encounter = {
        "resourceType": "Encounter",
        "id": "v",
        "serviceProvider": {"reference": "Organization/h"},
    }
    item = mapper().condition(
        condition(
            encounter={"reference": "Encounter/v"},
            verificationStatus={"coding": [{"code": "confirmed"}]},
        ),
        related(encounter),
    )

    assert isinstance(item, Event) and item.unit == "23293"
    assert item.attributes["place_basis"] == "facility"
    assert item.attributes["facility"] == "Organization/h"
    assert item.attributes["classification"] == "confirmed"


def test_a_case_that_cannot_be_placed_says_what_was_missing() -> None:
    item = mapper().condition(condition(encounter={"reference": "Encounter/v"}), related())

    assert isinstance(item, BadRecord) and item.reason == (
        "Condition/c: no commune (patient Patient/p is not in the answer; "
        "encounter Encounter/v is not in the answer)"
    )


@pytest.mark.parametrize(
    ("dates", "day", "basis"),
    [
        ({"onsetPeriod": {"start": "2024-07-04"}}, "2024-07-04", "onset"),
        (
            {"onsetAge": {"value": 3}, "recordedDate": "2024-07-05T09:00:00+07:00"},
            "2024-07-05",
            "recorded",
        ),
    ],
)
def test_a_case_is_dated_by_onset_else_by_record(
    dates: dict[str, Any], day: str, basis: str
) -> None:
    fields = {**condition(), **dates}
    del fields["onsetDateTime"]
    patient = {"resourceType": "Patient", "id": "p", "address": [{"city": "Xã Đăk Cấm"}]}

    item = mapper(address_units={"Xã Đăk Cấm": "23311"}).condition(fields, related(patient))

    assert isinstance(item, Event) and item.occurred_at.date().isoformat() == day
    assert item.attributes["date_basis"] == basis


def test_a_resource_without_id_or_of_another_type_is_quarantined() -> None:
    m = mapper()

    no_id = m.map({"resourceType": "Encounter"})
    other = m.map({"resourceType": "Observation", "id": "o"})

    assert isinstance(no_id, BadRecord) and no_id.reason == "Encounter (no id): no id"
    assert isinstance(other, BadRecord) and other.reason.startswith(
        "Observation/o: not a resource type the fhir connector reads"
    )


@pytest.mark.parametrize(
    ("coding", "disease"),
    [
        ({"system": ICD10, "code": "B05.9"}, "measles"),
        ({"system": ICD10, "code": "B059"}, "measles"),
        ({"system": ICD10, "code": "B08.4"}, "hand_foot_mouth"),
        ({"system": ICD10, "code": "B08.5"}, None),
        ({"system": "http://hl7.org/fhir/sid/icd-10-cm", "code": "A90"}, "dengue"),
        ({"code": "A97.1"}, "dengue"),
        ({"system": "http://snomed.info/sct", "code": "A90"}, None),
        ({"system": "http://snomed.info/sct", "code": "38362002"}, "dengue"),
    ],
)
def test_notifiable_diseases_match_icd10_prefixes_and_exact_tokens(
    coding: dict[str, str], disease: str | None
) -> None:
    diseases = NotifiableDiseases(
        {
            "dengue": ["A90", "A91", "A97", "http://snomed.info/sct|38362002"],
            "measles": ["B05"],
            "hand_foot_mouth": ["B08.4"],
        }
    )

    found = diseases.diagnose({"coding": [coding]})

    assert (found.disease if found else None) == disease


@pytest.mark.parametrize(
    ("concept", "name"),
    [
        (
            {
                "coding": [
                    {"system": "urn:other", "code": "X"},
                    {"system": "http://hl7.org/fhir/sid/cvx", "code": "102"},
                ]
            },
            "102",
        ),
        ({"coding": [{"system": "http://www.whocc.no/atc", "code": "J07CA11"}]}, "J07CA11"),
        ({"coding": [{"system": "urn:other", "code": "X"}]}, "X"),
        ({"text": "Vắc xin sởi"}, "Vắc xin sởi"),
    ],
)
def test_a_vaccine_is_named_by_cvx_then_atc_then_any_code_then_text(
    concept: dict[str, Any], name: str
) -> None:
    vaccine = VaccineNames({}).name(concept)

    assert vaccine is not None and vaccine.name == name


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({}, "give either base_url"),
        ({"base_url": "x", "location": "y"}, "give either base_url"),
        ({"base_url": "ftp://x"}, r"not an http\(s\) URL"),
        ({"location": "x", "facility_units": {"Patient/1": "23293"}}, "not 'Organization/<id>'"),
        ({"location": "x", "facility_units": {"Organization/1": "608"}}, "not a commune code"),
        ({"location": "x", "search": {"Patient": {"a": "b"}}}, "not a type the connector reads"),
        ({"location": "x", "notifiable_diseases": {"dengue": []}}, "needs at least one code"),
    ],
)
def test_a_config_that_cannot_work_is_refused(fields: dict[str, Any], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        FhirConfig.model_validate(fields)
