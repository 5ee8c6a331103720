"""FHIR R4 resources → the hub's records: facilities and dated events, or why not.

==========================  ========================  =================  =====================
resource                    record (kind)             dated by           placed in the commune
==========================  ========================  =================  =====================
Organization, Location      Facility                  —                  of its address (see
                                                                         :mod:`directory`)
Encounter                   ``health.encounter``      ``period.start``   of the facility
Immunization                ``health.immunization``   ``occurrence…``    of the facility
Condition (notifiable)      ``health.disease_case``   onset, else        of the patient's
                                                      recorded date      home, else facility
==========================  ========================  =================  =====================

Each event is keyed by the resource's ``Type/id``, so a resource read again (a status that
changed, a page served twice) replaces its event instead of adding one; the hub counts the
events into daily metrics (see :mod:`metrics`). A resource that cannot be dated or placed is a
:class:`BadRecord` whose reason lists everything missing, e.g. ``Encounter/f001: no date
(period.start)``. A Condition that is not a notifiable disease is :class:`Skipped`, counted in
the run as "not a notifiable disease"; one whose code is a notifiable disease's ICD-10 code in a
system that ``icd10_systems`` does not list is skipped under a reason naming that system, so
that the run says which system to add.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from hub.connectors.records import BadRecord, Event, Facility, Skipped

from .addresses import AddressReader
from .clinical_codes import NotifiableDiseases, VaccineNames
from .directory import DIRECTORY_TYPES, Directory, Site
from .fhir_values import (
    When,
    as_list,
    codings,
    concept_text,
    describe,
    display,
    element,
    first,
    reference,
    resource_key,
    when,
)
from .metrics import DISEASE_CASE, ENCOUNTER, IMMUNIZATION, SECTOR

CLINICAL_TYPES = ("Encounter", "Immunization", "Condition")

Lookup = Callable[[str], dict[str, Any] | None]
"""Finds a resource the page or the files hold by ``Type/id`` (a Condition's Patient)."""
Mapped = Facility | Event | BadRecord | Skipped
NOT_NOTIFIABLE = "Condition that is not a notifiable disease"
UNLISTED_SYSTEM = "Condition with an ICD-10 code of a system not in icd10_systems"


@dataclass(frozen=True)
class CasePlace:
    """Where a disease case counts, and on what basis (``residence`` or ``facility``)."""

    unit: str | None
    basis: str
    site: Site | None = None
    problem: str | None = None


def nothing(_key: str) -> dict[str, Any] | None:
    """The lookup where no related resources are at hand."""
    return None


class ResourceMapper:
    """Maps the resources of one source, with its facility directory and code lists."""

    def __init__(
        self,
        directory: Directory,
        addresses: AddressReader,
        diseases: NotifiableDiseases,
        vaccines: VaccineNames,
        facility_kinds: Mapping[str, str],
    ) -> None:
        self.directory = directory
        self.addresses = addresses
        self.diseases = diseases
        self.vaccines = vaccines
        self.facility_kinds = facility_kinds

    def map(self, resource: dict[str, Any], related: Lookup = nothing) -> Mapped:
        """The record of any resource the connector reads (see the module docstring)."""
        kind = resource.get("resourceType")
        if resource_key(resource) is None:
            return _bad(resource, ["no id"])
        if kind in DIRECTORY_TYPES:
            return self.facility(resource)
        if kind == "Encounter":
            return self.encounter(resource)
        if kind == "Immunization":
            return self.immunization(resource)
        if kind == "Condition":
            return self.condition(resource, related)
        readable = ", ".join((*DIRECTORY_TYPES, *CLINICAL_TYPES))
        return _bad(resource, [f"not a resource type the fhir connector reads ({readable})"])

    def facility(self, resource: dict[str, Any]) -> Facility | BadRecord:
        key = resource_key(resource) or ""
        name = resource.get("name")
        site = self.directory.site(key)
        problems = [] if isinstance(name, str) and name.strip() else ["no name"]
        if site is None or site.unit is None:
            problems.append(site.problem if site else "not in the directory")
        if problems or site is None or site.unit is None:
            return _bad(resource, problems)
        lat, lon = _position(resource.get("position"))
        return Facility(
            source_id=key,
            name=str(name).strip(),
            kind=self._facility_kind(resource),
            unit=site.unit,
            lat=lat,
            lon=lon,
            attributes=_facility_attributes(resource),
            place=key,
        )

    def encounter(self, resource: dict[str, Any]) -> Event | BadRecord:
        start = when(element(resource, "period", "start"))
        klass = first(codings(resource.get("class")))
        site, facility_problem = self._site_of(
            _encounter_facilities(resource), "serviceProvider or location"
        )
        problems = [
            _date_problem(start.problem, "period.start"),
            None if klass else "no class (class.code)",
            facility_problem,
        ]
        if any(problems) or start.moment is None or klass is None or site is None:
            return _bad(resource, problems)
        return Event(
            kind=ENCOUNTER,
            source_id=resource_key(resource) or "",
            occurred_at=start.moment,
            sector=SECTOR,
            unit=site.unit,
            status=_text(resource.get("status")),
            title=concept_text(first(resource.get("type"))) or klass.display or klass.code,
            attributes={
                "class": klass.code,
                "facility": site.key,
                "facility_name": site.name,
                "type": [c.token() for t in as_list(resource.get("type")) for c in codings(t)],
            },
            place=resource_key(resource),
        )

    def immunization(self, resource: dict[str, Any]) -> Event | BadRecord:
        given = when(resource.get("occurrenceDateTime"))
        if given.problem == "missing" and isinstance(resource.get("occurrenceString"), str):
            given = When(None, f"only the text {resource['occurrenceString']!r}")
        vaccine = self.vaccines.name(resource.get("vaccineCode"))
        candidates = [reference(resource.get("location"))] + [
            reference(performer.get("actor"))
            for performer in as_list(resource.get("performer"))
            if isinstance(performer, dict)
        ]
        site, facility_problem = self._site_of(candidates, "location or performer")
        problems = [
            _date_problem(given.problem, "occurrenceDateTime"),
            None if vaccine else "no vaccine (vaccineCode)",
            facility_problem,
        ]
        if any(problems) or given.moment is None or vaccine is None or site is None:
            return _bad(resource, problems)
        dose = _dose(resource)
        return Event(
            kind=IMMUNIZATION,
            source_id=resource_key(resource) or "",
            occurred_at=given.moment,
            sector=SECTOR,
            unit=site.unit,
            status=_text(resource.get("status")),
            title=concept_text(resource.get("vaccineCode")) or vaccine.name,
            attributes={
                "vaccine": vaccine.name,
                "vaccine_system": vaccine.system,
                "vaccine_code": vaccine.code,
                "facility": site.key,
                "facility_name": site.name,
                **({"dose": dose} if dose else {}),
            },
            place=resource_key(resource),
        )

    def condition(self, resource: dict[str, Any], related: Lookup) -> Event | BadRecord | Skipped:
        code = resource.get("code")
        if not codings(code):
            said = concept_text(code)
            text = f", only the text {said!r}" if said else ""
            return _bad(resource, [f"no code (code.coding{text})"])
        diagnosis = self.diseases.diagnose(code)
        if diagnosis is None:
            return self._not_counted(code)
        onset, basis = _case_date(resource)
        place = self._case_place(resource, related)
        problems = [
            _date_problem(onset.problem, "onsetDateTime, onsetPeriod.start or recordedDate"),
            place.problem,
        ]
        if any(problems) or onset.moment is None or place.unit is None:
            return _bad(resource, problems)
        verification = _status_code(resource.get("verificationStatus")) or "unknown"
        return Event(
            kind=DISEASE_CASE,
            source_id=resource_key(resource) or "",
            occurred_at=onset.moment,
            sector=SECTOR,
            unit=place.unit,
            status=verification,
            title=diagnosis.coding.display or concept_text(code) or diagnosis.disease,
            attributes={
                "disease": diagnosis.disease,
                "code": diagnosis.coding.token(),
                "classification": "confirmed" if verification == "confirmed" else "suspected",
                "clinical_status": _status_code(resource.get("clinicalStatus")),
                "date_basis": basis,
                "place_basis": place.basis,
                **({"facility": place.site.key} if place.site else {}),
            },
            place=resource_key(resource),
        )

    def _not_counted(self, code: Any) -> Skipped:
        """Why a Condition is no case: not a notifiable disease, or one coded in an ICD-10
        system the config does not list (which ``icd10_systems`` should then name)."""
        system = self.diseases.unlisted_system(code)
        if system is not None:
            return Skipped(f"{UNLISTED_SYSTEM}: {system}")
        return Skipped(NOT_NOTIFIABLE)

    def _site_of(self, references: list[str | None], where: str) -> tuple[Site | None, str | None]:
        """The first placed facility among ``references``, or the problem with them."""
        keys = [key for key in references if key and key.split("/")[0] in DIRECTORY_TYPES]
        if not keys:
            return None, f"no facility ({where} referring to an Organization or Location)"
        sites = [self.directory.site(key) for key in keys]
        placed = next((site for site in sites if site and site.unit), None)
        if placed:
            return placed, None
        known = next((site for site in sites if site), None)
        if known:
            return None, f"facility {known.label()} has no commune"
        return None, f"unknown facility {keys[0]} (not in the directory nor in facility_units)"

    def _case_place(self, resource: dict[str, Any], related: Lookup) -> CasePlace:
        """Where a case counts: the patient's commune of residence, else the facility's."""
        home, home_problem = self._residence(resource, related)
        if home:
            return CasePlace(home, "residence")
        site, site_problem = self._treated_at(resource, related)
        if site:
            return CasePlace(site.unit, "facility", site)
        return CasePlace(None, "", problem=f"no commune ({home_problem}; {site_problem})")

    def _residence(self, resource: dict[str, Any], related: Lookup) -> tuple[str | None, str]:
        subject = reference(resource.get("subject"))
        patient = related(subject) if subject else None
        if patient is None:
            return None, f"patient {subject} is not in the answer" if subject else "no subject"
        placement = self.addresses.commune(patient.get("address"))
        return placement.unit, f"patient's {placement.problem}"

    def _treated_at(self, resource: dict[str, Any], related: Lookup) -> tuple[Site | None, str]:
        key = reference(resource.get("encounter"))
        encounter = related(key) if key else None
        if encounter is None:
            return None, f"encounter {key} is not in the answer" if key else "no encounter"
        site, problem = self._site_of(
            _encounter_facilities(encounter), "the encounter's serviceProvider or location"
        )
        return site, problem or ""

    def _facility_kind(self, resource: dict[str, Any]) -> str:
        found = [c for concept in _types(resource) for c in codings(concept)]
        for coding in found:
            mapped = self.facility_kinds.get(coding.token()) or self.facility_kinds.get(coding.code)
            if mapped:
                return mapped
        return found[0].code if found else str(resource.get("resourceType", "facility")).lower()


def _encounter_facilities(encounter: dict[str, Any]) -> list[str | None]:
    entries = [e for e in as_list(encounter.get("location")) if isinstance(e, dict)]
    locations = [entry.get("location") for entry in entries]
    return [reference(encounter.get("serviceProvider")), *map(reference, locations)]


def _bad(resource: dict[str, Any], problems: list[str | None]) -> BadRecord:
    reason = "; ".join(problem for problem in problems if problem)
    payload = {name: value for name, value in resource.items() if name != "text"}
    return BadRecord(f"{describe(resource)}: {reason}", payload, place=resource_key(resource))


def _date_problem(problem: str | None, element: str) -> str | None:
    if problem is None:
        return None
    return f"no date ({element})" if problem == "missing" else f"no date ({element}: {problem})"


def _case_date(resource: dict[str, Any]) -> tuple[Any, str]:
    onset = when(resource.get("onsetDateTime"))
    if onset.moment is None:
        onset = when(element(resource, "onsetPeriod", "start"))
    if onset.moment is not None:
        return onset, "onset"
    recorded = when(resource.get("recordedDate"))
    return recorded, "recorded"


def _dose(resource: dict[str, Any]) -> str | None:
    applied = first(resource.get("protocolApplied"))
    if not isinstance(applied, dict):
        return None
    number = applied.get("doseNumberPositiveInt", applied.get("doseNumberString"))
    return str(number).strip() if number not in (None, "") else None


def _status_code(concept: Any) -> str | None:
    return next((c.code for c in codings(concept)), None)


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def _types(resource: dict[str, Any]) -> list[Any]:
    kinds = resource.get("type")
    return kinds if isinstance(kinds, list) else [kinds] if isinstance(kinds, dict) else []


def _position(position: Any) -> tuple[float | None, float | None]:
    if not isinstance(position, dict):
        return None, None
    lat, lon = position.get("latitude"), position.get("longitude")
    numbers = all(isinstance(v, int | float) and not isinstance(v, bool) for v in (lat, lon))
    if not numbers or not (-90 <= lat <= 90 and -180 <= lon <= 180):
        return None, None  # e.g. swapped latitude and longitude: no position beats a wrong one
    return float(lat), float(lon)


def _facility_attributes(resource: dict[str, Any]) -> dict[str, Any]:
    identifiers = [
        f"{i.get('system') or ''}|{i['value']}"
        for i in as_list(resource.get("identifier"))
        if isinstance(i, dict) and isinstance(i.get("value"), str)
    ]
    attributes = {
        "resource_type": resource.get("resourceType"),
        "type": [c.token() for concept in _types(resource) for c in codings(concept)],
        "identifiers": identifiers,
        "part_of": reference(resource.get("partOf")),
        "managing_organization": reference(resource.get("managingOrganization")),
        "part_of_name": display(resource.get("partOf")),
        "active": resource.get("active"),
        "status": resource.get("status"),
    }
    return {name: value for name, value in attributes.items() if value not in (None, [])}
