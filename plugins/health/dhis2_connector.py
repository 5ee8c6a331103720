"""The ``dhis2`` connector kind: aggregate values that facilities report to a DHIS2 instance.

It reads one data value set — from a DHIS2 server's ``/api/dataValueSets.json?…`` or from an
exported file — and maps its values to observations (see :mod:`dhis2`).

Incremental reading: from a DHIS2 server (with ``incremental``, the default) a run asks only
for the values updated since the latest ``lastUpdated`` the last run saw, deleted ones
included (``lastUpdated=…&includeDeleted=true``); DHIS2 reads that bound inclusively, so values
of that very instant come again and are upserted. A file (or a server with ``incremental``
off) is read whole when its content changed (conditional GET, then SHA-256), and skipped when
not.

A server is read through the kit's pooled :class:`~hub.connectors.http.HttpClient`: its
authentication (a DHIS2 personal access token or basic), its conditional GET
(``If-None-Match``/``If-Modified-Since`` from the validators saved last time), its one table of
faults, transient ones retried on the spot from the run's budget. A file is read by
:func:`~hub.connectors.sources.fetch`.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from hub.connectors.base import Connector
from hub.connectors.errors import PermanentSourceError
from hub.connectors.http import HttpClient
from hub.connectors.incremental import Incremental
from hub.connectors.records import BadRecord, Checkpoint, Item, Skipped
from hub.connectors.sources import Fetched, describe_location, fetch

from .config import Dhis2Config
from .dhis2 import DataValueSet, Dhis2Mapping, describe_data_value_set, read_data_value_set

ACCEPT = "application/json"


class Dhis2Connector(Connector[Dhis2Config]):
    """DHIS2 ``dataValueSets`` JSON, from the Web API or an export file."""

    def read(self, state: dict[str, Any], full: bool) -> Iterator[Item]:
        state = {} if full else state
        delta = self._incremental() and bool(state.get("last_updated"))
        fetched = self._fetch(state)
        if not delta and (fetched.not_modified or fetched.sha256 == state.get("sha256")):
            yield Checkpoint(dict(state))
            return
        found = self._read(fetched)
        yield from found.problems
        yield from Dhis2Mapping(self.config).observations(found.values)
        yield Checkpoint({**fetched.version(), **_latest(found, state)})

    def check(self) -> str:
        """What the data value set holds, and how many values the mapping turns into records."""
        found = self._read(self._fetch({}))
        items = [*found.problems, *Dhis2Mapping(self.config).observations(found.values)]
        problems = [item.reason for item in items if isinstance(item, BadRecord)]
        skipped = sum(isinstance(item, Skipped) for item in items)
        summary = (
            f"{describe_data_value_set(found)}; {len(items) - len(problems) - skipped} map to "
            f"observations, {len(problems)} would be quarantined, {skipped} skipped"
        )
        return f"{summary} (first: {problems[0]})" if problems else summary

    def _read(self, fetched: Fetched) -> DataValueSet:
        try:
            return read_data_value_set(fetched.content)
        except ValueError as exc:
            raise PermanentSourceError(f"{describe_location(fetched.location)}: {exc}") from None

    def _fetch(self, state: dict[str, Any]) -> Fetched:
        location = self.config.location
        if not self._over_http():
            return fetch(location, self.context.http_timeout)
        params: dict[str, str] = {}
        if self._incremental() and state.get("last_updated"):
            params = {"lastUpdated": state["last_updated"], "includeDeleted": "true"}
            state = {}  # a delta is never "not modified": no validators
        with self._client() as client:
            got = client.get(
                location, params, etag=state.get("etag"), last_modified=state.get("last_modified")
            )
        return Fetched(location, got.content, got.not_modified, got.etag, got.last_modified)

    def _client(self) -> HttpClient:
        """The run's pooled client: the config's authentication, the run's retries."""
        return HttpClient(
            auth=self.config,
            headers={"Accept": ACCEPT},
            timeout=self.context.http_timeout,
            retries=self.context.requests,
        )

    def _over_http(self) -> bool:
        return self.config.location.lower().startswith(("http://", "https://"))

    def _incremental(self) -> bool:
        return self.config.incremental and self._over_http()


def _latest(found: DataValueSet, state: dict[str, Any]) -> dict[str, str]:
    """The latest ``lastUpdated`` among the values (and the last run's), to read from next:
    the kit's cursor over a source in no particular order, read to its end."""
    last = state.get("last_updated")
    cursor = Incremental(
        lambda value: value.last_updated, sorted=False, state={"value": last} if last else None
    )
    for value in found.values:
        cursor.see(value)
    finished = cursor.finish()
    return {"last_updated": finished["value"]} if finished else {}
