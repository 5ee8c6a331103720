"""The core's own contributions, made through the same hooks as any plugin."""

from __future__ import annotations

from pathlib import Path

import iochub_migrations

from hub.plugins import hookimpl


@hookimpl
def register_migrations() -> list[str]:
    return [str(Path(iochub_migrations.__file__).parent / "versions")]
