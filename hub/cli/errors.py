"""User mistakes become one clear line on stderr and a non-zero exit, never a traceback."""

from __future__ import annotations

from typing import Any

import click

from hub.config import ConfigError
from hub.connectors.errors import SourceError
from hub.connectors.runtime import RunInProgress
from hub.model.database import DatabaseUnavailable
from hub.periods import PeriodError
from hub.units.loader import UnitsFileError

USER_ERRORS: tuple[type[BaseException], ...] = (
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
        except ConfigError as exc:
            raise UserError(str(exc)) from None
        except KeyError as exc:  # LookupError subclasses carry their message in args[0]
            raise UserError(str(exc.args[0]) if exc.args else str(exc)) from None
        except USER_ERRORS as exc:
            raise UserError(str(exc)) from None
