"""The config models of the health connector kinds (the ``[connectors.<id>]`` tables).

See README.md for examples against real systems.
"""

from __future__ import annotations

from typing import ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from hub.connectors.http import HttpAuth
from hub.units.codes import CommuneCode, GsoCode

from .addresses import VN_CORE_ADDRESS
from .clinical_codes import ICD10_SYSTEMS, NOTIFIABLE_DISEASES
from .directory import DIRECTORY_TYPES
from .fhir_mapping import CLINICAL_TYPES

ClinicalType = Literal["Encounter", "Immunization", "Condition"]
ResourceType = Literal["Organization", "Location", "Encounter", "Immunization", "Condition"]
FACILITY_REFERENCE_TYPES = ("Organization/", "Location/")


class FhirConfig(HttpAuth):
    """A FHIR R4 server (``base_url``), or FHIR files (``location``)."""

    base_url: str | None = None
    """The server's base URL, e.g. ``https://fhir.example.vn/fhir``."""
    location: str | None = None
    """Instead of a server: a Bundle (JSON) or NDJSON file — a path, ``file://`` or ``http(s)://``
    URL, e.g. a Bulk Data export — or a local folder of such files."""
    resources: list[ClinicalType] = Field(
        default_factory=lambda: ["Encounter", "Immunization", "Condition"]
    )
    """The clinical resource types read; the facilities (Organization, Location) always are."""
    optional_resources: list[ResourceType] = Field(default_factory=list)
    """Resource types the server may not have (e.g. ``["Location"]``): a 404 on one of them
    is a warning in the run's summary, not a failure."""
    search: dict[str, dict[str, str]] = Field(default_factory=dict)
    """Extra search parameters per type, e.g. ``{Encounter = {"service-provider" = "..."}}``."""
    page_size: int = Field(200, ge=1, le=5000)
    sorted_paging: bool = True
    """The server sorts by ``_sort=_lastUpdated``: the cursor then advances after every page.
    When false, it advances only when a resource type has been read to its end."""
    overlap_seconds: float = Field(0, ge=0, le=86_400)
    """Read again what changed this long before the cursor, for servers whose transactions
    commit out of order (harmless: records are upserted)."""
    include_related: bool = True
    """Ask for each Condition's Patient and Encounter (``_include``) to place the case."""
    facility_units: dict[str, CommuneCode] = Field(default_factory=dict)
    """``"Organization/123" = "23293"``: the commune of a facility, whatever its address says."""
    address_units: dict[str, CommuneCode] = Field(default_factory=dict)
    """Place names as written in addresses → commune code (see README.md)."""
    unit_extensions: list[str] = Field(default_factory=lambda: [VN_CORE_ADDRESS])
    """Address extensions whose value (or nested values) is a GSO unit code."""
    facility_kinds: dict[str, str] = Field(default_factory=dict)
    """A facility type code (or ``system|code``) → the hub's facility kind."""
    notifiable_diseases: dict[str, list[str]] = Field(
        default_factory=lambda: {name: list(codes) for name, codes in NOTIFIABLE_DISEASES.items()}
    )
    """Disease → ICD-10 codes or categories (prefixes) or ``system|code`` tokens."""
    icd10_systems: list[str] = Field(default_factory=lambda: list(ICD10_SYSTEMS))
    vaccine_codes: dict[str, str] = Field(default_factory=dict)
    """A vaccine code (or ``system|code``) → the name the ``vaccine`` disaggregation uses."""

    @model_validator(mode="after")
    def _one_source(self) -> FhirConfig:
        if (self.base_url is None) == (self.location is None):
            raise ValueError("give either base_url (a FHIR server) or location (FHIR files)")
        if self.base_url and not self.base_url.lower().startswith(("http://", "https://")):
            raise ValueError(f"base_url {self.base_url!r} is not an http(s) URL")
        return self

    @field_validator("facility_units")
    @classmethod
    def _facilities_are_references(cls, value: dict[str, str]) -> dict[str, str]:
        for name in value:
            if not name.startswith(FACILITY_REFERENCE_TYPES) or name.endswith("/"):
                raise ValueError(f"{name!r} is not 'Organization/<id>' or 'Location/<id>'")
        return value

    @field_validator("search")
    @classmethod
    def _search_types_are_read(cls, value: dict[str, dict[str, str]]) -> dict[str, dict[str, str]]:
        known = (*DIRECTORY_TYPES, *CLINICAL_TYPES)
        for kind in value:
            if kind not in known:
                raise ValueError(f"{kind!r} is not a type the connector reads ({', '.join(known)})")
        return value

    @field_validator("notifiable_diseases")
    @classmethod
    def _diseases_have_codes(cls, value: dict[str, list[str]]) -> dict[str, list[str]]:
        for disease, codes in value.items():
            if not codes or not all(code.strip() for code in codes):
                raise ValueError(f"disease {disease!r} needs at least one code")
        return value


class DataElementMapping(BaseModel):
    """A data element whose values go to one metric, with fixed disaggregations."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    metric: str
    dims: dict[str, str] = Field(default_factory=dict)


class OrgUnitMapping(BaseModel):
    """An org unit that is a facility: the commune it lies in, and disaggregations to add."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    unit: GsoCode
    dims: dict[str, str] = Field(default_factory=dict)


class Dhis2Config(HttpAuth):
    """A DHIS2 data value set (``/api/dataValueSets.json?…`` or an exported file).

    ``token`` is a DHIS2 personal access token (``Authorization: ApiToken <token>``);
    ``username`` and ``password``, basic authentication for versions without such tokens."""

    token_scheme: ClassVar[str] = "ApiToken"

    location: str = Field(min_length=1)
    """An ``http(s)://`` URL, a ``file://`` URL or a local path."""
    data_elements: dict[str, str | DataElementMapping] = Field(min_length=1)
    """Data element id (or code) → metric code, or ``{metric = "...", dims = {...}}``."""
    org_units: dict[str, GsoCode | OrgUnitMapping] = Field(default_factory=dict)
    """Organisation unit id (or code) → GSO code, or ``{unit = "23293", dims = {facility =
    "…"}}`` for a facility. An org unit whose id is a GSO code needs no entry."""
    category_option_combos: dict[str, dict[str, str]] = Field(default_factory=dict)
    """Category option combo id → disaggregations (``{}`` for a total). DHIS2's ``default``
    combo needs no entry."""
    attribute_option_combos: dict[str, dict[str, str]] = Field(default_factory=dict)
    """As ``category_option_combos``, for the attribute option combo."""
    skip_unmapped: bool = False
    """Skip values of data elements not in ``data_elements`` instead of quarantining them."""
    incremental: bool = True
    """From a DHIS2 server, ask only for values updated since the last run (``lastUpdated``)."""
