"""The ``open311`` connector's configuration (a ``[connectors.<id>]`` table); see README.md."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, tzinfo
from functools import cached_property
from typing import Literal
from zoneinfo import ZoneInfo

from pydantic import Field

from hub.connectors.http import HttpAuth
from hub.units.codes import GsoCode
from hub.zone import TIMEZONE, ZoneName

from .statuses import CaseStatus, StatusMap

MAX_WINDOW_DAYS = 90
"""GeoReport v2: a ``start_date``/``end_date`` search may not span more than 90 days."""


class Open311Config(HttpAuth):
    """Where the portal is, how to walk it, and how its requests map to feedback cases."""

    location: str = Field(min_length=1)
    """The GeoReport v2 base URL (``…/open311/v2``, without ``/requests.json``), or a local
    folder holding ``services.<format>`` and ``requests.<format>`` (an export, or the demo)."""
    format: Literal["json", "xml"] = "json"
    jurisdiction_id: str | None = None
    timezone: ZoneName = TIMEZONE
    """The zone of date-times the portal writes without an offset, and of the dates sent."""

    since: date | datetime | None = None
    """The earliest ``requested_datetime`` read by a first (or ``--full``) sync; default: the
    last ``revisit_days`` (at least one window)."""
    window_days: int = Field(MAX_WINDOW_DAYS, ge=1, le=MAX_WINDOW_DAYS)
    revisit_days: int = Field(90, ge=0, le=3650)
    """Each sync re-reads the requests of these last days, to pick up their changes; a request
    older than this is no longer followed (nor counted as overdue)."""
    overlap_minutes: int = Field(15, ge=0, le=24 * 60)
    """Safety margin on ``updated_datetime``: covers the clocks of the portal and the hub
    disagreeing, and changes the portal commits late."""
    paging: bool = True
    """Ask for ``page=1, 2, …`` until the portal has no more (most portals page)."""
    page_size: int | None = Field(None, ge=1)
    """Sent as ``page_size`` when given."""
    max_pages: int = Field(1000, ge=1)

    statuses: dict[str, CaseStatus] = Field(default_factory=dict)
    """Portal status label → received | in_progress | resolved | closed | rejected; added to
    the defaults (statuses.py)."""
    unit_field: str | None = None
    """A request field holding the commune: a GSO code, or a key of ``units``."""
    units: dict[str, GsoCode] = Field(default_factory=dict)
    """The portal's names or codes of places → GSO codes."""
    match_address: bool = True
    """Look for a name of ``units`` in the request's address when ``unit_field`` gives none."""
    history_limit: int = Field(10, ge=2, le=50)

    @cached_property
    def zone(self) -> tzinfo:
        return ZoneInfo(self.timezone)

    @cached_property
    def status_map(self) -> StatusMap:
        return StatusMap(self.statuses)

    def first_moment(self, now: datetime) -> datetime:
        """Where a first (or full) sync starts."""
        if isinstance(self.since, datetime):
            return self.since if self.since.tzinfo else self.since.replace(tzinfo=self.zone)
        if isinstance(self.since, date):
            return datetime.combine(self.since, time(), self.zone)
        return now - timedelta(days=max(self.revisit_days, self.window_days))
