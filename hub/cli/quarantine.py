"""``iochub quarantine list|show|discard|retry``: the records runs could not take.

Each quarantined record is one row per source record and reason (see
:mod:`hub.quarantine.store`); ``retry`` re-runs records through the current config, as a run
of their connector, and ``discard`` deletes them. Both are written to the audit log.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import TYPE_CHECKING

import click
from rich.table import Table

from hub.cli.errors import UserError
from hub.cli.options import config_option
from hub.cli.output import EXIT_CODES, moment, show_table

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

connector_option = click.option(
    "--connector", "connector_id", default=None, help="Only this connector's records."
)


@click.group()
def quarantine() -> None:
    """Records runs could not take: list, show, discard, retry."""


@quarantine.command("list")
@connector_option
@click.option("--last", type=click.IntRange(1, 10_000), default=50, show_default=True)
@config_option
def list_(connector_id: str | None, last: int, config_path: str | None) -> None:
    """The quarantined records seen most recently, newest first."""
    from hub.cli.main import open_hub
    from hub.quarantine.actions import quarantined_rows

    hub = open_hub(config_path)
    table = Table("id", "connector", "seen", "last seen", "place", "reason")
    with hub.db.sessions() as session:
        rows = quarantined_rows(session, connector_id, last)
        for row in rows:
            table.add_row(
                str(row.id),
                row.connector_id,
                f"{row.times_seen}×",
                moment(row.last_seen_at),
                row.place or "",
                row.reason,
            )
    if not rows:
        click.echo("nothing is quarantined")
        return
    show_table(table)


@quarantine.command()
@click.argument("record_id", type=int)
@config_option
def show(record_id: int, config_path: str | None) -> None:
    """One quarantined record: why, where, how often, and its raw data."""
    from hub.cli.main import open_hub
    from hub.model import QuarantinedRecord

    hub = open_hub(config_path)
    with hub.db.sessions() as session:
        row = session.get(QuarantinedRecord, record_id)
        if row is None:
            raise UserError(f"no quarantined record {record_id}")
        click.echo(f"record {row.id} of {row.connector_id}")
        click.echo(f"reason:     {row.reason}")
        click.echo(f"place:      {row.place or '(not given)'}")
        click.echo(f"seen:       {row.times_seen} times, last by run {row.sync_run_id}")
        click.echo(f"first seen: {moment(row.received_at)}")
        click.echo(f"last seen:  {moment(row.last_seen_at)}")
        click.echo("payload:")
        click.echo(json.dumps(row.payload, indent=2, ensure_ascii=False, default=str))


@quarantine.command()
@click.argument("record_ids", nargs=-1, type=int)
@connector_option
@config_option
def discard(record_ids: tuple[int, ...], connector_id: str | None, config_path: str | None) -> None:
    """Delete RECORD_IDS (or every record of --connector) from the quarantine."""
    from hub.auth import audit
    from hub.cli.access import operator
    from hub.cli.main import open_hub
    from hub.quarantine.actions import discard as discard_rows

    hub = open_hub(config_path)
    with hub.db.session() as session:
        ids = _chosen(session, record_ids, connector_id)
        discarded = discard_rows(session, ids)
        audit.record(session, operator(), "discardQuarantined", {"ids": ids}, client=None)
    click.echo(f"{discarded} quarantined records discarded")


@quarantine.command()
@click.argument("record_ids", nargs=-1, type=int)
@connector_option
@config_option
def retry(record_ids: tuple[int, ...], connector_id: str | None, config_path: str | None) -> None:
    """Re-run RECORD_IDS (or every record of --connector) through the current config.

    Every record is tried; each one still quarantined is listed with why. Exits 0 when every
    record was stored, 3 when some are still quarantined.
    """
    from hub.auth import audit
    from hub.cli.access import operator
    from hub.cli.main import open_hub
    from hub.quarantine.actions import retry as retry_rows

    hub = open_hub(config_path)
    with hub.db.session() as session:
        ids = _chosen(session, record_ids, connector_id)
    outcome = retry_rows(hub, ids)
    done = {"ids": ids, "stored": outcome.stored, "still": outcome.still_quarantined}
    with hub.db.session() as session:
        audit.record(session, operator(), "retryQuarantined", done, client=None)
    click.echo(f"{outcome.stored} stored, {outcome.still_quarantined} still quarantined")
    for problem in outcome.problems:
        click.echo(f"  {problem}")
    raise SystemExit(EXIT_CODES["PARTIAL" if outcome.still_quarantined else "SUCCEEDED"])


def _chosen(session: Session, record_ids: Sequence[int], connector_id: str | None) -> list[int]:
    """The ids given, all known; or every record of the connector."""
    from hub.quarantine.actions import missing_ids, quarantined_rows

    if record_ids and connector_id:
        raise UserError("give record ids or --connector, not both")
    if connector_id:
        return [row.id for row in quarantined_rows(session, connector_id)]
    if not record_ids:
        raise UserError("give the ids of quarantined records (see iochub quarantine list)")
    missing = missing_ids(session, record_ids)
    if missing:
        raise UserError(f"no quarantined records {', '.join(map(str, missing))}")
    return list(record_ids)
