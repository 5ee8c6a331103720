"""Runs one sync of one connector: extract, normalise, load, with state saved as it goes.

The steps of a run, each with its own place for failures:

1. **start**: take the connector's lock, record a RUNNING sync run (committed at once, so
   that it is visible while the run goes on);
2. **attempt** (retried on transient faults): read from the last saved state and normalise
   each record, in the run's thread; write batches and, at each checkpoint, commit the
   records *and* the new state and the run's counters in one transaction, in order, in a
   loading thread (:mod:`hub.connectors.loading`), so the database writes one batch while
   the next is normalised;
3. **finish**: rebuild the roll-ups of the metrics the run wrote so much of that it deferred
   them (see :mod:`hub.aggregation.maintenance`); then SUCCEEDED, PARTIAL (some records
   quarantined) or FAILED with the cause.

A record is quarantined, and the run goes on, when it is a ``BadRecord`` or the normaliser
rejects it (a :class:`~hub.connectors.errors.BadInput` raised while normalising it included).
A ``BadInput`` that escapes the connector's generator has ended it: the record is
quarantined, what was read before it committed, and the run fails without a new state.

A failed attempt rolls back what it wrote since its last checkpoint, and the next attempt
resumes from that checkpoint: nothing is lost and, since writes are upserts by natural key,
nothing is doubled. The same holds across processes: a run cut short by its process dying
or by the database going away (FAILED, "interrupted" or "the database connection was lost")
leaves the state of its last checkpoint, and the next run goes on from there.
"""

from __future__ import annotations

import json
import logging
import os
import threading
from collections import Counter
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import partial
from itertools import chain
from typing import TYPE_CHECKING, Any

from sqlalchemy import update
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from hub.aggregation.hierarchy import PerUnitTables
from hub.aggregation.maintenance import defer_rollups, rebuild_deferred
from hub.aggregation.observations import count_observations
from hub.alerts.evaluate import AlertRaiser
from hub.alerts.thresholds import ThresholdChecker
from hub.connectors import records
from hub.connectors.base import ConnectorContext
from hub.connectors.errors import BadInput, PermanentSourceError, SourceError
from hub.connectors.interpreter import tuned_for_loading
from hub.connectors.loading import LoadingThread
from hub.connectors.locks import Taken, exclusive
from hub.connectors.retry import RequestRetries, retrying
from hub.ingest.event_metrics import EventCounter
from hub.ingest.normalise import Normaliser, Rejection, record_payload
from hub.ingest.writer import Batch, Written, flush
from hub.model import ConnectorState, RunStatus, SyncRun
from hub.model.base import utcnow
from hub.model.database import driver_message
from hub.observability import metrics
from hub.units.queries import UnitResolver

if TYPE_CHECKING:
    from hub.core import Hub

log = logging.getLogger(__name__)

REBUILD_SHARE = 0.1
"""The share of a metric's values a run may write before its roll-ups are deferred."""
REBUILD_WORKERS = 4
"""The most metrics whose deferred roll-ups are rebuilt at once (PostgreSQL only)."""


CONNECTION_LOST = "the database connection was lost; the next run goes on from the last checkpoint"
LOCK_LOST = (
    "the database connection holding the connector's lock was lost; the run stopped so that "
    "it never overlaps another, and the next run goes on from the last checkpoint"
)


UNIT_RESOLVERS = PerUnitTables(lambda session, _version: UnitResolver(session))
"""Unit codes are resolved from memory, built once per change of the unit tables: building
reads every unit (about 0.1 s), which a small run every few seconds would pay each time."""


class RunInProgress(Exception):
    """Another run of this connector holds its lock."""


@dataclass
class Counters:
    """What a run did with the records it read: each is counted in exactly one of written,
    quarantined, skipped (by reason) and duplicate; ``placed`` counts, of the written, the
    values of retired unit codes placed on their successor."""

    read: int = 0
    written: int = 0
    quarantined: int = 0
    skipped: Counter[str] = field(default_factory=Counter)
    duplicates: int = 0
    placed: int = 0

    def add(self, other: Counters | Written) -> None:
        """Add another's counts (``read`` aside: a batch's writing does not read)."""
        self.written += other.written
        self.quarantined += other.quarantined
        self.skipped.update(other.skipped)
        self.duplicates += other.duplicates
        self.placed += other.placed

    def clear(self) -> None:
        self.read = self.written = self.quarantined = self.duplicates = self.placed = 0
        self.skipped = Counter()

    @property
    def records_skipped(self) -> int:
        return sum(self.skipped.values())


Progress = Callable[[Counters], None]
OnStart = Callable[[Session, SyncRun], None]
"""Called in the transaction that records a run as started."""


def run_sync(
    hub: Hub,
    connector_id: str,
    *,
    full: bool = False,
    trigger: str = "manual",
    progress: Progress | None = None,
    stop: threading.Event | None = None,
    on_start: OnStart | None = None,
) -> SyncRun:
    """Run one sync now and return its finished SyncRun.

    Raises LookupError for an unknown connector and RunInProgress when it is already running.
    Source faults do not raise: they end in a FAILED run that says why. ``stop`` ends a
    streaming connector's run (see :attr:`hub.connectors.base.Connector.streaming`).
    """
    configured = hub.connector(connector_id)
    with exclusive(hub.db, f"iochub.sync:{connector_id}") as taken:
        if not taken:
            raise RunInProgress(f"connector {connector_id!r} is already running")
        run = _start(hub, connector_id, full, trigger, on_start)
        context = ConnectorContext(
            connector_id,
            http_timeout=hub.settings.runtime.http_timeout,
            stop=stop or threading.Event(),
            requests=RequestRetries(hub.settings.runtime),
        )
        connector = configured.create(context)
        sync = _Sync(hub, connector_id, run.id, progress, taken)
        return sync.run(lambda state: connector.read(state, full), full)


def load_records(
    hub: Hub,
    source: str,
    items: Iterable[records.Item],
    trigger: str = "import",
    progress: Progress | None = None,
    on_start: OnStart | None = None,
) -> SyncRun:
    """Load records that do not come from a configured connector (``iochub import``).

    They take the same path as a connector's: validation, quarantine, batched upserts, a
    sync run that records the outcome. ``source`` names the origin in the natural key.
    """
    with exclusive(hub.db, f"iochub.sync:{source}") as taken:
        if not taken:
            raise RunInProgress(f"an import into {source!r} is already running")
        _ensure_connector_row(hub, source)
        run = _start(hub, source, True, trigger, on_start)
        return _Sync(hub, source, run.id, progress, taken).run(lambda _state: items, full=True)


class _Sync:
    """One run's attempts, counters and state."""

    def __init__(
        self, hub: Hub, connector_id: str, run_id: int, progress: Progress | None, lock: Taken
    ) -> None:
        self.hub = hub
        self.connector_id = connector_id
        self.run_id = run_id
        self.progress = progress
        self.lock = lock
        self.committed = Counters()
        self.counter: EventCounter | None = None
        self.raiser: AlertRaiser | None = None
        self.thresholds = ThresholdChecker(hub.db, hub.definitions.alert_rule_list())
        self.touched: set[tuple[int, int, str, str]] = set()
        self.state: dict[str, Any] = {}
        self.attempts = 0
        self.values_written: Counter[int] = Counter()
        """Observations written per metric, as seen by each batch."""
        self.values_held: dict[int, int] = {}
        """The values each metric held when the run first wrote to it."""
        self.deferred: set[int] = set()
        self.notices = records.RunNotices()
        """The run's notices (see :class:`records.Notice`)."""
        self.units: UnitResolver | None = None

    def run(self, read: Callable[[dict[str, Any]], Iterable[records.Item]], full: bool) -> SyncRun:
        self.state = {} if full else self._saved_state()
        try:
            for attempt in retrying(self.hub.settings.runtime, self._log_retry):
                with attempt, tuned_for_loading():
                    self.attempts += 1
                    self._attempt(read)
        except SourceError as exc:
            status, error = RunStatus.FAILED, str(exc)
        except Exception as exc:  # a connector bug must end the run, not the process
            status, error = RunStatus.FAILED, self._unexpected(exc)
        else:
            partial = self.committed.quarantined or records.lost_in(self.notices.snapshot())
            status = RunStatus.PARTIAL if partial else RunStatus.SUCCEEDED
            error = None
        self._rebuild_deferred()  # what was committed, even by a failed run
        self.notices.back_to_committed()  # a failed run's later counts: the next run's to count
        run = self._finish(status, error)
        metrics.record_run(run)
        return run

    def _attempt(self, read: Callable[[dict[str, Any]], Iterable[records.Item]]) -> None:
        """Read from the last committed state to the end of the source."""
        batch_size = self.hub.settings.runtime.batch_size
        self.touched = set()  # what a failed attempt wrote was rolled back
        self.notices.back_to_committed()  # and what it counted since, it counts again
        with self.hub.db.sessions() as session:
            defer_rollups(session, self.deferred)
            self.units = UNIT_RESOLVERS.get(session)
            normaliser = Normaliser(session, self.connector_id, self.units)
            self.counter = EventCounter(session, self.hub.definitions.event_kind_definitions())
            self.raiser = AlertRaiser(self.hub.definitions.alert_rule_list())
            batch, pending = Batch(), Counters()
            # The session is the loading thread's from here on; this one reads and normalises.
            with LoadingThread(f"iochub-load-{self.connector_id}") as loading:
                stopped: BadInput | None = None
                try:
                    for item in read(dict(self.state)):
                        if isinstance(item, records.Notice):
                            self.notices.add(item)
                            continue
                        if isinstance(item, records.Checkpoint):
                            notices = self.notices.snapshot()  # as they stand at this checkpoint
                            loading.submit(
                                partial(self._commit, session, batch, pending, item, notices)
                            )
                            batch, pending = Batch(), Counters()
                            continue
                        pending.read += 1
                        batch.add(_normalise(normaliser, item))
                        if batch.added >= batch_size:
                            loading.submit(partial(self._write, session, batch, pending))
                            batch = Batch()
                except BadInput as exc:  # it ended the connector's generator: nothing follows
                    stopped = exc
                    pending.read += 1
                    batch.add(_rejection(exc))
                notices = self.notices.snapshot()
                loading.submit(partial(self._commit, session, batch, pending, None, notices))
            if stopped is not None:
                raise PermanentSourceError(_stopped_at(stopped))

    def _write(self, session: Session, batch: Batch, pending: Counters) -> None:
        code_of = self.units.code_of if self.units is not None else None
        written = flush(
            session, batch, self.connector_id, self.run_id, self.counter, self.raiser, code_of
        )
        pending.add(written)
        self.touched |= written.touched
        self._defer_large_metrics(session, written.per_metric)

    def _defer_large_metrics(self, session: Session, per_metric: Counter[int]) -> None:
        """Defer the roll-ups of the metrics this run writes much of.

        Keeping roll-ups up to date value by value costs about ten times what rebuilding
        them costs per value; so a metric is deferred once the run has written more than a
        tenth of the values it held (and more than ``rebuild_after``). A new metric loaded
        from a file is deferred from its first batch on, a monthly sync of a large one never.
        """
        minimum = self.hub.settings.aggregation.rebuild_after
        if not minimum:
            return
        self.values_written.update(per_metric)
        large = set()
        for metric_id in per_metric.keys() - self.deferred:
            if self.values_written[metric_id] <= minimum:
                continue  # within the floor whatever it holds: not worth counting its rows
            if metric_id not in self.values_held:
                self.values_held[metric_id] = count_observations(session, metric_id)
            limit = max(minimum, self.values_held[metric_id] * REBUILD_SHARE)
            if self.values_written[metric_id] > limit:
                large.add(metric_id)
        if large:
            self.deferred |= large
            defer_rollups(session, large)

    def _rebuild_deferred(self) -> None:
        """Bring the deferred metrics' roll-ups up to date, now the run's data is committed.

        Should this fail, they stay marked stale and are rebuilt before they are next read.
        """
        # One transaction per metric: a bounded log. PostgreSQL rebuilds several at once,
        # each on a connection (and a server process) of its own; SQLite has one writer.
        workers = min(REBUILD_WORKERS, os.cpu_count() or 1) if self.hub.db.is_postgresql else 1
        with ThreadPoolExecutor(workers, thread_name_prefix="iochub-rebuild") as pool:
            rebuilt = [*chain.from_iterable(pool.map(self._rebuild, sorted(self.deferred)))]
        if rebuilt:
            log.info("%s: roll-ups rebuilt: %s", self.connector_id, ", ".join(rebuilt))

    def _rebuild(self, metric_id: int) -> list[str]:
        try:
            with self.hub.db.session() as session:
                return rebuild_deferred(session, [metric_id])
        except Exception:
            log.exception("%s: rebuilding deferred roll-ups failed", self.connector_id)
            return []

    def _commit(
        self,
        session: Session,
        batch: Batch,
        pending: Counters,
        checkpoint: records.Checkpoint | None,
        notices: tuple[records.Notice, ...],
    ) -> None:
        """Write the batch, the checkpoint's state and the run's counters, and commit them
        together; then tell the checkpoint (a stream acknowledges its messages then).

        ``notices`` are the run's warnings so far, committed with the counters: a run that
        streams for days, or whose process dies, shows them before it finishes.

        ``pending`` counts the records read since the last commit (the reader's counter is
        a new one from here on); it is emptied once they are committed.
        """
        state = checkpoint.state if checkpoint else None
        self._write(session, batch, pending)
        if not self.lock.still_held():  # another process may be running this connector now
            raise PermanentSourceError(LOCK_LOST)
        if state is not None:
            self._save_state(session, state)
        counters = Counters(self.committed.read + pending.read)
        counters.add(self.committed)
        counters.add(pending)
        session.execute(
            update(SyncRun)
            .where(SyncRun.id == self.run_id)
            .values(
                records_read=counters.read,
                records_written=counters.written,
                records_quarantined=counters.quarantined,
                records_skipped=counters.records_skipped,
                records_duplicate=counters.duplicates,
                records_placed=counters.placed,
                skipped=dict(sorted(counters.skipped.items())) or None,
                attempts=self.attempts,
                warnings=records.warnings_of(notices),
                records_lost=records.lost_in(notices),
            )
        )
        session.commit()
        self.notices.committed(notices)
        if checkpoint and checkpoint.committed:
            checkpoint.committed()
        self.thresholds.check(self.touched)  # alerts on what is now committed
        self.touched = set()
        self.committed = counters
        if state is not None:
            self.state = state
        pending.clear()
        if self.progress:
            self.progress(counters)

    def _save_state(self, session: Session, state: dict[str, Any]) -> None:
        size = len(json.dumps(state, default=str))
        limit = self.hub.settings.runtime.max_state_bytes
        if size > limit:
            raise PermanentSourceError(
                f"the connector's state is {size} bytes, over the limit of {limit}: "
                "a state must be a cursor, not a history"
            )
        row = session.get(ConnectorState, self.connector_id)
        if row is None:
            row = ConnectorState(connector_id=self.connector_id)
            session.add(row)
        row.state, row.sync_run_id, row.updated_at = state, self.run_id, utcnow()

    def _saved_state(self) -> dict[str, Any]:
        with self.hub.db.session() as session:
            row = session.get(ConnectorState, self.connector_id)
            return dict(row.state) if row else {}

    def _finish(self, status: RunStatus, error: str | None) -> SyncRun:
        with self.hub.db.session() as session:
            run = session.get_one(SyncRun, self.run_id)
            run.status, run.error, run.finished_at = status, error, utcnow()
            run.attempts = max(self.attempts, 1)
            notices = self.notices.snapshot()
            run.warnings, run.records_lost = records.warnings_of(notices), records.lost_in(notices)
        with self.hub.db.session() as session:
            return session.get_one(SyncRun, self.run_id)

    def _unexpected(self, exc: Exception) -> str:
        """Why the run stopped on an exception that no connector raised on purpose."""
        if isinstance(exc, DBAPIError) and exc.connection_invalidated:
            return f"{CONNECTION_LOST} ({driver_message(exc)})"
        log.exception("sync of %s failed", self.connector_id)
        return f"internal error: {type(exc).__name__}: {exc}"

    def _log_retry(self, attempt: int, error: BaseException, wait: float) -> None:
        log.warning(
            "%s: attempt %d failed (%s); retrying in %.1fs", self.connector_id, attempt, error, wait
        )


def _normalise(normaliser: Normaliser, item: records.Item) -> Any:
    """The item as a row, a rejection or a skip; a :class:`BadInput` raised while normalising
    it rejects the item, with the error's reason (and its payload and place, if it has any)."""
    try:
        return _normalised(normaliser, item)
    except BadInput as exc:
        return _rejection(exc, item)


def _normalised(normaliser: Normaliser, item: records.Item) -> Any:
    if type(item) is records.Observation:  # by far the most common: straight there
        return normaliser.observation(item)
    if isinstance(item, records.BadRecord):
        return Rejection(reason=item.reason, payload=item.payload, place=item.place)
    if isinstance(item, records.Skipped):
        return item
    if isinstance(item, records.Observation | records.Event | records.Facility):
        return normaliser.normalise(item)
    return Rejection(reason=f"not a record: {type(item).__name__}", payload=repr(item)[:2000])


def _stopped_at(error: BadInput) -> str:
    """Why a run ended on a :class:`BadInput` that the connector's ``read`` let out."""
    where = f"{error.place}: " if error.place else ""
    return (
        f"the connector stopped at a bad record ({where}{error.reason}): it is quarantined and "
        "what was read before it is kept, but a BadInput raised outside read_each ends the "
        "reading, so the next run starts again from the last checkpoint"
    )


def _rejection(error: BadInput, item: Any = None) -> Rejection:
    """A :class:`BadInput` as a quarantined record: its payload and place, else the item's."""
    payload = error.payload if error.payload is not None else record_payload(item)
    return Rejection(error.reason, payload, error.place or getattr(item, "place", None))


def _start(
    hub: Hub, connector_id: str, full: bool, trigger: str, on_start: OnStart | None = None
) -> SyncRun:
    """Record a RUNNING run; any run left RUNNING by a process that died is closed first.

    The caller holds the connector's lock, so a RUNNING run is no longer running anywhere
    (or, having lost its lock, can commit nothing more: its own reason then wins).
    ``on_start`` adds to the same transaction (the audit row of whoever asked for the run).
    """
    with hub.db.session() as session:
        run = SyncRun(
            connector_id=connector_id,
            status=RunStatus.RUNNING,
            full=full,
            trigger=trigger,
            started_at=utcnow(),
        )
        session.add(run)
        session.flush()
        session.execute(
            update(SyncRun)
            .where(
                SyncRun.connector_id == connector_id,
                SyncRun.status == RunStatus.RUNNING,
                SyncRun.id != run.id,
            )
            .values(
                status=RunStatus.FAILED,
                finished_at=utcnow(),
                error="interrupted: the process running it stopped before it finished; "
                f"run {run.id} went on from its last checkpoint",
            )
        )
        if on_start is not None:
            on_start(session, run)
    return run


def _ensure_connector_row(hub: Hub, source: str) -> None:
    from hub.model import ConnectorRow

    with hub.db.session() as session:
        if session.get(ConnectorRow, source) is None:
            session.add(ConnectorRow(id=source, plugin="core", kind="import", enabled=False))
