"""Connectors, their sync runs and quarantined records; starting a run, enabling a connector."""

from __future__ import annotations

from datetime import datetime

import anyio.to_thread
import strawberry
from sqlalchemy import select
from sqlalchemy.orm import Session
from strawberry.scalars import JSON

from hub import model
from hub.auth.principal import Action
from hub.auth.scope import Scope
from hub.connectors.runtime import OnStart, RunInProgress, run_sync
from hub.connectors.switch import override_enabled, switched_on
from hub.core import Hub
from hub.graphql.access import (
    audit_refusal,
    audited_permission,
    audited_run,
    audited_write,
    principal_of,
    require,
)
from hub.graphql.context import Info
from hub.graphql.enums import RunStatus
from hub.graphql.errors import BadUserInput, Conflict, NotFound
from hub.graphql.pagination import (
    MAX_PAGE_SIZE,
    PageInfo,
    decode_cursor,
    encode_cursor,
    page_info,
    page_size,
)
from hub.graphql.sessions import read
from hub.model.base import utcnow
from hub.quarantine.actions import discard, retry
from hub.scheduler import triggers

CURSOR_KIND = "quarantine"


@strawberry.type(description="A connector to one legacy system, as the deployment configured it.")
class Connector:
    id: strawberry.ID
    plugin: str
    kind: str
    enabled: bool = strawberry.field(
        description="Whether the scheduler runs it: setConnectorEnabled's choice if made, "
        "else the config file's."
    )
    schedule: str | None
    configured: bool = strawberry.field(
        description="False for import sources and connectors no longer in the config file."
    )

    @classmethod
    def from_row(cls, row: model.ConnectorRow, hub: Hub) -> Connector:
        configured = row.id in hub.connectors
        return cls(
            id=strawberry.ID(row.id),
            plugin=row.plugin,
            kind=row.kind,
            enabled=configured and switched_on(row),
            schedule=row.schedule,
            configured=configured,
        )

    @strawberry.field(description="The run started last, finished or not.")
    async def last_run(self, info: Info) -> SyncRun | None:
        run = await info.context.loaders.last_run.load(self.id)
        return None if run is None else SyncRun.from_row(run)

    @strawberry.field(
        description="When the scheduler runs it next; null when it is disabled, runs only by "
        "hand or reads a stream. A cron schedule by its calendar; `every` counts from the "
        "last run's start (null before its first run)."
    )
    async def next_run(self, info: Info) -> datetime | None:
        connector = info.context.hub.connectors.get(self.id)
        if not self.enabled or connector is None or connector.trigger is None:
            return None
        if connector.streaming:
            return None
        last = await info.context.loaders.last_run.load(self.id)
        return triggers.next_run(connector.trigger, last.started_at if last else None, utcnow())

    @strawberry.field(description="The last runs, newest first.")
    async def runs(self, info: Info, last: int | None = 10) -> list[SyncRun]:
        count = 10 if last is None else last
        if not 0 <= count <= MAX_PAGE_SIZE:
            raise BadUserInput(f"last must be between 0 and {MAX_PAGE_SIZE}, not {count}")
        runs = await info.context.loaders.recent_runs.load((self.id, count))
        return [SyncRun.from_row(run) for run in runs]


@strawberry.type(description="How many records a run skipped for one reason.")
class SkippedCount:
    reason: str
    count: int


@strawberry.type(
    description="One sync run of a connector (or one import). Every record read is counted "
    "once: recordsRead = recordsWritten + recordsQuarantined + recordsSkipped + "
    "recordsDuplicate."
)
class SyncRun:
    id: strawberry.ID
    status: RunStatus
    started_at: datetime
    finished_at: datetime | None
    records_read: int
    records_written: int
    records_quarantined: int
    records_skipped: int = strawberry.field(
        description="Records left out on purpose (a filter of the connector's config, a code "
        "it does not count); by reason in skipped."
    )
    records_duplicate: int = strawberry.field(
        description="Records whose natural key a record read before them in the same run "
        "had: the later one is kept."
    )
    records_placed: int = strawberry.field(
        description="Of the records written, those given under a retired unit code and "
        "placed on the unit it went into."
    )
    skipped: list[SkippedCount] = strawberry.field(description="The skipped records by reason.")
    error: str | None
    full: bool
    trigger: str = strawberry.field(
        description="schedule, resume (a run a stopped process left unfinished, taken up by "
        "the scheduler's new leader), stream, manual, api, import or retry (of quarantined "
        "records)."
    )
    attempts: int
    warnings: list[str] = strawberry.field(
        description="What the run's summary says beside its counts: an optional resource type "
        "the source does not have, messages a broker or the kernel dropped."
    )
    records_lost: int = strawberry.field(
        description="Records the source lost before the hub could read them (the run is PARTIAL)."
    )

    connector_id: strawberry.Private[str]

    @classmethod
    def from_row(cls, row: model.SyncRun) -> SyncRun:
        return cls(
            id=strawberry.ID(str(row.id)),
            status=RunStatus(row.status),
            started_at=row.started_at,
            finished_at=row.finished_at,
            records_read=row.records_read,
            records_written=row.records_written,
            records_quarantined=row.records_quarantined,
            records_skipped=row.records_skipped or 0,
            records_duplicate=row.records_duplicate or 0,
            records_placed=row.records_placed or 0,
            skipped=[
                SkippedCount(reason=reason, count=count)
                for reason, count in sorted((row.skipped or {}).items())
            ],
            error=row.error,
            full=row.full,
            trigger=row.trigger,
            attempts=row.attempts,
            warnings=list(row.warnings or []),
            records_lost=row.records_lost or 0,
            connector_id=row.connector_id,
        )

    @strawberry.field
    async def connector(self, info: Info) -> Connector:
        row = await info.context.loaders.connector.load(self.connector_id)
        if row is None:  # the foreign key makes this impossible
            raise LookupError(f"sync run {self.id} has no connector {self.connector_id!r}")
        return Connector.from_row(row, info.context.hub)


@strawberry.type(
    description="A record a run could not take, with why and its raw data: one per source "
    "record and reason, however many runs quarantined it."
)
class QuarantinedRecord:
    id: strawberry.ID
    connector_id: strawberry.ID
    run_id: strawberry.ID = strawberry.field(description="The run that quarantined it last.")
    received_at: datetime = strawberry.field(description="When it was first quarantined.")
    last_seen_at: datetime
    times_seen: int = strawberry.field(description="How many times it was quarantined.")
    reason: str
    place: str | None = strawberry.field(description="Where in the source it was read.")
    payload: JSON

    @classmethod
    def from_row(cls, row: model.QuarantinedRecord) -> QuarantinedRecord:
        return cls(
            id=strawberry.ID(str(row.id)),
            connector_id=strawberry.ID(row.connector_id),
            run_id=strawberry.ID(str(row.sync_run_id)),
            received_at=row.received_at,
            last_seen_at=row.last_seen_at,
            times_seen=row.times_seen,
            reason=row.reason,
            place=row.place,
            payload=row.payload,
        )


@strawberry.type(description="What retryQuarantined did with the records it was given.")
class QuarantineRetry:
    stored: int = strawberry.field(description="Records stored, gone from the quarantine.")
    still_quarantined: int = strawberry.field(
        description="Records rejected again (with today's reason), or that their connector "
        "cannot read on their own (a full sync reads them again)."
    )
    problems: list[str] = strawberry.field(
        description="One line per record still quarantined, naming it and saying why: "
        "`record 12: still bad: <reason>` (with `(now record 15)` when a new reason made it "
        "a new row)."
    )


@strawberry.type
class QuarantinedRecordEdge:
    cursor: str
    node: QuarantinedRecord


@strawberry.type
class QuarantinedRecordConnection:
    edges: list[QuarantinedRecordEdge]
    page_info: PageInfo


@strawberry.type
class ConnectorQuery:
    @strawberry.field(description="The connectors of the config file, ordered by id.")
    async def connectors(self, info: Info) -> list[Connector]:
        _, scope = await require(info, Action.READ_CONNECTORS)
        hub = info.context.hub
        rows = await read(hub.db, lambda session: connector_rows(session, list(hub.connectors)))
        return [Connector.from_row(row, hub) for row in rows if scope.sees_connector(row.id)]

    @strawberry.field(description="A connector (or an import source) by id, if it exists.")
    async def connector(self, info: Info, id: strawberry.ID) -> Connector | None:
        await require(info, Action.READ_CONNECTORS)
        row = await info.context.loaders.connector.load(id)
        return None if row is None else Connector.from_row(row, info.context.hub)

    @strawberry.field(description="Quarantined records, newest first, of one connector if given.")
    async def quarantine(
        self,
        info: Info,
        connector_id: strawberry.ID | None = None,
        first: int | None = 50,
        after: str | None = None,
    ) -> QuarantinedRecordConnection:
        _, scope = await require(info, Action.READ_CONNECTORS)
        size = page_size(first, default=50)
        before_id = None if after is None else _cursor_key(after)
        rows = await read(
            info.context.hub.db,
            lambda session: quarantined(session, scope, connector_id, before_id, size + 1),
        )
        edges = [
            QuarantinedRecordEdge(
                cursor=encode_cursor(CURSOR_KIND, row.id), node=QuarantinedRecord.from_row(row)
            )
            for row in rows[:size]
        ]
        return QuarantinedRecordConnection(
            edges=edges,
            page_info=page_info([edge.cursor for edge in edges], len(rows) > size, after),
        )


@strawberry.type
class ConnectorMutation:
    @strawberry.mutation(
        description="Run one sync of a connector now and return the finished run. "
        "CONFLICT if a run of it is already going on."
    )
    async def run_connector(
        self, info: Info, id: strawberry.ID, full: bool | None = False
    ) -> SyncRun:
        target = {"id": str(id), "full": bool(full)}
        await audited_permission(info, Action.CONFIGURE, "runConnector", target)
        hub = info.context.hub

        def start(add_row: OnStart) -> model.SyncRun:
            try:
                return run_sync(hub, id, full=bool(full), trigger="api", on_start=add_row)
            except LookupError as exc:
                raise NotFound(str(exc)) from exc
            except RunInProgress as exc:
                raise Conflict(str(exc)) from exc

        run = await audited_run(info, "runConnector", target, start)
        return SyncRun.from_row(run)

    @strawberry.mutation(
        description="Enable or disable a connector, overriding the config file until changed again."
    )
    async def set_connector_enabled(
        self, info: Info, id: strawberry.ID, enabled: bool
    ) -> Connector:
        target = {"id": str(id), "enabled": enabled}
        principal, _ = await audited_permission(
            info, Action.CONFIGURE, "setConnectorEnabled", target
        )
        hub = info.context.hub
        try:
            hub.connector(id)
        except LookupError as exc:
            await audit_refusal(info, principal, "setConnectorEnabled", target, NotFound.code)
            raise NotFound(str(exc)) from exc
        row = await audited_write(
            info,
            "setConnectorEnabled",
            target,
            lambda session: override_enabled(session, id, enabled),
        )
        return Connector.from_row(row, hub)

    @strawberry.mutation(
        description="Delete quarantined records (their source was fixed, or they never will "
        "be); returns how many were deleted."
    )
    async def discard_quarantined(self, info: Info, ids: list[strawberry.ID]) -> int:
        row_ids = await _quarantine_ids(info, "discardQuarantined", ids)
        target = {"ids": row_ids}
        return await audited_write(
            info, "discardQuarantined", target, lambda session: discard(session, row_ids)
        )

    @strawberry.mutation(
        description="Re-run quarantined records through the current config (units, metrics, "
        "mappings) as a run of their connector. CONFLICT if that connector is running."
    )
    async def retry_quarantined(self, info: Info, ids: list[strawberry.ID]) -> QuarantineRetry:
        row_ids = await _quarantine_ids(info, "retryQuarantined", ids)
        target = {"ids": row_ids}
        try:
            outcome = await anyio.to_thread.run_sync(retry, info.context.hub, row_ids)
        except RunInProgress as exc:
            principal = await principal_of(info)
            await audit_refusal(info, principal, "retryQuarantined", target, Conflict.code)
            raise Conflict(str(exc)) from exc
        done = {**target, "stored": outcome.stored, "still": outcome.still_quarantined}
        await audited_write(info, "retryQuarantined", done, lambda _: None)
        return QuarantineRetry(
            stored=outcome.stored,
            still_quarantined=outcome.still_quarantined,
            problems=outcome.problems,
        )


async def _quarantine_ids(info: Info, action: str, ids: list[strawberry.ID]) -> list[int]:
    """The row ids of quarantined records, once the caller may change the quarantine."""
    target = {"ids": [str(value) for value in ids]}
    principal, _ = await audited_permission(info, Action.CONFIGURE, action, target)
    bad = [str(value) for value in ids if not _is_row_id(str(value))]
    if bad:
        await audit_refusal(info, principal, action, target, BadUserInput.code)
        raise BadUserInput(f"not ids of quarantined records: {', '.join(bad)}")
    return [int(value) for value in ids]


def _is_row_id(value: str) -> bool:
    return value.isascii() and value.isdigit() and len(value) <= 18


def connector_rows(session: Session, ids: list[str]) -> list[model.ConnectorRow]:
    query = select(model.ConnectorRow).where(model.ConnectorRow.id.in_(ids))
    return list(session.scalars(query.order_by(model.ConnectorRow.id)))


def quarantined(
    session: Session, scope: Scope, connector_id: str | None, before_id: int | None, limit: int
) -> list[model.QuarantinedRecord]:
    """Up to ``limit`` quarantined records of the scope's connectors, newest first, older than
    ``before_id`` if given."""
    record = model.QuarantinedRecord
    query = select(record).where(Scope.among(scope.connectors, record.connector_id))
    if connector_id is not None:
        query = query.where(record.connector_id == connector_id)
    if before_id is not None:
        query = query.where(record.id < before_id)
    return list(session.scalars(query.order_by(record.id.desc()).limit(limit)))


def _cursor_key(cursor: str) -> int:
    (row_id,) = decode_cursor(CURSOR_KIND, cursor, 1)
    if not isinstance(row_id, int):
        raise BadUserInput(f"malformed cursor {cursor!r}: pass an endCursor of quarantine")
    return row_id
