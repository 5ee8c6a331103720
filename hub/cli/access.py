"""``iochub token …`` and ``iochub audit``: API tokens and the audit log, from the shell."""

from __future__ import annotations

import getpass
from datetime import datetime, timedelta
from typing import Any

import click
from rich.table import Table
from sqlalchemy.orm import Session

from hub.auth import audit
from hub.auth.principal import InvalidPrincipal, Principal, Role, parse_role
from hub.auth.tokens import issue_token, list_tokens, require_known_sectors, revoke_token
from hub.cli.errors import UserError
from hub.cli.output import moment, show_table
from hub.connectors.runtime import OnStart
from hub.core import Hub
from hub.model import SyncRun


def operator() -> Principal:
    """Who runs the command, as the audit log records it."""
    try:
        name = getpass.getuser()
    except (KeyError, OSError):  # no user name in this environment
        name = "unknown"
    return Principal(f"{name} (shell)", Role.ADMIN, via="cli")


def audited_start(action: str, target: dict[str, Any]) -> OnStart:
    """A run's ``on_start`` writing the command's audit row, with the run's id, in the
    transaction that records the run as started."""

    def add_row(session: Session, run: SyncRun) -> None:
        audit.record(session, operator(), action, {**target, "run": run.id}, client=None)

    return add_row


def create_token(
    hub: Hub,
    role: str,
    units: tuple[str, ...],
    sectors: tuple[str, ...],
    name: str | None,
    purpose: str | None,
    days: int | None,
    hours: int | None = None,
) -> None:
    """Issue a token and print its secret (once) with what it allows; it lives ``hours``
    or ``days`` (not both), else ``[auth] token_days``."""
    if days and hours:
        raise UserError("give --days or --hours, not both")
    lifetime = (
        timedelta(hours=hours) if hours else timedelta(days=days or hub.settings.auth.token_days)
    )
    try:
        require_known_sectors(hub, sectors)
        parsed = parse_role(role)
        holder = name or default_name(parsed, units, sectors)
        with hub.db.session() as session:
            issued = issue_token(
                session,
                holder,
                parsed,
                units,
                sectors,
                purpose,
                lifetime,
            )
            row = issued.row
            audit.record(
                session,
                operator(),
                "createToken",
                {
                    "id": row.id,
                    "name": row.name,
                    "role": row.role,
                    "units": ",".join(row.units),
                    "sectors": ",".join(row.sectors),
                },
                client=None,
            )
    except InvalidPrincipal as exc:
        raise UserError(str(exc)) from None
    scope = ", ".join([*row.units, *row.sectors]) or "everything"
    click.echo(
        f"token {row.id} for {row.name} ({row.role}; {scope}), expires {moment(row.expires_at)}:"
    )
    click.echo(issued.secret)
    click.echo(
        "Keep it secret: it is shown this once. Send it as 'Authorization: Bearer <token>'.",
        err=True,
    )


def default_name(role: Role, units: tuple[str, ...], sectors: tuple[str, ...]) -> str:
    """A holder's name when none is given, e.g. ``unit_officer@23293``."""
    where = ",".join([*units, *sectors])
    return f"{role.value}@{where}" if where else role.value


def print_tokens(hub: Hub) -> None:
    """Every token: id, prefix, holder, role, scope, expiry, state (never the secret)."""
    table = Table("id", "prefix", "name", "role", "scope", "expires", "state", "last used")
    with hub.db.sessions() as session:
        rows = list_tokens(session)
        now = datetime.now().astimezone()
        for row in rows:
            if row.revoked_at is not None:
                state = f"revoked {moment(row.revoked_at)}"
            elif row.expires_at <= now:
                state = "expired"
            else:
                state = "active"
            table.add_row(
                str(row.id),
                row.prefix + "…",
                row.name,
                row.role,
                ", ".join([*row.units, *row.sectors]) or "everything",
                moment(row.expires_at),
                state,
                moment(row.last_used_at) if row.last_used_at else "never",
            )
    if not rows:
        click.echo("no tokens: create one with iochub token create --role ROLE")
        return
    show_table(table)


def revoke(hub: Hub, key: str) -> None:
    """Revoke a token by id or prefix (the API refuses it from the next request on)."""
    with hub.db.session() as session:
        row = revoke_token(session, key)
        audit.record(
            session, operator(), "revokeToken", {"id": row.id, "name": row.name}, client=None
        )
        click.echo(f"token {row.id} of {row.name} revoked {moment(row.revoked_at)}")


def print_audit(hub: Hub, actor: str | None, action: str | None, last: int) -> None:
    """The latest entries of the audit log, newest first."""
    table = Table("at", "actor", "role", "via", "action", "target", "client", "outcome")
    with hub.db.sessions() as session:
        rows = audit.entries(session, actor=actor, action=action, limit=last)
        for row in rows:
            target = ", ".join(f"{key}={value}" for key, value in row.target.items())
            table.add_row(
                moment(row.at),
                row.actor,
                row.role,
                row.via,
                row.action,
                target,
                row.client or "",
                row.outcome,
            )
    if not rows:
        click.echo("the audit log is empty")
        return
    show_table(table)
