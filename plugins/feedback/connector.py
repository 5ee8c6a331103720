"""The ``open311`` connector kind: a citizen-feedback portal's GeoReport v2 API, or an export.

A sync reads the service list (the categories), then makes one pass through the requests (see
:mod:`.cursor`): date windows of at most 90 days, each read page by page (see :mod:`.portal`),
a checkpoint after each. Every request new or changed since the last pass becomes a
``feedback.case`` event (or a bad record); when the pass was made whole in this sync, the
overdue snapshot of its day follows (see :mod:`.overdue`).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from typing import Any, ClassVar

from hub.connectors.base import Connector, ConnectorContext
from hub.connectors.errors import PermanentSourceError
from hub.connectors.incremental import Window
from hub.connectors.records import BadRecord, Checkpoint, Item

from .cases import Case, CaseRules, read_case
from .config import Open311Config
from .cursor import Pass
from .documents import Entry
from .overdue import OverdueTally
from .places import UnitFinder
from .portal import BadDocument, Portal, open_portal
from .timestamps import utc_now

log = logging.getLogger(__name__)


class Open311Connector(Connector[Open311Config]):
    """Citizens' reports and petitions from an Open311 GeoReport v2 portal."""

    clock: ClassVar[Callable[[], datetime]] = staticmethod(utc_now)
    """Where the connector reads the time (tests set it)."""

    def __init__(self, config: Open311Config, context: ConnectorContext) -> None:
        super().__init__(config, context)
        self._tally: OverdueTally | None = None

    def read(self, state: dict[str, Any], full: bool) -> Iterator[Item]:
        portal = open_portal(self.config, self.context.http_timeout)
        try:
            yield from self._pass(portal, state, full)
        finally:
            portal.close()

    def _pass(self, portal: Portal, state: dict[str, Any], full: bool) -> Iterator[Item]:
        rules, problem = self._rules(portal)
        if problem:
            yield problem
        walk = Pass.plan(state, self.clock(), self.config, full)
        tally = self._tally_for(walk)
        seen: set[str] = set()
        for window in walk.windows(self.config.window_days):
            for entry in _entries(portal.requests(window)):
                yield from self._take(entry, rules, walk, tally, seen)
            yield Checkpoint(walk.after(window))
        if tally is not None and self.config.revisit_days:
            yield from self._snapshot(tally)
        yield Checkpoint(walk.finished())

    def check(self) -> str:
        """How many services the portal lists, and that its requests resource answers."""
        portal = open_portal(self.config, self.context.http_timeout)
        now = self.clock()
        window = Window(now - timedelta(days=min(7, self.config.window_days)), now)
        try:
            services = portal.services()
            requests = next(portal.requests(window), [])
            if isinstance(requests, BadDocument):
                raise requests
        except BadDocument as exc:
            raise PermanentSourceError(f"{portal.describe()}: {exc.reason}") from None
        finally:
            portal.close()
        return (
            f"{portal.describe()}: {len(services)} services; "
            f"{len(requests)} requests on the first page of the last 7 days"
        )

    def _rules(self, portal: Portal) -> tuple[CaseRules, BadRecord | None]:
        """The case rules, with the portal's service list (quarantined when unreadable)."""
        problem = None
        try:
            catalogue = _catalogue(portal.services())
        except BadDocument as exc:
            catalogue, problem = {}, BadRecord(exc.reason, {"excerpt": exc.excerpt}, exc.place)
        c = self.config
        units = UnitFinder(c.unit_field, c.units, c.match_address)
        return CaseRules(c.status_map, units, c.zone, c.history_limit, catalogue), problem

    def _tally_for(self, walk: Pass) -> OverdueTally | None:
        """The overdue tally of this pass, or None when it cannot see the whole pass.

        The runtime retries a fault by calling ``read`` again on the same connector, which
        resumes the pass: the tally begun by the first call goes on. A pass begun by an
        earlier sync was partly read by it, so this one can make no snapshot.
        """
        if not walk.resumed:
            self._tally = OverdueTally(walk.started, self.config.zone)
        elif self._tally is None or self._tally.moment != walk.started:
            return None
        return self._tally

    def _take(
        self,
        entry: Entry | BadRecord,
        rules: CaseRules,
        walk: Pass,
        tally: OverdueTally | None,
        seen: set[str],
    ) -> Iterator[Item]:
        """Yield a request that is new or changed (once per pass); count it for the snapshot."""
        if isinstance(entry, BadRecord):
            yield entry
            return
        request_id = _request_id(entry)
        if request_id is not None:
            if request_id in seen:
                return  # read already, in the window before (they share a boundary second)
            seen.add(request_id)
        case = read_case(entry, rules)
        if tally is not None and isinstance(case, Case) and walk.in_revisit_span(case.requested_at):
            tally.add(case)
        if walk.wants(entry):
            yield case.event(rules.history_limit) if isinstance(case, Case) else case

    def _snapshot(self, tally: OverdueTally) -> Iterator[Item]:
        if tally.unplaced:
            log.info(
                "%s: %d overdue cases placed only by their point are not in the overdue count",
                self.context.connector_id,
                tally.unplaced,
            )
        yield from tally.observations()


def _entries(pages: Iterator[list[Entry] | BadDocument]) -> Iterator[Entry | BadRecord]:
    """The requests of a window's pages, an unreadable page as a bad record."""
    for page in pages:
        if isinstance(page, BadDocument):
            yield BadRecord(page.reason, {"excerpt": page.excerpt}, page.place)
        else:
            yield from page


def _catalogue(services: list[Entry]) -> dict[str, Entry]:
    return {
        str(service["service_code"]): service
        for service in services
        if isinstance(service, dict) and service.get("service_code") is not None
    }


def _request_id(entry: Any) -> str | None:
    if not isinstance(entry, dict) or entry.get("service_request_id") is None:
        return None
    return str(entry["service_request_id"]).strip() or None
