"""The health facilities of a FHIR source (Organization and Location resources) and their communes.

Every encounter and immunisation counts in the commune of the facility where it happened, so
the connector reads the whole directory first and places each facility:

1. by the config's ``facility_units`` (``"Organization/123" = "23293"``), which wins;
2. by its own address (see :mod:`addresses`);
3. by its parent: ``partOf`` (a department of a hospital, a ward of a building) and, for a
   Location, its ``managingOrganization``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from .addresses import AddressReader
from .fhir_values import reference, resource_key

DIRECTORY_TYPES = ("Organization", "Location")


@dataclass(frozen=True)
class Site:
    """A facility of the directory and where it is, or why it cannot be placed."""

    key: str
    name: str
    unit: str | None
    problem: str | None = None

    def label(self) -> str:
        return f"{self.key} ({self.name})" if self.name != self.key else self.key


class Directory:
    """Facilities by ``Type/id``, each placed in a commune (see the module docstring)."""

    def __init__(
        self,
        resources: Iterable[dict[str, Any]],
        facility_units: Mapping[str, str],
        addresses: AddressReader,
    ) -> None:
        self.resources = {
            key: resource
            for resource in resources
            if resource.get("resourceType") in DIRECTORY_TYPES and (key := resource_key(resource))
        }
        self.facility_units = facility_units
        self.addresses = addresses
        self._sites: dict[str, Site] = {}

    def __len__(self) -> int:
        return len(self.resources)

    def __contains__(self, key: str) -> bool:
        return key in self.resources or key in self.facility_units

    def site(self, key: str) -> Site | None:
        """The facility ``key`` names, placed; None when the directory does not hold it."""
        if key not in self:
            return None
        if key not in self._sites:
            self._sites[key] = self._place(key, frozenset())
        return self._sites[key]

    def _place(self, key: str, seen: frozenset[str]) -> Site:
        resource = self.resources.get(key, {})
        name = resource.get("name") if isinstance(resource.get("name"), str) else key
        if key in self.facility_units:
            return Site(key, name, self.facility_units[key])
        own = self.addresses.commune(resource.get("address"))
        if own.unit:
            return Site(key, name, own.unit)
        for parent in _parents(resource):
            if parent in seen or parent == key or parent not in self:
                continue
            placed = self._place(parent, seen | {key})
            if placed.unit:
                return Site(key, name, placed.unit)
        return Site(key, name, None, f"no commune ({own.problem}); map it in facility_units")


def _parents(resource: dict[str, Any]) -> list[str]:
    links = [reference(resource.get("partOf")), reference(resource.get("managingOrganization"))]
    return [link for link in links if link]
