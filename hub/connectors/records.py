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
    any is PARTIAL. The same message given twice (a retried attempt) is said once.
    """

    message: str
    lost: int = 0


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
