"""What the CLI prints: tables, progress, run summaries."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import TYPE_CHECKING, Any

import click
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from sqlalchemy import select

from hub.connectors.runtime import Counters
from hub.model import RunStatus, SyncRun

if TYPE_CHECKING:
    from hub.core import Hub
    from hub.plugins.manager import Plugins

console = Console(highlight=False)
EXIT_CODES = {RunStatus.SUCCEEDED: 0, RunStatus.PARTIAL: 3, RunStatus.FAILED: 1}


@contextmanager
def progress_bar() -> Iterator[Callable[[str, int, int], None]]:
    """A progress bar per stage; the callback takes (stage, done, total)."""
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        disable=not console.is_terminal,
    ) as progress:
        tasks: dict[str, Any] = {}

        def report(stage: str, done: int, total: int) -> None:
            if stage not in tasks:
                tasks[stage] = progress.add_task(stage, total=total)
            progress.update(tasks[stage], completed=done, total=total)

        yield report


@contextmanager
def run_progress(name: str) -> Iterator[Callable[[Counters], None]]:
    """A live line of a run's counters, on a terminal."""
    with console.status(f"{name}: starting", spinner="dots") as status:

        def report(counters: Counters) -> None:
            status.update(
                f"{name}: {counters.read:,} read, {counters.written:,} written, "
                f"{counters.quarantined:,} quarantined"
            )

        yield report


def print_run(run: SyncRun) -> None:
    click.echo(
        f"{run.connector_id}: {run.status} — {run.records_read} read, {run.records_written} "
        f"written, {run.records_quarantined} quarantined (run {run.id})"
    )
    if run.error:
        click.echo(f"  cause: {run.error}", err=True)
    if run.records_quarantined:
        click.echo(f"  quarantined records: iochub quarantine list --connector {run.connector_id}")


def run_exit_code(run: SyncRun) -> int:
    return EXIT_CODES[RunStatus(run.status)]


def show_table(table: Table) -> None:
    """Print a table: as wide as the terminal, or unwrapped into a pipe or file."""
    (console if console.is_terminal else Console(width=240, highlight=False)).print(table)


def moment(when: datetime | None) -> str:
    """A time as the CLI shows it: local time, to the minute."""
    return "" if when is None else when.astimezone().strftime("%Y-%m-%d %H:%M %Z")


def print_units_summary(summary: Any) -> None:
    click.echo(str(summary))


def print_plugins(plugins: Plugins) -> None:
    table = Table("plugin", "version", "contributes", title="Plugins")
    kinds = plugins.connector_kinds()
    metrics, indicators = plugins.metrics(), plugins.indicators()
    event_kinds = plugins.event_kinds()
    for name, info in plugins.info.items():
        own_kinds = sorted(kind for plugin, kind in kinds if plugin == name)
        parts = []
        if own_kinds:
            parts.append("connectors: " + ", ".join(own_kinds))
        for label, items in (
            ("metrics", metrics),
            ("indicators", indicators),
            ("event kinds", event_kinds),
        ):
            count = sum(1 for plugin, _ in items if plugin == name)
            if count:
                parts.append(f"{count} {label}")
        table.add_row(name, info.version or "-", "; ".join(parts) or "-")
    console.print(table)
    for failure in plugins.failures:
        click.echo(f"plugin {failure.name!r} failed: {failure.reason}", err=True)


def print_connectors(hub: Hub) -> None:
    from hub.connectors.switch import is_enabled

    table = Table("id", "plugin/kind", "enabled", "schedule", "last run", title="Connectors")
    with hub.db.session() as session:
        for connector in hub.connectors.values():
            last = session.scalars(
                select(SyncRun)
                .where(SyncRun.connector_id == connector.id)
                .order_by(SyncRun.id.desc())
                .limit(1)
            ).first()
            table.add_row(
                connector.id,
                f"{connector.plugin}/{connector.kind}",
                "yes" if is_enabled(hub, connector.id) else "no",
                connector.schedule or "by hand",
                _describe_run(last),
            )
    if not hub.connectors:
        click.echo("no connector is configured (add [connectors.<id>] tables to the config)")
        return
    console.print(table)


def _describe_run(run: SyncRun | None) -> str:
    if run is None:
        return "never"
    when = run.started_at.strftime("%Y-%m-%d %H:%M")
    text = f"{when} {run.status} ({run.records_written} written, {run.records_quarantined} q.)"
    return text + (f": {run.error}" if run.error else "")
