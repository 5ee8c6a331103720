"""Clinical codes the hub counts by: notifiable diseases (ICD-10) and vaccines (CVX, ATC, …)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from .fhir_values import Coding, codings, concept_text

ICD10_SYSTEMS = (
    "http://hl7.org/fhir/sid/icd-10",
    "http://hl7.org/fhir/sid/icd-10-vn",
    "http://hl7.org/fhir/sid/icd-10-cm",
    "urn:oid:2.16.840.1.113883.6.3",
    "urn:oid:2.16.840.1.113883.6.90",
)
CVX = "http://hl7.org/fhir/sid/cvx"
ATC = "http://www.whocc.no/atc"

# Group A and B diseases of Vietnam's Law on Prevention and Control of Infectious Diseases that
# the provincial CDC reports on (Circular 54/2015/TT-BYT), by ICD-10 code or category.
NOTIFIABLE_DISEASES: dict[str, tuple[str, ...]] = {
    "dengue": ("A90", "A91", "A97"),
    "measles": ("B05",),
    "hand_foot_mouth": ("B08.4",),
    "rubella": ("B06",),
    "diphtheria": ("A36",),
    "pertussis": ("A37",),
    "neonatal_tetanus": ("A33",),
    "poliomyelitis": ("A80",),
    "japanese_encephalitis": ("A83.0",),
    "cholera": ("A00",),
    "typhoid": ("A01.0",),
    "malaria": ("B50", "B51", "B52", "B53", "B54"),
    "rabies": ("A82",),
    "meningococcal_disease": ("A39",),
    "covid_19": ("U07.1",),
    "avian_influenza": ("J09",),
}

_ICD10_SHAPE = re.compile(r"^[A-Z]\d{2}(\.?[0-9A-Z]{1,4})?$")


def _icd10_key(code: str) -> str:
    return code.strip().upper().replace(".", "")


@dataclass(frozen=True)
class Diagnosis:
    """A notifiable disease and the coding that says so."""

    disease: str
    coding: Coding


class NotifiableDiseases:
    """Matches a Condition's code against the list of notifiable diseases.

    A list entry is an ICD-10 code or category, matched as a prefix without the dot (``B05``
    matches ``B05.9`` and ``B059``; ``B08.4`` matches ``B08.4`` only) on codings of the ICD-10
    systems; or a ``system|code`` token, matched exactly (e.g. a SNOMED CT concept).
    """

    def __init__(
        self, diseases: Mapping[str, Iterable[str]], icd10_systems: Iterable[str] = ICD10_SYSTEMS
    ) -> None:
        self.icd10_systems = frozenset(icd10_systems)
        self.prefixes: list[tuple[str, str]] = []
        self.tokens: dict[str, str] = {}
        for disease, entries in diseases.items():
            for entry in entries:
                if "|" in entry:
                    self.tokens.setdefault(entry.strip(), disease)
                else:
                    self.prefixes.append((_icd10_key(entry), disease))

    def diagnose(self, concept: Any) -> Diagnosis | None:
        """The notifiable disease a CodeableConcept names, if any."""
        for coding in codings(concept):
            disease = self.tokens.get(coding.token()) or self._by_icd10(coding)
            if disease:
                return Diagnosis(disease, coding)
        return None

    def unlisted_system(self, concept: Any) -> str | None:
        """The system of a coding that names a notifiable disease by its ICD-10 code, but in
        a system not listed as ICD-10 (``icd10_systems``): a case the hub cannot count."""
        for coding in codings(concept):
            if coding.system is None or coding.system in self.icd10_systems:
                continue
            key = _icd10_key(coding.code)
            if _ICD10_SHAPE.match(coding.code.upper()) and any(
                key.startswith(prefix) for prefix, _ in self.prefixes
            ):
                return coding.system
        return None

    def _by_icd10(self, coding: Coding) -> str | None:
        is_icd10 = coding.system in self.icd10_systems or (
            coding.system is None and _ICD10_SHAPE.match(coding.code.upper())
        )
        if not is_icd10:
            return None
        key = _icd10_key(coding.code)
        return next((disease for prefix, disease in self.prefixes if key.startswith(prefix)), None)


@dataclass(frozen=True)
class Vaccine:
    """What the hub calls a vaccine (the ``vaccine`` disaggregation) and where that came from."""

    name: str
    system: str | None = None
    code: str | None = None


class VaccineNames:
    """Names a vaccine from an Immunization's ``vaccineCode``.

    ``vaccine_codes`` maps ``system|code`` or a bare code to the name wanted (``"penta"``).
    Otherwise the name is the code of the first CVX coding, else of the first ATC coding, else
    of the first coding; and without any coding, the concept's text.
    """

    def __init__(self, vaccine_codes: Mapping[str, str]) -> None:
        self.vaccine_codes = dict(vaccine_codes)

    def name(self, concept: Any) -> Vaccine | None:
        found = codings(concept)
        for coding in found:
            mapped = self.vaccine_codes.get(coding.token()) or self.vaccine_codes.get(coding.code)
            if mapped:
                return Vaccine(mapped, coding.system, coding.code)
        for system in (CVX, ATC, None):
            coding = next((c for c in found if system is None or c.system == system), None)
            if coding:
                return Vaccine(coding.code, coding.system, coding.code)
        text = concept_text(concept)
        return Vaccine(text[:100]) if text else None
