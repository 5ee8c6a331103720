"""How far a ``_lastUpdated`` search is known to be read: the cursor saved after each page.

The connector searches ``_lastUpdated=gt<cursor>&_sort=_lastUpdated`` and follows the pages.
After a page it may save a new cursor only if *every* resource at or before it has been read,
or a crash would lose what lies between. Resources updated in the same instant (a bulk load
gives thousands the same ``lastUpdated``) can straddle a page boundary, so the greatest value
seen so far is not safe: more resources with that value may follow on the next page.

What is safe is the greatest value seen *below* the greatest: the results are sorted, so every
resource up to it has been read. Resuming with ``gt`` that value reads the tied group again,
which is harmless since records are upserted by their FHIR id. When the search has been read
to its end, the greatest value itself is safe. (The other design, ``ge`` plus a list of the ids
already read at the cursor, needs a state as large as the biggest tie: not a cursor.)

If the values come out of order the server is not sorting (it ignored ``_sort``): no cursor is
saved until the end of the search, since a resource not yet read may be older than any seen.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from .fhir_values import instant

log = logging.getLogger(__name__)


@dataclass
class Mark:
    """One ``lastUpdated`` value: as the server wrote it, and as a moment."""

    text: str
    moment: datetime


def mark(text: str | None) -> Mark | None:
    moment = instant(text) if text else None
    return Mark(text, moment) if text and moment else None


@dataclass
class Watermark:
    """The cursor of one resource type during one search (see the module docstring)."""

    start: str | None
    sorted: bool = True
    what: str = "resources"
    highest: Mark | None = None
    below_highest: Mark | None = None
    in_order: bool = field(default=True)

    def since(self, overlap: timedelta) -> str | None:
        """The ``_lastUpdated=gt`` value to search from: the start, less the overlap."""
        start = mark(self.start)
        if start is None or not overlap:
            return self.start
        return (start.moment - overlap).isoformat()

    def see(self, last_updated: str | None) -> None:
        """Take note of one resource's ``meta.lastUpdated``."""
        seen = mark(last_updated)
        if seen is None:
            return
        if self.highest is None or seen.moment > self.highest.moment:
            self.below_highest, self.highest = self.highest, seen
        elif seen.moment < self.highest.moment and self.in_order:
            self.in_order = False
            if self.sorted:
                log.warning(
                    "%s arrive out of _lastUpdated order: the server does not sort them; "
                    "the cursor will advance only at the end of the search",
                    self.what,
                )

    def settled(self) -> str | None:
        """The cursor to save mid-search: every resource up to it has been read."""
        if not (self.sorted and self.in_order) or self.below_highest is None:
            return self.start
        return _later(self.start, self.below_highest)

    def finished(self) -> str | None:
        """The cursor to save once the search has been read to its end."""
        return _later(self.start, self.highest) if self.highest else self.start


def _later(start: str | None, seen: Mark) -> str:
    begun = mark(start)
    if begun is not None and begun.moment >= seen.moment:
        return begun.text
    return seen.text
