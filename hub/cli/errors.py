"""User mistakes become one clear line on stderr and a non-zero exit, never a traceback."""

from __future__ import annotations

from typing import Any

import click


def user_errors() -> tuple[type[BaseException], ...]:
    """The exceptions that are the user's to fix (imported when a command has run)."""
    from hub.config import ConfigError
    from hub.connectors.errors import SourceError
    from hub.connectors.runtime import RunInProgress
    from hub.model.database import DatabaseUnavailable
    from hub.periods import PeriodError
    from hub.units.loader import UnitsFileError

    return (
        ConfigError,
        DatabaseUnavailable,
        LookupError,
        PeriodError,
        RunInProgress,
        SourceError,
        FileNotFoundError,
        UnitsFileError,
    )


class UserError(click.ClickException):
    """A mistake the user can fix; printed as ``error: <message>``."""

    exit_code = 2

    def show(self, file: Any = None) -> None:
        click.echo(f"error: {self.format_message()}", err=True)


class HubGroup(click.Group):
    """A click group that turns the hub's user errors into :class:`UserError`."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (click.ClickException, click.exceptions.Exit, click.Abort):
            raise
        except Exception as exc:
            if not isinstance(exc, user_errors()):
                raise
            if isinstance(exc, KeyError):  # LookupError subclasses carry their message in args
                raise UserError(str(exc.args[0]) if exc.args else str(exc)) from None
            raise UserError(str(exc)) from None
