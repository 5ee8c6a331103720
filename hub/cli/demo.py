"""``iochub demo``: the whole product on one machine, from nothing, in one command."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import click

from hub.cli import output
from hub.config import settings_from_dict
from hub.connectors.runtime import run_sync
from hub.core import Hub
from hub.plugins.manager import Plugins


def demo_config(database: Path, plugins: Plugins) -> dict[str, Any]:
    """A config with every plugin's demo connectors enabled, on a SQLite file."""
    connectors: dict[str, Any] = {}
    for plugin, table in plugins.demo_connectors():
        table = dict(table)
        connector_id = table.pop("id")
        table.setdefault("plugin", plugin)
        connectors[connector_id] = table
    return {
        "database": {"url": f"sqlite:///{database}"},
        "connectors": connectors,
        # GraphiQL works without a token; the tokens printed show what scopes do.
        "auth": {"required": False},
        # The demo is Kon Tum's, inside Quảng Ngãi since the 2025 reform: a level means its units.
        "aggregation": {"default_within": "51"},
    }


def run_demo(database: Path, host: str, port: int, serve: bool) -> None:
    from hub.cli.serving import require_free_port
    from hub.reports.demo import load_demo_reports
    from hub.units.loader import bundled_unit_files, load_units

    if serve:
        require_free_port(host, port)
    for suffix in ("", "-wal", "-shm"):
        Path(f"{database}{suffix}").unlink(missing_ok=True)
    plugins = Plugins.load()
    for failure in plugins.failures:
        click.echo(f"plugin {failure.name!r} failed to load: {failure.reason}", err=True)
    hub = Hub.create(settings_from_dict(demo_config(database, plugins), os.environ), plugins)
    click.echo(f"database: {database} (SQLite, created and migrated)")
    hub.prepare()
    with output.progress_bar() as report:
        summary = load_units(hub.db, bundled_unit_files(), progress=report)
    output.print_units_summary(summary)
    for connector_id in hub.connectors:
        output.print_run(run_sync(hub, connector_id, trigger="demo"))
    with output.progress_bar() as report:
        reports = load_demo_reports(hub, progress=report)
    click.echo(reports.describe())
    tokens = _demo_tokens(hub)
    if not serve:
        click.echo("\nLoaded; not served (--no-serve). Queries to try once served:")
        _print_queries(reports.queries())
        return
    click.echo(f"\nOpen http://{host}:{port}/graphql (GraphiQL) and try:")
    _print_queries(reports.queries())
    _print_tokens(host, port, tokens)
    from hub.cli.serving import serve_hub

    serve_hub(hub, host, port, scheduler=False)


DEMO_OFFICER_UNIT = "23293"
"""Phường Kon Tum, formed in 2025 from Phường Thắng Lợi, Quang Trung and Quyết Thắng."""


def _demo_tokens(hub: Hub) -> list[tuple[str, str]]:
    """A leader's and a commune officer's token, for trying access control: (who, secret)."""
    from hub.auth.principal import Role
    from hub.auth.tokens import TokenError, issue_token

    made = []
    with hub.db.session() as session:
        for name, role, units in (
            ("lanh.dao", Role.LEADER, ()),
            (f"can.bo.{DEMO_OFFICER_UNIT}", Role.UNIT_OFFICER, (DEMO_OFFICER_UNIT,)),
        ):
            try:
                issued = issue_token(session, name, role, units, days=7)
            except TokenError:  # the bundled units lack the commune: skip its token
                continue
            made.append((f"{name} ({role.value}{', ' + units[0] if units else ''})", issued.secret))
    return made


def _print_tokens(host: str, port: int, tokens: list[tuple[str, str]]) -> None:
    if not tokens:
        return
    click.echo("Access control is off in the demo: a request without a token may do anything.")
    click.echo("With a token, it sees only its scope (docs/auth.md). Demo tokens (7 days):")
    for who, secret in tokens:
        click.echo(f"  {who}: {secret}")
    query = '{"query": "{ adminUnits(level: COMMUNE) { code name } }"}'
    click.echo(
        f"  e.g. curl -H 'Authorization: Bearer {tokens[-1][1]}' "
        f"-H 'Content-Type: application/json' -d '{query}' http://{host}:{port}/graphql\n"
    )


def _print_queries(report_queries: list[str]) -> None:
    more = "".join(f"  {query}\n" for query in report_queries)
    click.echo(
        f"""
  {{ adminUnits(level: DISTRICT, within: "62", asOf: "2025-01-01") {{ code name }} }}
  {{ connectors {{ id kind lastRun {{ status recordsWritten recordsQuarantined }} }} }}
{more}"""
    )
