"""The ``fhir`` connector kind: facilities, encounters, immunisations and notifiable disease cases
from a FHIR R4 server, or from FHIR files.

**From a server** (``base_url``), a run

1. reads the whole facility directory (every Organization and Location: a province has a few
   hundred), once per run, to place encounters and immunisations in communes, and yields the
   facilities that changed since the last run;
2. searches each clinical type for what changed since its cursor —
   ``Encounter?_lastUpdated=ge<cursor>&_sort=_lastUpdated&_count=200`` — following the
   ``next`` links, mapping each page and checkpointing the cursor after it (the kit's
   :class:`~hub.connectors.incremental.Incremental`, see :mod:`cursor`: the boundary and the
   ids read at it, so ties are neither lost nor read twice). A crash or a dropped connection
   resumes from the last page saved, with a fresh search; whatever is read again is upserted
   by its FHIR id, so nothing is doubled.

**From files** (``location``), a run reads them whole when their contents changed (by SHA-256)
and skips them when not.

A request that fails transiently is sent again on the spot while the run's budget of retry
time lasts (``[runtime] request_retry_seconds``), so a search goes on at the page that failed.
A resource type listed in ``optional_resources`` that the server does not have (404) is a
warning in the run's summary.

Resources become records as :mod:`fhir_mapping` describes; the hub counts the events into
daily metrics (see :mod:`metrics`).
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Iterable, Iterator
from datetime import timedelta
from typing import Any

from hub.connectors.base import Connector
from hub.connectors.http import HttpClient
from hub.connectors.records import Checkpoint, Item, Notice

from .addresses import AddressReader
from .clinical_codes import NotifiableDiseases, VaccineNames
from .config import FhirConfig
from .cursor import fhir_cursor
from .directory import DIRECTORY_TYPES, Directory
from .fhir_files import Resources, read_files
from .fhir_mapping import Lookup, ResourceMapper, nothing
from .fhir_server import FhirServer, NotOnServer
from .fhir_values import resource_key

log = logging.getLogger(__name__)

CONDITION_INCLUDES = ["Condition:subject", "Condition:encounter"]


class FhirConnector(Connector[FhirConfig]):
    """HL7 FHIR R4: Organization, Location, Encounter, Immunization, Condition."""

    _directory: list[dict[str, Any] | Item] | None = None
    """The facility directory as this run read it (resources, bad records, notices)."""

    def read(self, state: dict[str, Any], full: bool) -> Iterator[Item]:
        if self.config.base_url:
            yield from self._read_server({} if full else state)
        else:
            yield from self._read_files({} if full else state)

    def check(self) -> str:
        if self.config.base_url:
            return self._check_server()
        found = self._files()
        types = Counter(str(r.get("resourceType")) for r in found.resources)
        held = ", ".join(f"{n} {kind}" for kind, n in sorted(types.items())) or "no resources"
        unreadable = f"; {len(found.problems)} unreadable" if found.problems else ""
        return f"{found.files} file(s): {held}{unreadable}"

    # -- a server ---------------------------------------------------------------------------

    def _read_server(self, state: dict[str, Any]) -> Iterator[Item]:
        cursors: dict[str, Any] = dict(state.get("cursors") or {})
        with self._server() as server:
            if self._directory is None:  # once per run: a retried attempt reads it no more
                self._directory = list(self._read_directory(server))
            facilities = [item for item in self._directory if isinstance(item, dict)]
            yield from (item for item in self._directory if not isinstance(item, dict))
            mapper = self.mapper(facilities)
            for kind in DIRECTORY_TYPES:
                cursor = fhir_cursor(cursors.get(kind), sorted=False, what=kind)
                of_kind = (r for r in facilities if r.get("resourceType") == kind)
                yield from _mapped(mapper, cursor.take(of_kind))
                cursors[kind] = cursor.finish()
            yield _checkpoint(cursors)
            for kind in self.config.resources:
                yield from self._optional(
                    kind, self._search_clinical(server, mapper, kind, cursors)
                )

    def _read_directory(self, server: FhirServer) -> Iterator[dict[str, Any] | Item]:
        """Every Organization and Location resource, and the notices and bad records met."""
        for kind in DIRECTORY_TYPES:
            yield from self._optional(kind, self._search_directory(server, kind))

    def _search_directory(self, server: FhirServer, kind: str) -> Iterator[dict[str, Any] | Item]:
        for page in server.search(kind, self._params(kind, None, sort=False)):
            yield from page.problems
            yield from page.matches

    def _optional(self, kind: str, search: Iterator[Any]) -> Iterator[Any]:
        """The search's items; for an optional type the server does not have, a notice."""
        try:
            yield from search
        except NotOnServer as exc:
            if kind not in self.config.optional_resources:
                raise
            yield Notice(f"{kind} skipped: the server does not have it ({exc})")

    def _search_clinical(
        self, server: FhirServer, mapper: ResourceMapper, kind: str, cursors: dict[str, Any]
    ) -> Iterator[Item]:
        overlap = timedelta(seconds=self.config.overlap_seconds)
        cursor = fhir_cursor(
            cursors.get(kind), sorted=self.config.sorted_paging, overlap=overlap, what=kind
        )
        for page in server.search(kind, self._params(kind, cursor.since_text, sort=True)):
            yield from page.problems
            for resource in cursor.take(page.matches):
                yield mapper.map(resource, page.included.get)
            cursors[kind] = cursor.state()
            yield _checkpoint(cursors)
        cursors[kind] = cursor.finish()
        yield _checkpoint(cursors)

    def _params(self, kind: str, since: str | None, sort: bool) -> dict[str, Any]:
        params: dict[str, Any] = {"_count": str(self.config.page_size)}
        params.update(self.config.search.get(kind, {}))
        if since:
            params["_lastUpdated"] = f"ge{since}"
        if sort and self.config.sorted_paging:
            params["_sort"] = "_lastUpdated"
        if kind == "Condition" and self.config.include_related:
            params["_include"] = CONDITION_INCLUDES
        return params

    def _check_server(self) -> str:
        with self._server() as server:
            statement = server.capabilities()
            software = statement.get("software") or {}
            name = " ".join(str(software.get(k, "")) for k in ("name", "version")).strip()
            version = statement.get("fhirVersion", "?")
            kinds = (*DIRECTORY_TYPES, *self.config.resources)
            counts = [f"{server.count(kind)} {kind}" for kind in kinds]
        return f"FHIR {version} server {name or '(unnamed)'}: {', '.join(counts)}"

    def _server(self) -> FhirServer:
        return FhirServer(
            self.config.base_url or "",
            timeout=self.context.http_timeout,
            retries=self.context.requests,
            auth=self.config,
        )

    # -- files ------------------------------------------------------------------------------

    def _files(self) -> Resources:
        """The files at ``location``; over HTTP through one pooled client, signed as the
        config says (a Bulk Data export wants the token)."""
        client = HttpClient(
            auth=self.config, timeout=self.context.http_timeout, retries=self.context.requests
        )
        with client:
            return read_files(self.config.location or "", self.context.http_timeout, client)

    def _read_files(self, state: dict[str, Any]) -> Iterator[Item]:
        found = self._files()
        if found.digest == state.get("sha256"):
            yield Checkpoint(dict(state))
            return
        yield from found.problems
        by_key = {key: r for r in found.resources if (key := resource_key(r))}
        mapper = self.mapper(r for r in found.resources if r.get("resourceType") in DIRECTORY_TYPES)
        wanted = (*DIRECTORY_TYPES, *self.config.resources)
        readable = [r for r in found.resources if r.get("resourceType") in wanted]
        yield from _mapped(mapper, readable, by_key.get)
        yield Checkpoint({"sha256": found.digest})

    # -- mapping ----------------------------------------------------------------------------

    def mapper(self, directory_resources: Iterable[dict[str, Any]]) -> ResourceMapper:
        """The mapper of this connector's config, over these Organization and Location resources."""
        config = self.config
        addresses = AddressReader(config.unit_extensions, config.address_units)
        return ResourceMapper(
            Directory(directory_resources, config.facility_units, addresses),
            addresses,
            NotifiableDiseases(config.notifiable_diseases, config.icd10_systems),
            VaccineNames(config.vaccine_codes),
            config.facility_kinds,
        )


def _checkpoint(cursors: dict[str, Any]) -> Checkpoint:
    """The state: each resource type's cursor (none for a type not read up to anything yet)."""
    return Checkpoint({"cursors": {kind: cursor for kind, cursor in cursors.items() if cursor}})


def _mapped(
    mapper: ResourceMapper, resources: Iterable[dict[str, Any]], related: Lookup = nothing
) -> Iterator[Item]:
    for resource in resources:
        yield mapper.map(resource, related)
