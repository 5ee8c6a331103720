"""Where the connector stands, and the pass a sync makes through the portal's requests.

GeoReport v2 searches by ``requested_datetime`` only, 90 days at a time; a change to a request
(its status, its deadline) shows in its ``updated_datetime``. So a sync makes one **pass**:
date windows walked forward from the start of the revisit span (the last ``revisit_days``)
or the end of the last pass, whichever is earlier, up to the moment the pass began. It takes
every request whose ``updated_datetime`` is at or after the last pass's start less
``overlap_minutes`` (new, or changed since the last pass read it), and every request without
one; the others are known and unchanged, and skipped.

The state holds two of the kit's :class:`~hub.connectors.incremental.Incremental` cursors:

- ``read``, on ``requested_datetime``, walked window by window
  (:meth:`~hub.connectors.incremental.Incremental.windows`): every request filed before its
  boundary has been read. It is where a pass in progress goes on, and where the next pass
  starts when it revisits nothing.
- ``changed``, on ``updated_datetime``, with ``overlap_minutes`` of lookback: when a pass ends
  its boundary moves to the moment the pass began (every change made before then has been
  read). A change made after the pass read a request carries a later ``updated_datetime``;
  the lookback covers the portal's clock and the hub's disagreeing, and changes committed
  late. ``at or after`` keeps ties (Open311 stamps whole seconds). Taking a request twice is
  harmless: the hub upserts it.

With ``pass_started``, a pass is in progress: the state is saved after every window, so a retry
or the next sync goes on where the last checkpoint left off, with the thresholds the pass
began with. A state written by an older release (``read_to``, ``changed_since``,
``pass_started``, ``pass_next``) is converted on first read: the same question, the same place.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial
from typing import Any

from hub.connectors.incremental import Incremental, Window
from hub.timestamps import optional_timestamp, parse_timestamp, utc_text

from .config import Open311Config

OLD_STATE = ("read_to", "changed_since", "pass_started", "pass_next")
"""The state of releases before the connector kit."""


@dataclass
class Pass:
    """One walk through the windows; see the module docstring."""

    started: datetime
    resumed: bool
    read: Incremental
    changed: Incremental
    revisit: timedelta

    @classmethod
    def plan(
        cls, state: Mapping[str, Any], now: datetime, config: Open311Config, full: bool = False
    ) -> Pass:
        """Go on with the pass in progress, or begin a new one now. A ``full`` pass ignores
        the state, unless it is a full pass's own (a retry)."""
        state = upgraded(state, config)
        full_pass_in_progress = "pass_started" in state and not state.get("changed")
        if full and not full_pass_in_progress:
            state = {}
        revisit = timedelta(days=config.revisit_days)
        overlap = timedelta(minutes=config.overlap_minutes)
        changed = _cursor("updated_datetime", config, state.get("changed"), lookback=overlap)
        if "pass_started" in state:
            read = _cursor("requested_datetime", config, state.get("read"))
            return cls(parse_timestamp(state["pass_started"]), True, read, changed, revisit)
        read = _cursor("requested_datetime", config, start=_first_window(state, now, config))
        return cls(now, False, read, changed, revisit)

    def windows(self, days: int) -> Iterator[Window]:
        """The windows of ``requested_datetime`` left to read in this pass."""
        return self.read.windows(self.started, timedelta(days=days))

    def wants(self, entry: Any) -> bool:
        """Whether a request is new or changed since the last pass (see the module docstring)."""
        return self.changed.is_new(entry)

    def in_revisit_span(self, requested: datetime) -> bool:
        """Requested within the last ``revisit_days`` before the pass began."""
        return requested >= self.started - self.revisit

    def after(self, window: Window) -> dict[str, Any]:
        """The state once ``window`` is read: the pass goes on after it."""
        read = self.read.close_window(window)
        return {
            "read": read,
            "changed": self.changed.state(),
            "pass_started": utc_text(self.started),
        }

    def finished(self) -> dict[str, Any]:
        """The state once the pass has read every window."""
        changed = self.changed.close_window(Window(self.started, self.started))
        return {"read": self.read.state(), "changed": changed}


def upgraded(state: Mapping[str, Any], config: Open311Config) -> dict[str, Any]:
    """``state`` in this release's form: an older release's converted (see the module doc)."""
    if "read" in state or not any(name in state for name in OLD_STATE):
        return dict(state)
    read_to, changed_since, started, going_on = (
        optional_timestamp(state.get(n)) for n in OLD_STATE
    )
    upgraded_state: dict[str, Any] = {}
    if started is not None and going_on is not None:
        upgraded_state["pass_started"] = utc_text(started)
        read_to = going_on
    if read_to is not None:
        upgraded_state["read"] = _boundary(read_to)
    if changed_since is not None:  # the boundary less the overlap: the same question as before
        upgraded_state["changed"] = _boundary(
            changed_since + timedelta(minutes=config.overlap_minutes)
        )
    return upgraded_state


def _first_window(state: Mapping[str, Any], now: datetime, config: Open311Config) -> datetime:
    """Where a new pass starts: ``since`` on a first (or full) pass; else the earlier of the
    revisit span and the end of the last pass (a connector down for long goes back there),
    but never before ``since``."""
    start = config.first_moment(now)
    read_to = _cursor("requested_datetime", config, state.get("read")).boundary
    if read_to is None:
        return start
    earliest = min(read_to, now - timedelta(days=config.revisit_days))
    return max(start, earliest) if config.since else earliest


def _cursor(
    field: str,
    config: Open311Config,
    state: Mapping[str, Any] | None = None,
    start: Any = None,
    lookback: timedelta = timedelta(0),
) -> Incremental:
    return Incremental(
        field,
        id="service_request_id",
        state=state,
        start=start,
        lookback=lookback,
        parse=partial(parse_timestamp, zone=config.zone),
        what="Open311 requests",
    )


def _boundary(moment: datetime) -> dict[str, Any]:
    return {"value": utc_text(moment), "ties": []}
