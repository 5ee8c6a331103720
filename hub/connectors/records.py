"""What a connector yields: records in the shared model, bad records, and checkpoints.

A connector's ``read`` is a generator of these. The runtime validates and normalises each
record, upserts it by its natural key, and saves the state of a :class:`Checkpoint` in the
same transaction as the records yielded before it.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from hub.connectors.errors import BadInput


@dataclass(frozen=True, slots=True)
class Observation:
    """One value of one metric, for one unit, one period, one disaggregation combination.

    ``unit`` is a GSO code (zero-padded: province 2 digits, district 3, commune 5) and is
    resolved to the unit valid during ``period``. ``period`` is a canonical period id
    (``2026-03-05``, ``2026-W10``, ``2026-03``, ``2026-Q1``, ``2026-H1``, ``2026``).
    ``place`` says where in the source the value came from, for quarantine messages.
    ``part`` names the share of the cell this value is, when the source gives one cell in
    several values (DHIS2's category option combos mapped to one cell): the parts are kept
    apart and combined by the metric's rule, as values of retired unit codes are (see
    :mod:`hub.ingest.successions`), so a later value of one part replaces only that part.
    """

    metric: str
    unit: str
    period: str
    value: float | int | str | None
    dims: dict[str, str] = field(default_factory=dict)
    calendar: str = "GREGORIAN"
    source_id: str | None = None
    place: str | None = None
    part: str | None = None


@dataclass(frozen=True, slots=True)
class Event:
    """One dated thing that happened somewhere, identified in its source by ``source_id``."""

    kind: str
    source_id: str
    occurred_at: datetime
    sector: str | None = None
    unit: str | None = None
    title: str | None = None
    status: str | None = None
    severity: int | None = None
    lat: float | None = None
    lon: float | None = None
    attributes: dict[str, Any] = field(default_factory=dict)
    place: str | None = None


@dataclass(frozen=True, slots=True)
class Facility:
    """A place that reports (hospital, school, police post, camera), belonging to a unit."""

    source_id: str
    name: str
    kind: str
    unit: str | None = None
    lat: float | None = None
    lon: float | None = None
    attributes: dict[str, Any] = field(default_factory=dict)
    place: str | None = None


@dataclass(frozen=True, slots=True)
class BadRecord:
    """Something the connector read but could not turn into a record: quarantined as is.

    ``reason`` says what is wrong, ``place`` where (sheet and cell, series key, line),
    ``payload`` is the raw data, JSON-serialisable.
    """

    reason: str
    payload: Any
    place: str | None = None


@dataclass(frozen=True, slots=True)
class Skipped:
    """A record the connector read and leaves out on purpose (a filter of its config, a code
    it does not count): not stored, not quarantined, counted in the run under ``reason``.

    ``reason`` names the cause, the same words for every record skipped for it (the run
    counts records by reason): "not a notifiable disease", "DATEX II road works".
    """

    reason: str


@dataclass(frozen=True, slots=True)
class Checkpoint:
    """The connector's state after everything yielded so far.

    Saved in the same transaction as those records, so a crash loses nothing and a re-run
    duplicates nothing. The state replaces the previous one: keep it a cursor, not a history.

    ``committed``, when given, is called once that transaction has committed (in the
    runtime's loading thread, never before): a stream acknowledges its messages there, so
    that a message is acknowledged only once stored. It is not called when the commit fails.
    """

    state: dict[str, Any]
    committed: Callable[[], None] | None = field(default=None, compare=False)


@dataclass(frozen=True, slots=True)
class Notice:
    """Something the run's summary should say that is not about one record: an optional
    resource type the server does not have, messages the broker or the kernel dropped.

    ``lost`` counts records the source lost before the hub could read them: a run that lost
    any is PARTIAL. The runtime commits the run's notices as they stand with every
    checkpoint, so a run that streams for days shows them while it runs, and what was
    committed stays in the run's row if its process dies.

    A notice without a ``key`` is known by its message: the same message given twice (a
    retried attempt) is said once. A notice with a ``key`` is a count that grows (a stream's
    drops): a later notice with the same key replaces the earlier, its ``lost`` being the
    run's total so far, not an addition to it, so yield it again before each checkpoint.
    A keyed count goes with the records yielded before it: if an attempt fails, the count it
    gave after its last committed checkpoint is forgotten with those records, and the next
    attempt (``read`` called again, on the same connector, from that checkpoint's state)
    gives the run's total from what was committed on (see :class:`RunNotices`).
    """

    message: str
    lost: int = 0
    key: str | None = None


class RunNotices:
    """A run's notices, in the order first given: what its summary says beside its counts.

    The runtime adds each notice as it is read, takes a :meth:`snapshot` at each checkpoint
    and, once the checkpoint has committed, marks that snapshot :meth:`committed`. A failed
    attempt then goes back to what was committed (:meth:`back_to_committed`).
    """

    def __init__(self) -> None:
        self._said: dict[tuple[str, str], Notice] = {}
        self._committed: dict[tuple[str, str], Notice] = {}

    def add(self, notice: Notice) -> None:
        """Say a notice: a keyed one replaces its key's; a message is said once."""
        identity = _identity(notice)
        if notice.key is None:
            self._said.setdefault(identity, notice)
        else:
            self._said[identity] = notice

    def snapshot(self) -> tuple[Notice, ...]:
        """The notices as they stand now."""
        return tuple(self._said.values())

    def committed(self, snapshot: tuple[Notice, ...]) -> None:
        """Note that this snapshot was committed with a checkpoint."""
        self._committed = {_identity(notice): notice for notice in snapshot}

    def back_to_committed(self) -> None:
        """After a failed attempt: each keyed count is the one last committed (or none), as the
        records it counted are read again; a message said stays said."""
        self._said = {
            identity: self._committed.get(identity, notice)
            for identity, notice in self._said.items()
            if notice.key is None or identity in self._committed
        }


def warnings_of(notices: Iterable[Notice]) -> list[str] | None:
    """The run's ``warnings`` column: the notices' messages (None when there are none)."""
    return [notice.message for notice in notices] or None


def lost_in(notices: Iterable[Notice]) -> int:
    """The run's ``records_lost`` column: what the notices say the source lost."""
    return sum(notice.lost for notice in notices)


def _identity(notice: Notice) -> tuple[str, str]:
    return ("message", notice.message) if notice.key is None else ("key", notice.key)


Record = Observation | Event | Facility
Item = Observation | Event | Facility | BadRecord | Skipped | Checkpoint | Notice


def read_each(
    raw: Any, convert: Callable[[Any], Item | Iterable[Item] | None], place: str | None = None
) -> Iterator[Item]:
    """What ``convert(raw)`` makes of one source record, or a :class:`BadRecord` when it
    raises :class:`~hub.connectors.errors.BadInput` (its reason; its payload and place when
    it gives them, else ``raw`` and ``place``): one bad record costs itself, not the run."""
    try:
        made = convert(raw)
    except BadInput as exc:
        payload = raw if exc.payload is None else exc.payload
        yield BadRecord(exc.reason, payload, exc.place or place)
        return
    if made is None:
        return
    if isinstance(made, Item):
        yield made
    else:
        yield from made


def json_value(raw: bytes | str) -> Any:
    """The JSON value of one record's text (a line, a message); :class:`BadInput` saying why
    when it is none: ``not UTF-8 text``, or ``not JSON: <what> at column <n>``."""
    try:
        text = raw.decode("utf-8") if isinstance(raw, bytes) else raw
    except UnicodeDecodeError:
        raise BadInput("not UTF-8 text") from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise BadInput(f"not JSON: {exc.msg} at column {exc.colno}") from None
