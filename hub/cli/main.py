"""The ``iochub`` command (API.md, "Command line").

Each command imports what it needs when it runs: ``iochub --help`` and a quick command start
without loading the database layer, the spreadsheet libraries or the API.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

import click

from hub import __version__
from hub.cli.errors import HubGroup, UserError
from hub.cli.options import config_option
from hub.cli.quarantine import quarantine
from hub.cli.scaffold import plugin

if TYPE_CHECKING:
    from hub.core import Hub


json_option = click.option("--json", "as_json", is_flag=True, help="JSON, for scripts.")


def open_hub(config_path: str | None) -> Hub:
    """The hub of this config, migrated and with its definitions stored."""
    from hub.core import Hub

    hub = Hub.load(config_path)
    hub.prepare()
    return hub


def read_hub(config_path: str | None) -> Hub:
    """The hub of this config, to read from: its database as it stands, not migrated.

    Its connectors' settings are not validated by their kinds (``iochub config check`` does
    that), so that listing them imports none of the plugins' connector modules.
    """
    from hub.core import Hub

    hub = Hub.load(config_path, validate_connector_configs=False)
    hub.db.ensure_reachable()
    return hub


@click.group(cls=HubGroup)
@click.version_option(__version__, prog_name="iochub")
@click.option("-v", "--verbose", count=True, help="Log more: -v what the hub does, -vv everything.")
@click.option(
    "--log-format",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    envvar="IOCHUB_LOG_FORMAT",
    help="Lines for people, or one JSON object per line for a log collector.",
)
def main(verbose: int, log_format: str) -> None:
    """IOC Hub: the data hub of a provincial Intelligent Operations Center."""
    from hub.observability.logs import configure_logging

    configure_logging(verbose, log_format)


@main.group()
def db() -> None:
    """The database."""


@db.command("upgrade")
@config_option
def db_upgrade(config_path: str | None) -> None:
    """Apply migrations (the core's and every plugin's)."""
    hub = open_hub(config_path)
    click.echo(f"database {hub.db.engine.url.render_as_string()} is up to date")


@main.group()
def units() -> None:
    """Administrative units."""


@units.command("load")
@click.argument("files", nargs=-1, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--bundled", is_flag=True, help="Load the unit files that ship with the hub.")
@config_option
def units_load(files: tuple[Path, ...], bundled: bool, config_path: str | None) -> None:
    """Load administrative units and successions from the CSVs of data/admin-units/."""
    from hub.units.loader import bundled_unit_files, load_units

    paths = list(files) + (bundled_unit_files() if bundled else [])
    if not paths:
        raise UserError("give the CSV files to load, or --bundled")
    from hub.cli import output

    hub = open_hub(config_path)
    with output.progress_bar() as report:
        summary = load_units(hub.db, paths, progress=report)
    output.print_units_summary(summary)


@main.command()
def plugins() -> None:
    """The plugins found, their version, and what each contributes."""
    from hub.cli import output
    from hub.plugins.manager import Plugins

    output.print_plugins(Plugins.load())


@main.command()
@json_option
@config_option
def connectors(as_json: bool, config_path: str | None) -> None:
    """The configured connectors: enabled, schedule, next run, last run and its whole error."""
    from hub.cli.connectors import print_connectors

    print_connectors(read_hub(config_path), as_json)


@main.group()
def connector() -> None:
    """Turn one connector on or off (over the config file, audited)."""


@connector.command("enable")
@click.argument("connector_id")
@config_option
def connector_enable(connector_id: str, config_path: str | None) -> None:
    """Let the scheduler run CONNECTOR_ID again."""
    from hub.cli.connectors import set_enabled

    set_enabled(open_hub(config_path), connector_id, enabled=True)


@connector.command("disable")
@click.argument("connector_id")
@config_option
def connector_disable(connector_id: str, config_path: str | None) -> None:
    """Stop the scheduler running CONNECTOR_ID (whatever the config file says)."""
    from hub.cli.connectors import set_enabled

    set_enabled(open_hub(config_path), connector_id, enabled=False)


@main.command()
@click.argument("connector_id")
@click.option("--last", type=click.IntRange(1, 10_000), default=20, show_default=True)
@json_option
@config_option
def runs(connector_id: str, last: int, as_json: bool, config_path: str | None) -> None:
    """The last runs of CONNECTOR_ID (or of an import source), newest first."""
    from hub.cli.connectors import print_runs

    print_runs(read_hub(config_path), connector_id, last, as_json)


@main.group()
def config() -> None:
    """The configuration file."""


@config.command("check")
@config_option
def config_check(config_path: str | None) -> None:
    """Check the config file, every problem at once, without opening the database."""
    from hub.core import Hub

    hub = Hub.load(config_path)
    where = config_path or os.environ.get("IOCHUB_CONFIG") or "the built-in defaults"
    click.echo(
        f"{where}: ok — {len(hub.connectors)} connector(s), "
        f"{len(hub.definitions.metrics)} metric(s), database {hub.db.engine.url!r}"
    )


@main.command()
@click.argument("connector_id")
@click.option("--full", is_flag=True, help="Read everything again, not only what changed.")
@config_option
def sync(connector_id: str, full: bool, config_path: str | None) -> None:
    """Run one sync of CONNECTOR_ID now (exit 0 only if it succeeded)."""
    from hub.cli import output
    from hub.cli.access import audited_start
    from hub.connectors.runtime import run_sync

    hub = open_hub(config_path)
    audited = audited_start("sync", {"id": connector_id, "full": full})
    with output.run_progress(connector_id) as report:
        run = run_sync(
            hub, connector_id, full=full, trigger="manual", progress=report, on_start=audited
        )
    output.print_run(run)
    raise SystemExit(output.run_exit_code(run))


@main.command()
@click.argument("connector_id")
@config_option
def check(connector_id: str, config_path: str | None) -> None:
    """Test the connection and credentials of CONNECTOR_ID."""
    from hub.connectors.base import ConnectorContext

    hub = open_hub(config_path)
    configured = hub.connector(connector_id)
    connector = configured.create(
        ConnectorContext(connector_id, http_timeout=hub.settings.runtime.http_timeout)
    )
    click.echo(f"{connector_id}: ok — {connector.check()}")


@main.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--source", default="import", show_default=True, help="The source's name.")
@config_option
def import_(file: Path, source: str, config_path: str | None) -> None:
    """Bulk-load observations from a long-format CSV (metric, unit, period, value, dims…)."""
    from hub.cli import output
    from hub.cli.access import audited_start
    from hub.connectors.runtime import load_records
    from hub.ingest.csv_import import read_long_csv

    hub = open_hub(config_path)
    audited = audited_start("import", {"file": file.name, "source": source})
    with output.run_progress(source) as report:
        rows = read_long_csv(file)
        run = load_records(hub, source, rows, progress=report, on_start=audited)
    output.print_run(run)
    raise SystemExit(output.run_exit_code(run))


@main.group()
def rollups() -> None:
    """The roll-ups that answer `aggregate` queries."""


@rollups.command("rebuild")
@click.argument("metrics", nargs=-1)
@config_option
def rollups_rebuild(metrics: tuple[str, ...], config_path: str | None) -> None:
    """Build the roll-ups of METRICS (every metric when none is given) again from the data.

    Needed only after observations or units were changed by other means than the hub
    (an SQL script, units corrected in place); the hub keeps them up to date otherwise.
    """
    from sqlalchemy import select

    from hub.aggregation import rebuild
    from hub.model import Metric

    hub = open_hub(config_path)
    with hub.db.session() as session:
        if metrics:
            known = set(session.scalars(select(Metric.code)))
            unknown = sorted(set(metrics) - known)
            if unknown:
                raise UserError(
                    f"unknown metric(s) {', '.join(unknown)} (see `iochub plugins` and the "
                    "config's [metrics.*] for the codes)"
                )
        rebuilt = rebuild(session, metrics or None)
    click.echo(f"roll-ups rebuilt for {len(rebuilt)} metric(s)")


@main.group()
def token() -> None:
    """API tokens for people and services (stored hashed; the secret is shown once)."""


@token.command("create")
@click.option(
    "--role", required=True, help="admin, leader, sector_officer, unit_officer or service."
)
@click.option(
    "--unit",
    "units",
    multiple=True,
    help="The code of the unit it covers (unit_officer; a service may give some).",
)
@click.option(
    "--sector",
    "sectors",
    multiple=True,
    help="A sector it covers (sector_officer, or a service); repeat for more.",
)
@click.option("--name", default=None, help="Who holds it (default: the role and scope).")
@click.option("--purpose", default=None, help="What a service token is for.")
@click.option(
    "--days",
    type=click.IntRange(1, 3650),
    default=None,
    help="How long it lives (default: [auth] token_days, 90).",
)
@click.option(
    "--hours",
    type=click.IntRange(1, 24 * 3650),
    default=None,
    help="How long it lives, in hours (instead of --days).",
)
@config_option
def token_create(
    role: str,
    units: tuple[str, ...],
    sectors: tuple[str, ...],
    name: str | None,
    purpose: str | None,
    days: int | None,
    hours: int | None,
    config_path: str | None,
) -> None:
    """Issue an API token for a user or a service, and print it once."""
    from hub.cli.access import create_token

    create_token(open_hub(config_path), role, units, sectors, name, purpose, days, hours)


@token.command("list")
@config_option
def token_list(config_path: str | None) -> None:
    """The tokens issued: holder, role, scope, expiry, whether revoked (never the secret)."""
    from hub.cli.access import print_tokens

    print_tokens(open_hub(config_path))


@token.command("revoke")
@click.argument("token_id")
@config_option
def token_revoke(token_id: str, config_path: str | None) -> None:
    """Revoke the token with this id (or secret prefix)."""
    from hub.cli.access import revoke

    revoke(open_hub(config_path), token_id)


@main.command()
@click.option("--actor", default=None, help="Only what this principal did.")
@click.option("--action", default=None, help="Only this mutation, e.g. approveReport.")
@click.option("--last", type=click.IntRange(1, 10_000), default=50, show_default=True)
@config_option
def audit(actor: str | None, action: str | None, last: int, config_path: str | None) -> None:
    """The audit log: who changed what, when, from where (newest first)."""
    from hub.cli.access import print_audit

    print_audit(open_hub(config_path), actor, action, last)


@main.command()
@config_option
@click.option("--host", default=None, help="Interface to listen on (default from config).")
@click.option("--port", type=int, default=None, help="Port (default from config).")
def serve(config_path: str | None, host: str | None, port: int | None) -> None:
    """Serve the GraphQL API and run the scheduler."""
    from hub.cli.serving import serve_hub

    serve_hub(open_hub(config_path), host, port, scheduler=True)


@main.command()
@click.option(
    "--database",
    "database_path",
    default="iochub-demo.db",
    show_default=True,
    type=click.Path(dir_okay=False),
    help="The SQLite file (made anew).",
)
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", type=int, default=8000, show_default=True)
@click.option("--no-serve", is_flag=True, help="Load everything, print the summary, and stop.")
def demo(database_path: str, host: str, port: int, no_serve: bool) -> None:
    """The whole product on one machine: fresh database, units, every demo connector, API."""
    from hub.cli.demo import run_demo

    run_demo(Path(os.path.abspath(database_path)), host, port, serve=not no_serve)


main.add_command(quarantine)
main.add_command(plugin)
