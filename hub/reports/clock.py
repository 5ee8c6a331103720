"""The reporting system's clock: one place to read the time, and for tests to set it."""

from __future__ import annotations

from datetime import datetime

from hub.model.base import utcnow


def now() -> datetime:
    """The current moment (aware, UTC)."""
    return utcnow()
