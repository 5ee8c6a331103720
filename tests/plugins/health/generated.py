"""Generated FHIR resources of a few Kon Tum facilities and their patients, with the facts behind
them, so that tests compute the expected counts independently of the connector's mapping.

The facilities are placed each in its own way: a VN Core address extension (the hospital), the
address text (a district health centre), the config's ``facility_units`` (a commune station
without an address), and a parent (the hospital's emergency department, a Location). Resources
are updated in groups of four at the same instant, so that ties straddle page boundaries.
"""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

ICT = timezone(timedelta(hours=7))
VN_CORE = "http://fhir.ehealth.gov.vn/core/StructureDefinition/extension-administrative-address"
ACT_CODE = "http://terminology.hl7.org/CodeSystem/v3-ActCode"
ICD10 = "http://hl7.org/fhir/sid/icd-10"
CVX = "http://hl7.org/fhir/sid/cvx"
VER_STATUS = "http://terminology.hl7.org/CodeSystem/condition-ver-status"

HOSPITAL, CENTRE, STATION, EMERGENCY = (
    "Organization/bvdk",
    "Organization/ttyt-615",
    "Organization/tyt-23326",
    "Location/bvdk-ed",
)
FACILITY_COMMUNES = {HOSPITAL: "23281", CENTRE: "23500", STATION: "23326", EMERGENCY: "23281"}
HOME_COMMUNES = ["23281", "23293", "23326", "23500", "23512"]
VACCINES = {"102": "penta", "19": "bcg", "04": "measles_rubella"}
DISEASES = {"A91": "dengue", "A97.1": "dengue", "B08.4": "hand_foot_mouth", "B05.9": "measles"}
OTHER_DIAGNOSIS = "J06.9"

CONFIG = {
    "facility_units": {STATION: "23326"},
    "address_units": {"Thị trấn Đắk Hà": "23500"},
    "vaccine_codes": {f"{CVX}|{code}": name for code, name in VACCINES.items()},
}
"""The parts of the connector's config these resources need."""


@dataclass(frozen=True)
class EncounterFact:
    key: str
    facility: str
    klass: str
    status: str
    start: datetime


@dataclass(frozen=True)
class DoseFact:
    key: str
    facility: str
    vaccine: str
    dose: int
    status: str
    given: datetime


@dataclass(frozen=True)
class CaseFact:
    key: str
    home: str
    code: str
    verification: str
    onset: date


@dataclass
class Clinic:
    """The resources, and the facts they were made from."""

    resources: list[dict[str, Any]] = field(default_factory=list)
    last_updated: dict[str, str] = field(default_factory=dict)
    encounters: list[EncounterFact] = field(default_factory=list)
    doses: list[DoseFact] = field(default_factory=list)
    cases: list[CaseFact] = field(default_factory=list)
    homes: dict[str, str] = field(default_factory=dict)

    def add(self, resource: dict[str, Any], updated: datetime) -> None:
        self.resources.append(resource)
        self.last_updated[f"{resource['resourceType']}/{resource['id']}"] = updated.isoformat()

    def of_type(self, resource_type: str) -> list[dict[str, Any]]:
        return [r for r in self.resources if r["resourceType"] == resource_type]

    # -- what the hub should count, from the facts ------------------------------------------

    def expected_encounters(self) -> Counter[tuple[str, str, tuple[tuple[str, str], ...]]]:
        happened = {"arrived", "triaged", "in-progress", "onleave", "finished"}
        return Counter(
            (
                FACILITY_COMMUNES[f.facility],
                _local_day(f.start),
                (("encounter_class", f.klass), ("facility", f.facility)),
            )
            for f in self.encounters
            if f.status in happened
        )

    def expected_doses(self) -> Counter[tuple[str, str, tuple[tuple[str, str], ...]]]:
        return Counter(
            (
                FACILITY_COMMUNES[f.facility],
                _local_day(f.given),
                (("dose", str(f.dose)), ("facility", f.facility), ("vaccine", VACCINES[f.vaccine])),
            )
            for f in self.doses
            if f.status == "completed"
        )

    def expected_cases(self) -> Counter[tuple[str, str, tuple[tuple[str, str], ...]]]:
        return Counter(
            (
                f.home,
                f.onset.isoformat(),
                (
                    (
                        "classification",
                        "confirmed" if f.verification == "confirmed" else "suspected",
                    ),
                    ("disease", DISEASES[f.code]),
                ),
            )
            for f in self.cases
            if f.code in DISEASES and f.verification not in ("refuted", "entered-in-error")
        )


def generate(seed: int = 5, encounters: int = 40, doses: int = 24, cases: int = 20) -> Clinic:
    """A clinic's resources: facilities, patients, encounters, immunisations, diagnoses."""
    rng = random.Random(seed)
    clinic = Clinic()
    clock = Clock(datetime(2024, 8, 1, 8, 0, tzinfo=ICT))
    for resource in facilities():
        clinic.add(resource, clock.tick())
    for number in range(1, 21):
        home = HOME_COMMUNES[number % len(HOME_COMMUNES)]
        clinic.homes[f"Patient/p{number}"] = home
        clinic.add(patient(f"p{number}", home), clock.tick())
    for number in range(1, encounters + 1):
        _add_encounter(clinic, rng, f"e{number}", clock.tick())
    for number in range(1, doses + 1):
        _add_dose(clinic, rng, f"i{number}", clock.tick())
    for number in range(1, cases + 1):
        _add_case(clinic, rng, f"c{number}", clock.tick())
    return clinic


class Clock:
    """``lastUpdated`` values that advance a minute every fourth resource: groups of ties."""

    def __init__(self, start: datetime) -> None:
        self.start, self.count = start, 0

    def tick(self) -> datetime:
        self.count += 1
        return self.start + timedelta(minutes=self.count // 4)


def facilities() -> list[dict[str, Any]]:
    return [
        {
            "resourceType": "Organization",
            "id": "bvdk",
            "name": "Bệnh viện Đa khoa tỉnh Kon Tum",
            "address": [
                {
                    "use": "work",
                    "extension": [
                        {
                            "url": VN_CORE,
                            "extension": [
                                {"url": "state", "valueCode": "62"},
                                {"url": "district", "valueCode": "608"},
                                {"url": "ward", "valueCode": "23281"},
                            ],
                        }
                    ],
                }
            ],
        },
        {
            "resourceType": "Organization",
            "id": "ttyt-615",
            "name": "Trung tâm Y tế huyện Đắk Hà",
            "address": [
                {"line": ["Thị trấn Đăk Hà"], "district": "Huyện Đắk Hà", "state": "Tỉnh Kon Tum"}
            ],
        },
        {"resourceType": "Organization", "id": "tyt-23326", "name": "Trạm Y tế xã Ia Chim"},
        {
            "resourceType": "Location",
            "id": "bvdk-ed",
            "name": "Khoa Cấp cứu",
            "managingOrganization": {"reference": HOSPITAL},
        },
    ]


def patient(ident: str, home: str) -> dict[str, Any]:
    return {
        "resourceType": "Patient",
        "id": ident,
        "address": [
            {
                "use": "home",
                "extension": [
                    {
                        "url": VN_CORE,
                        "extension": [
                            {"url": "ward", "valueCodeableConcept": {"coding": [{"code": home}]}}
                        ],
                    }
                ],
            }
        ],
    }


def encounter(
    ident: str, facility: str, klass: str, status: str, start: datetime
) -> dict[str, Any]:
    provider = (
        {"serviceProvider": {"reference": facility}}
        if facility.startswith("Organization")
        else {"location": [{"location": {"reference": facility}}]}
    )
    return {
        "resourceType": "Encounter",
        "id": ident,
        "status": status,
        "class": {"system": ACT_CODE, "code": klass},
        "period": {"start": start.isoformat()},
        "subject": {"reference": "Patient/p1"},
        **provider,
    }


def immunization(
    ident: str, facility: str, cvx: str, dose: int, status: str, given: datetime
) -> dict[str, Any]:
    where = (
        {"location": {"reference": facility}}
        if facility.startswith("Location")
        else {"performer": [{"actor": {"reference": facility}}]}
    )
    return {
        "resourceType": "Immunization",
        "id": ident,
        "status": status,
        "vaccineCode": {"coding": [{"system": CVX, "code": cvx}]},
        "patient": {"reference": "Patient/p2"},
        "occurrenceDateTime": given.isoformat(),
        "protocolApplied": [{"doseNumberPositiveInt": dose}],
        **where,
    }


def condition(
    ident: str, patient_id: str, encounter_id: str, code: str, verification: str, onset: date
) -> dict[str, Any]:
    return {
        "resourceType": "Condition",
        "id": ident,
        "verificationStatus": {"coding": [{"system": VER_STATUS, "code": verification}]},
        "code": {"coding": [{"system": ICD10, "code": code}]},
        "subject": {"reference": f"Patient/{patient_id}"},
        "encounter": {"reference": f"Encounter/{encounter_id}"},
        "onsetDateTime": onset.isoformat(),
    }


def _add_encounter(clinic: Clinic, rng: random.Random, ident: str, updated: datetime) -> None:
    facility = rng.choice([HOSPITAL, CENTRE, STATION, EMERGENCY])
    klass = rng.choice(["AMB", "AMB", "EMER", "IMP"])
    status = rng.choice(["finished", "finished", "finished", "in-progress", "cancelled"])
    start = _moment(rng)
    clinic.encounters.append(EncounterFact(f"Encounter/{ident}", facility, klass, status, start))
    clinic.add(encounter(ident, facility, klass, status, start), updated)


def _add_dose(clinic: Clinic, rng: random.Random, ident: str, updated: datetime) -> None:
    facility = rng.choice([STATION, CENTRE, EMERGENCY])
    cvx, dose = rng.choice([("102", 1), ("102", 2), ("102", 3), ("19", 1), ("04", 1)])
    status = rng.choice(["completed", "completed", "completed", "not-done"])
    given = _moment(rng)
    clinic.doses.append(DoseFact(f"Immunization/{ident}", facility, cvx, dose, status, given))
    clinic.add(immunization(ident, facility, cvx, dose, status, given), updated)


def _add_case(clinic: Clinic, rng: random.Random, ident: str, updated: datetime) -> None:
    patient_id = f"p{rng.randint(1, 20)}"
    code = rng.choice([*DISEASES, OTHER_DIAGNOSIS])
    verification = rng.choice(["confirmed", "confirmed", "provisional", "refuted"])
    onset = _moment(rng).date()
    home = clinic.homes[f"Patient/{patient_id}"]
    clinic.cases.append(CaseFact(f"Condition/{ident}", home, code, verification, onset))
    clinic.add(condition(ident, patient_id, "e1", code, verification, onset), updated)


def _moment(rng: random.Random) -> datetime:
    """A moment of July 2024; one in eight is written in UTC, in the evening, when it is
    already the next day in Vietnam."""
    day = rng.randint(1, 30)
    if rng.random() < 0.125:
        return datetime(2024, 7, day, 18, 30, tzinfo=UTC)
    return datetime(2024, 7, day, rng.randint(7, 16), tzinfo=ICT)


def _local_day(moment: datetime) -> str:
    return moment.astimezone(ICT).date().isoformat()
