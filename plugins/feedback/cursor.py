"""Where the connector stands, and the pass a sync makes through the portal's requests.

GeoReport v2 searches by ``requested_datetime`` only, 90 days at a time; a change to a request
(its status, its deadline) shows in its ``updated_datetime``. So a sync makes one **pass**:
date windows walked forward from the start of the revisit span (the last ``revisit_days``)
or the cursor, whichever is earlier, up to the moment the pass began. In each window it takes

- every request at or after ``read_to`` (never read before), and
- every earlier request whose ``updated_datetime`` is at or after ``changed_since`` (it changed
  since the last pass read it); the others are known and unchanged, and skipped.

When a pass ends, ``read_to`` becomes the moment it began and ``changed_since`` that moment
minus ``overlap_minutes``. A change made after the pass read a request carries a later
``updated_datetime`` than the pass's start, by the portal's clock: the margin covers the two
clocks disagreeing and changes committed late. ``at or after`` keeps ties (Open311 stamps whole
seconds, and several requests can share one). A request without ``updated_datetime`` is always
taken. Taking a request twice is harmless: the hub upserts it.

The state (a :class:`Cursor`) is saved after every window, with the position of the pass, so a
retry or the next sync goes on where the last checkpoint left off, with the thresholds the
pass began with.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from .config import Open311Config
from .timestamps import BOUNDARY_OVERLAP, Window, from_state, state_timestamp, windows


@dataclass(frozen=True)
class Cursor:
    """The connector's saved state."""

    read_to: datetime | None = None
    """Every request requested before this was read at least once."""
    changed_since: datetime | None = None
    """A request read before and updated at or after this is read again."""
    pass_started: datetime | None = None
    """When the pass in progress began (None: no pass in progress)."""
    pass_next: datetime | None = None
    """Where the pass in progress goes on."""

    @classmethod
    def from_state(cls, state: dict[str, Any]) -> Cursor:
        return cls(*(from_state(state.get(name)) for name in _STATE_NAMES))

    def to_state(self) -> dict[str, str]:
        values = (self.read_to, self.changed_since, self.pass_started, self.pass_next)
        return {
            name: text
            for name, value in zip(_STATE_NAMES, values, strict=True)
            if (text := state_timestamp(value))
        }


_STATE_NAMES = ("read_to", "changed_since", "pass_started", "pass_next")


@dataclass(frozen=True)
class Pass:
    """One walk through the windows; see the module docstring."""

    cursor: Cursor
    started: datetime
    start: datetime
    resumed: bool
    revisit: timedelta

    @classmethod
    def plan(cls, cursor: Cursor, now: datetime, config: Open311Config) -> Pass:
        """Go on with the pass in progress, or begin a new one now."""
        revisit = timedelta(days=config.revisit_days)
        if cursor.pass_started and cursor.pass_next:
            return cls(cursor, cursor.pass_started, cursor.pass_next, True, revisit)
        start = config.first_moment(now)
        if cursor.read_to is not None:
            earliest = min(cursor.read_to, now - revisit)
            start = max(start, earliest) if config.since else earliest
        return cls(cursor, now, start, False, revisit)

    def windows(self, days: int) -> Iterator[Window]:
        return windows(self.start, self.started, timedelta(days=days))

    def wants(self, requested: datetime | None, updated: datetime | None) -> bool:
        """Whether a request is new or changed since the last pass (see the module docstring)."""
        read_to, changed_since = self.cursor.read_to, self.cursor.changed_since
        if read_to is None or changed_since is None:
            return True
        if requested is None or requested >= read_to:
            return True
        return updated is None or updated >= changed_since

    def in_revisit_span(self, requested: datetime) -> bool:
        """Requested within the last ``revisit_days`` before the pass began."""
        return requested >= self.started - self.revisit

    def after(self, window: Window) -> Cursor:
        """The state once ``window`` is read: the pass goes on after it."""
        read_to = self.cursor.read_to
        return Cursor(
            read_to=window.end if read_to is None else max(read_to, window.end),
            changed_since=self.cursor.changed_since,
            pass_started=self.started,
            pass_next=window.end - BOUNDARY_OVERLAP,
        )

    def finished(self, overlap: timedelta) -> Cursor:
        """The state once the pass has read every window."""
        read_to = self.cursor.read_to
        return Cursor(
            read_to=self.started if read_to is None else max(read_to, self.started),
            changed_since=self.started - overlap,
        )
