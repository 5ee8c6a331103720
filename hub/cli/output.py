"""What the CLI prints: tables, progress, run summaries."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import TYPE_CHECKING, Any

import click
from rich.console import Console
from rich.table import Table

from hub.zone import LOCAL_TIME

if TYPE_CHECKING:
    from hub.connectors.runtime import Counters
    from hub.model import SyncRun
    from hub.plugins.manager import Plugins

console = Console(highlight=False)
EXIT_CODES = {"SUCCEEDED": 0, "PARTIAL": 3, "FAILED": 1}


@contextmanager
def progress_bar() -> Iterator[Callable[[str, int, int], None]]:
    """A progress bar per stage; the callback takes (stage, done, total).

    Into a pipe or a log (no terminal), a line as each stage starts and as it ends.
    """
    if not console.is_terminal:
        yield _progress_lines()
        return
    # Imported here: only the commands that show progress on a terminal need it.
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
    ) as progress:
        tasks: dict[str, Any] = {}

        def report(stage: str, done: int, total: int) -> None:
            if stage not in tasks:
                tasks[stage] = progress.add_task(stage, total=total)
            progress.update(tasks[stage], completed=done, total=total)

        yield report


def _progress_lines() -> Callable[[str, int, int], None]:
    started: set[str] = set()
    ended: set[str] = set()

    def report(stage: str, done: int, total: int) -> None:
        if stage not in started:
            started.add(stage)
            click.echo(f"{stage}: {done:,} of {total:,}…")
        if done >= total and stage not in ended:
            ended.add(stage)
            click.echo(f"{stage}: {total:,} of {total:,}, done")

    return report


@contextmanager
def run_progress(name: str) -> Iterator[Callable[[Counters], None]]:
    """A live line of a run's counters, on a terminal."""
    with console.status(f"{name}: starting", spinner="dots") as status:

        def report(counters: Counters) -> None:
            status.update(
                f"{name}: {counters.read:,} read, {counters.written:,} written, "
                f"{counters.quarantined:,} quarantined, {counters.records_skipped:,} skipped, "
                f"{counters.duplicates:,} duplicate"
            )

        yield report


def print_run(run: SyncRun) -> None:
    click.echo(f"{run.connector_id}: {run.status} — {_counts(run)} (run {run.id})")
    if run.error:
        click.echo(f"  cause: {run.error}", err=True)
    for warning in run.warnings or []:
        click.echo(f"  warning: {warning}")
    for reason, count in sorted((run.skipped or {}).items()):
        click.echo(f"  skipped: {count} {reason}")
    if run.records_duplicate:
        click.echo(
            f"  duplicates: {run.records_duplicate} records repeated the key of an earlier "
            "record of the run; the later one was kept"
        )
    if run.records_placed:
        click.echo(
            f"  placed through successions: {run.records_placed} records of retired unit "
            "codes, combined on the units they went into"
        )
    if run.records_quarantined:
        click.echo(f"  quarantined records: iochub quarantine list --connector {run.connector_id}")


def _counts(run: SyncRun) -> str:
    """What became of the records read: each counted once."""
    return (
        f"{run.records_read} read, {run.records_written} written, {run.records_quarantined} "
        f"quarantined, {run.records_skipped or 0} skipped, {run.records_duplicate or 0} duplicate"
    )


def run_exit_code(run: SyncRun) -> int:
    return EXIT_CODES[str(run.status)]


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


def show_table(table: Table) -> None:
    """Print a table: as wide as the terminal, or unwrapped into a pipe or file."""
    (console if console.is_terminal else Console(width=240, highlight=False)).print(table)


def moment(when: datetime | None) -> str:
    """A time as people here read it: Vietnam's, with its offset."""
    return "" if when is None else when.astimezone(LOCAL_TIME).strftime("%Y-%m-%d %H:%M %z")


def _describe_run(run: SyncRun | None) -> str:
    if run is None:
        return "never"
    when = run.started_at.strftime("%Y-%m-%d %H:%M")
    text = f"{when} {run.status} ({_counts(run)})"
    return text + (f": {run.error}" if run.error else "")
