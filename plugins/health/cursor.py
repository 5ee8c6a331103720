"""How far each resource type is known to be read: the kit's cursor on ``meta.lastUpdated``.

The connector searches ``_lastUpdated=ge<boundary>&_sort=_lastUpdated`` and follows the pages,
with one :class:`~hub.connectors.incremental.Incremental` per resource type: after each page
it saves the greatest ``lastUpdated`` read and the ids of the resources read at exactly that
instant (a bulk load gives thousands the same one, and they can straddle a page boundary).
The next search asks from that instant, inclusively, and leaves out those ids: nothing is
lost, nothing read twice. ``overlap_seconds`` asks from that much earlier, for servers whose
transactions commit out of order (what it reads again is upserted by its FHIR id). At most
:data:`MAX_TIES` ids are kept; a bigger tie is read again next time.

A ``lastUpdated`` without its offset, or that is no instant, leaves the cursor where it is
(see :func:`~hub.timestamps.parse_instant`).

**State saved by earlier releases.** They saved a bare ``lastUpdated`` per type and searched
``gt`` it: every resource up to that instant was read. :func:`saved_cursor` reads it as the
boundary with no ties known, so an upgraded hub goes on from there; it reads the resources
of that one instant again (upserted), and saves the new form from then on.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from hub.connectors.incremental import Incremental
from hub.timestamps import parse_instant

LAST_UPDATED = "meta.lastUpdated"
MAX_TIES = 200
"""Ids kept per resource type at most: five types' cursors stay well within the hub's
``max_state_bytes`` (64 kB) though FHIR ids may be UUIDs. A bigger tie is read again."""


def saved_cursor(saved: Any) -> Mapping[str, Any] | None:
    """A type's saved cursor as the kit's state; an older release's bare ``lastUpdated``
    becomes the boundary with no ties."""
    if isinstance(saved, str) and saved:
        return {"value": saved, "ties": []}
    return saved if isinstance(saved, Mapping) else None


def fhir_cursor(
    saved: Any, *, sorted: bool = True, overlap: timedelta = timedelta(0), what: str = "resources"
) -> Incremental:
    """The cursor of one resource type, from what the last run saved for it."""
    return Incremental(
        LAST_UPDATED,
        id="id",
        lookback=overlap,
        sorted=sorted,
        parse=parse_instant,
        max_ties=MAX_TIES,
        state=saved_cursor(saved),
        what=what,
    )
