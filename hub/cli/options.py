"""Options shared by the commands of the CLI."""

from __future__ import annotations

import click

config_option = click.option(
    "--config",
    "config_path",
    type=click.Path(dir_okay=False),
    envvar="IOCHUB_CONFIG",
    help="The TOML configuration file (default: $IOCHUB_CONFIG, else built-in defaults).",
)
