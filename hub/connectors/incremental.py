"""One incremental cursor for every source: read only what is new since the last run.

A source that can say "the records changed since T" (a ``modified_since`` parameter, FHIR's
``_lastUpdated``, an SQL ``WHERE updated_at >= :t``, a search sorted by time) is read with an
:class:`Incremental`::

    cursor = Incremental("meta.lastUpdated", id="id", lookback=timedelta(minutes=5),
                         state=state.get("cursor"))
    for page in client.pages(url, paginator, {"since": cursor.since_text}):
        for record in cursor.take(page.items):   # new records only; the cursor sees each
            yield make(record)
        yield Checkpoint({"cursor": cursor.state()})   # safe to save after every page
    yield Checkpoint({"cursor": cursor.finish()})

**The boundary.** The state is the greatest cursor value read (``value``, as the source wrote
it) and the ids of the
records read *at exactly that value* (``ties``). The next run asks from the boundary
(inclusive, less ``lookback``) and leaves out the ties it has already read: records sharing
the boundary's instant (a bulk load stamps thousands alike; Open311 stamps whole seconds) are
neither lost nor read twice, though a page ends in the middle of them. The state is bounded:
no list of every id read, only the boundary's ties, and at most ``max_ties`` of them (beyond
that the ties are forgotten and read again next time, which an upsert makes harmless).

**Lookback.** ``lookback`` (a timedelta for times, a number for numbers) widens the next
question by that much before the boundary, for sources whose records become visible late (a
transaction committed after a later one, two clocks that disagree). What it re-reads is taken
again (upserts make that harmless); only the boundary's ties are left out.

**Sorted or not.** A source sorted by the cursor (``sorted=True``, the default) lets the
cursor advance after every page: everything up to the greatest value seen has been read,
but for more ties at that value, which the ties cover. A source that is not sorted (or turns
out not to be: a value below one already seen) keeps the starting state until the whole
source is read (:meth:`finish`), since a record not yet seen may be older than any seen.

**Date windows.** A source that answers a span of time at most (GeoReport v2: 90 days) is
read window by window: :meth:`windows` cuts the time from :attr:`since` to now into windows
of at most ``span``, and :meth:`close_window` moves the boundary to a window's end once it is
read, so the state is saved after every window.

Records whose cursor value is missing or unreadable are taken (they are new as far as anyone
can tell) and leave the cursor where it is.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from hub.connectors.errors import BadInput
from hub.connectors.http import JsonPath, dig
from hub.timestamps import parse_timestamp, utc_text

__all__ = ["MAX_TIES", "Incremental", "Window", "date_windows"]

log = logging.getLogger(__name__)

MAX_TIES = 1000
"""Ids of the boundary's ties kept in the state at most (about 40 kB of JSON)."""


@dataclass(frozen=True)
class Window:
    """A span of time ``[start, end)``: ``start`` included, ``end`` not."""

    start: datetime
    end: datetime

    def holds(self, moment: datetime) -> bool:
        return self.start <= moment < self.end


def date_windows(start: datetime, end: datetime, span: timedelta) -> Iterator[Window]:
    """``[start, end)`` cut into consecutive windows of at most ``span``."""
    if span <= timedelta(0):
        raise ValueError("a window must span some time")
    while start < end:
        yield Window(start, min(start + span, end))
        start = start + span


class Incremental:
    """The cursor of one source during one run (see the module docstring).

    ``cursor`` is where a record's cursor value is (a dotted path or a function of the
    record), ``id`` where its id is (without one, boundary ties are read again instead of
    left out). ``parse`` turns a value into something comparable (default: an aware time,
    naive times read in Vietnam's zone; None compares values as they are, e.g. numbers or
    sequence ids). ``start`` is where a first run (or a ``--full`` one) begins: None reads
    everything. ``state`` is what :meth:`state` or :meth:`finish` returned last time.
    """

    def __init__(
        self,
        cursor: JsonPath,
        *,
        id: JsonPath = None,
        start: Any = None,
        lookback: timedelta | float = 0,
        sorted: bool = True,
        parse: Callable[[Any], Any] | None = parse_timestamp,
        max_ties: int = MAX_TIES,
        state: Mapping[str, Any] | None = None,
        what: str = "records",
    ) -> None:
        self.cursor_path = cursor
        self.id_path = id
        self.lookback = lookback
        self.sorted = sorted
        self.parse = parse
        self.max_ties = max_ties
        self.what = what
        saved = state or {}
        self._start_raw = saved.get("value")
        if self._start_raw is None:
            self._start_raw = start
        self._start_value = self._read(self._start_raw) if self._start_raw is not None else None
        self._start_ties = frozenset(str(tie) for tie in saved.get("ties", ()))
        self._highest, self._highest_raw = self._start_value, self._start_raw
        self._ties: set[str] = set(self._start_ties)
        self._in_order = True
        self._last: Any = None
        """The greatest value seen in this run: one below it means the source is unsorted."""

    # -- what to ask the source -------------------------------------------------------------

    @property
    def boundary(self) -> Any:
        """The greatest value read by the last run (or ``start``): None when nothing was."""
        return self._start_value

    @property
    def since(self) -> Any:
        """The value to ask the source from, inclusive: the boundary less the lookback."""
        if self._start_value is None:
            return None
        if not self.lookback:
            return self._start_value
        lookback = self.lookback
        if isinstance(self._start_value, datetime) and not isinstance(lookback, timedelta):
            lookback = timedelta(seconds=lookback)
        return self._start_value - lookback

    @property
    def since_text(self) -> str | None:
        """:attr:`since` as text for a query: the boundary as the source wrote it, or (with a
        lookback) a time in UTC ISO 8601 with a ``Z``."""
        if not self.lookback and isinstance(self._start_raw, str):
            return self._start_raw
        return _text(self.since)

    # -- records -----------------------------------------------------------------------------

    def value_of(self, record: Any) -> Any:
        """The record's cursor value, parsed; None when it has none that can be read."""
        raw = dig(record, self.cursor_path)
        if raw is None or raw == "":
            return None
        try:
            return self._read(raw)
        except (BadInput, ValueError, TypeError):
            return None

    def id_of(self, record: Any) -> str | None:
        found = dig(record, self.id_path) if self.id_path is not None else None
        return None if found is None else str(found)

    def is_new(self, record: Any) -> bool:
        """False for a record the last run read (a tie at the boundary) or one older than
        :attr:`since` (a source that ignores the question sends those too)."""
        value = self.value_of(record)
        if value is None or self._start_value is None:
            return True
        since = self.since
        if value < since:
            return False
        return not (value == self._start_value and self.id_of(record) in self._start_ties)

    def see(self, record: Any) -> None:
        """Take note that ``record`` has been read (it moves the cursor)."""
        value = self.value_of(record)
        if value is None:
            return
        if self._last is not None and value < self._last and self._in_order:
            self._in_order = False
            if self.sorted:
                log.warning(
                    "%s arrive out of order (%s after %s): the source does not sort them; "
                    "the cursor will advance only at the end of the run",
                    self.what,
                    _text(value),
                    _text(self._last),
                )
        self._last = value if self._last is None else max(self._last, value)
        if self._highest is None or value > self._highest:
            self._highest, self._ties = value, set()
            self._highest_raw = dig(record, self.cursor_path)
        if value == self._highest and (record_id := self.id_of(record)) is not None:
            self._ties.add(record_id)

    def take(self, records: Iterable[Any]) -> Iterator[Any]:
        """The new records among ``records``, each seen as it is handed out."""
        for record in records:
            if self.is_new(record):
                self.see(record)
                yield record

    # -- state -------------------------------------------------------------------------------

    def state(self) -> dict[str, Any]:
        """The state safe to save now, with what was read so far (after a page or window)."""
        if not (self.sorted and self._in_order):
            return self._state(self._start_value, self._start_ties, self._start_raw)
        return self._state(self._highest, self._ties, self._highest_raw)

    def finish(self) -> dict[str, Any]:
        """The state to save once the source has been read to its end."""
        return self._state(self._highest, self._ties, self._highest_raw)

    def windows(
        self, until: datetime, span: timedelta, start: datetime | None = None
    ) -> Iterator[Window]:
        """Windows of at most ``span`` from :attr:`since` (or ``start`` on a first run) to
        ``until``; call :meth:`close_window` after reading each."""
        begin = self.since if self.since is not None else start
        if begin is None:
            raise ValueError("a windowed read needs a start on its first run")
        return date_windows(begin, until, span)

    def close_window(self, window: Window) -> dict[str, Any]:
        """Every record before ``window.end`` is read: the boundary moves there (the window
        holds no record at its end, which belongs to the next). Returns the state to save."""
        self._highest, self._ties, self._highest_raw = window.end, set(), None
        self._start_value, self._start_ties = self._highest, frozenset(self._ties)
        self._start_raw = None
        self._in_order, self._last = True, None
        return self.state()

    def _state(self, value: Any, ties: Iterable[str], raw: Any = None) -> dict[str, Any]:
        if value is None:
            return {}
        kept = sorted(ties)
        if len(kept) > self.max_ties:
            log.info(
                "%s: %d share the boundary %s; they will be read again next time",
                self.what,
                len(kept),
                _text(value),
            )
            kept = []
        if isinstance(raw, str | int | float) and not isinstance(raw, bool):
            written = raw  # as the source wrote it: the next question uses its own format
        else:
            written = _text(value)
        return {"value": written, "ties": kept}

    def _read(self, raw: Any) -> Any:
        return self.parse(raw) if self.parse is not None else raw


def _text(value: Any) -> Any:
    if isinstance(value, datetime):
        return utc_text(value)
    if isinstance(value, date):
        return value.isoformat()
    return value
