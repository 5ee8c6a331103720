"""``iochub connectors``, ``iochub connector enable|disable`` and ``iochub runs``: the
connectors, their schedules and their runs, from the shell (``--json`` for scripts)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import TYPE_CHECKING, Any

import click
from rich.table import Table
from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError, ProgrammingError

from hub.cli.errors import UserError
from hub.cli.output import moment, show_table
from hub.connectors.switch import override_enabled, switched_on
from hub.model import ConnectorRow, SyncRun
from hub.model.base import utcnow
from hub.scheduler.triggers import next_run

if TYPE_CHECKING:
    from hub.connectors.configured import ConfiguredConnector
    from hub.core import Hub

RUN_FIELDS = ("read", "written", "quarantined", "skipped", "duplicates", "lost")
"""A run's counts; the last three where the runs of this hub's version count them (``lost``:
records its source lost, which a stream counts while it runs)."""
RUN_COLUMNS = {"duplicates": "records_duplicate"}
"""The run's column of a count whose name is not ``records_<name>``."""


def print_connectors(hub: Hub, as_json: bool) -> None:
    """Each configured connector: switch, schedule, next run, last run and its whole error."""
    listed = connectors_now(hub)
    if as_json:
        click.echo(json.dumps(listed, indent=2, default=_moment_json))
        return
    if not listed:
        click.echo("no connector is configured (add [connectors.<id>] tables to the config)")
        return
    table = Table("id", "plugin/kind", "enabled", "schedule", "next run", "last run")
    for item in listed:
        table.add_row(
            item["id"],
            f"{item['plugin']}/{item['kind']}",
            "yes" if item["enabled"] else "no",
            item["schedule"] or "by hand",
            _next(item),
            _last(item["last_run"]),
        )
    show_table(table)
    _print_errors((item["id"], item["last_run"]) for item in listed)


def connectors_now(hub: Hub) -> list[dict[str, Any]]:
    """What ``iochub connectors`` shows, as data."""
    now = utcnow()
    with schema_read(), hub.db.session() as session:
        rows = {row.id: row for row in session.scalars(select(ConnectorRow))}
        last = {run.connector_id: run for run in session.scalars(_last_runs(list(hub.connectors)))}
    listed = []
    for connector in hub.connectors.values():
        row, run = rows.get(connector.id), last.get(connector.id)
        enabled = switched_on(row) if row is not None else connector.enabled
        listed.append(
            {
                "id": connector.id,
                "plugin": connector.plugin,
                "kind": connector.kind,
                "enabled": enabled,
                "schedule": connector.schedule,
                "streaming": connector.streaming,
                "next_run": _next_run(connector, run, now) if enabled else None,
                "last_run": run_as_data(run) if run is not None else None,
            }
        )
    return listed


def set_enabled(hub: Hub, connector_id: str, enabled: bool) -> None:
    """Turn a connector on or off over the config file, audited as ``setConnectorEnabled``."""
    from hub.auth import audit
    from hub.cli.access import operator

    hub.connector(connector_id)  # a LookupError naming the connectors for an unknown one
    with hub.db.session() as session:
        override_enabled(session, connector_id, enabled)
        target = {"id": connector_id, "enabled": enabled}
        audit.record(session, operator(), "setConnectorEnabled", target, client=None)
    state = "enabled" if enabled else "disabled"
    click.echo(f"{connector_id}: {state} (over the config file, until changed again)")


def print_runs(hub: Hub, connector_id: str, last: int, as_json: bool) -> None:
    """The connector's last runs, newest first, with their whole errors."""
    with schema_read(), hub.db.session() as session:
        if session.get(ConnectorRow, connector_id) is None:
            hub.connector(connector_id)  # a LookupError naming the connectors
        query = select(SyncRun).where(SyncRun.connector_id == connector_id)
        runs = [*session.scalars(query.order_by(SyncRun.id.desc()).limit(last))]
    listed = [run_as_data(run) for run in runs]
    if as_json:
        click.echo(json.dumps(listed, indent=2, default=_moment_json))
        return
    if not listed:
        click.echo(f"{connector_id} has not run yet")
        return
    counted = [name for name in RUN_FIELDS if any(name in run for run in listed)]
    table = Table("run", "trigger", "started", "took", "status", *counted, "attempts")
    for run in listed:
        table.add_row(
            str(run["id"]),
            run["trigger"],
            moment(run["started_at"]),
            _took(run),
            run["status"],
            *(f"{run.get(name, 0):,}" for name in counted),
            str(run["attempts"]),
        )
    show_table(table)
    _print_errors((f"run {run['id']}", run) for run in listed)


@contextmanager
def schema_read() -> Iterator[None]:
    """Reading a database not migrated to this version is one line saying what to do."""
    try:
        yield
    except (OperationalError, ProgrammingError) as exc:
        reason = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)
        raise UserError(
            f"the database is not migrated to this version of the hub ({reason}): "
            "run iochub db upgrade"
        ) from None


def run_as_data(run: SyncRun) -> dict[str, Any]:
    """A run as ``--json`` gives it (``skipped`` where runs count what they skip)."""
    data: dict[str, Any] = {
        "id": run.id,
        "status": str(run.status),
        "trigger": run.trigger,
        "full": run.full,
        "started_at": run.started_at,
        "finished_at": run.finished_at,
        "read": run.records_read,
        "written": run.records_written,
        "quarantined": run.records_quarantined,
    }
    for name in RUN_FIELDS[3:]:
        count = getattr(run, RUN_COLUMNS.get(name, f"records_{name}"), None)
        if count is not None:
            data[name] = count
    data["attempts"], data["error"] = run.attempts, run.error
    data["warnings"] = list(run.warnings or [])
    return data


def _last_runs(connector_ids: list[str]) -> Any:
    latest = (
        select(func.max(SyncRun.id))
        .where(SyncRun.connector_id.in_(connector_ids))
        .group_by(SyncRun.connector_id)
    )
    return select(SyncRun).where(SyncRun.id.in_(latest))


def _next_run(connector: ConfiguredConnector, run: SyncRun | None, now: datetime) -> Any:
    if connector.trigger is None:
        return None
    return next_run(connector.trigger, run.started_at if run else None, now)


def _next(item: dict[str, Any]) -> str:
    if not item["enabled"]:
        return "-"
    if item["streaming"]:
        return "listening"
    if item["next_run"] is None:
        return "when started" if item["schedule"] else "by hand"
    return moment(item["next_run"])


def _last(run: dict[str, Any] | None) -> str:
    if run is None:
        return "never"
    counts = ", ".join(f"{run[name]:,} {name}" for name in RUN_FIELDS[1:] if run.get(name))
    return f"{moment(run['started_at'])} {run['status']}" + (f" ({counts})" if counts else "")


def _took(run: dict[str, Any]) -> str:
    if run["finished_at"] is None:
        return "running"
    seconds = (run["finished_at"] - run["started_at"]).total_seconds()
    return f"{seconds:.1f}s" if seconds < 120 else f"{seconds / 60:.1f}min"


def _print_errors(items: Any) -> None:
    """Errors and warnings in full, under the table (a table's column would cut them)."""
    for label, run in items:
        if run is not None and run.get("error"):
            click.echo(f"{label}: {run['error']}")
        for warning in run.get("warnings", []) if run is not None else []:
            click.echo(f"{label}: warning: {warning}")


def _moment_json(value: Any) -> str:
    if isinstance(value, datetime):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not JSON")
