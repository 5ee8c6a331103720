"""A connector kind as its plugin declares it: what the hub knows of a kind without importing it.

The hub lists a kind (``iochub plugins``), checks a config's ``plugin`` and ``kind`` and
schedules its connectors from the declaration alone; the class that implements the kind, and
its config model, are imported when a connector of the kind is built or its config validated::

    ConnectorKind(
        "readings",
        "Daily air quality from a monitoring network's REST API",
        "iochub_air_quality.connector:AirQualityConnector",
    )
"""

from __future__ import annotations

import importlib
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from hub.connectors.base import Connector

IMPLEMENTATION = re.compile(r"[\w.]+:\w+")
"""How a declaration names its class: ``package.module:Class``."""


@dataclass(frozen=True)
class ConnectorKind:
    """One connector kind of a plugin: its name, what it reads, and where its class is."""

    name: str
    """Unique within its plugin: ``kind = "<name>"`` in a ``[connectors.<id>]`` table."""
    description: str
    """One line saying what the kind reads."""
    implementation: str | type[Connector]
    """Where the class is, ``"package.module:Class"`` (imported when first needed), or the
    class itself."""
    streaming: bool = False
    """Whether the kind reads until it is stopped (a broker subscription, a syslog listener).

    Its ``read`` yields records as they arrive and a Checkpoint at least every few seconds
    while records flow (that is when they are committed), and returns when ``context.stop``
    is set — or, when its config sets an idle timeout, after that long with nothing new (so
    that ``iochub sync`` and tests can run it to an end). ``iochub serve`` keeps each enabled
    streaming connector running, restarting it after a failure.
    """

    def __post_init__(self) -> None:
        if isinstance(self.implementation, str) and not IMPLEMENTATION.fullmatch(
            self.implementation
        ):
            raise ValueError(
                f"connector kind {self.name!r}: {self.implementation!r} is not "
                "'package.module:Class'"
            )

    @classmethod
    def of(cls, offered: ConnectorKind | type[Connector]) -> ConnectorKind:
        """The declaration a plugin offers, or the one a class handed over directly makes of
        its ``kind``, ``description`` and ``streaming`` attributes."""
        if isinstance(offered, ConnectorKind):
            return offered
        name = getattr(offered, "kind", None)
        if not isinstance(offered, type) or not isinstance(name, str):
            raise TypeError(
                f"{offered!r} is neither a ConnectorKind nor a Connector class with a kind name"
            )
        description = getattr(offered, "description", "")
        return cls(name, description, offered, getattr(offered, "streaming", False))

    def load(self) -> type[Connector]:
        """The class of the kind, its module imported now if it was not yet.

        Raises ImportError, AttributeError or TypeError when the declaration names no
        connector class.
        """
        from hub.connectors.base import Connector

        found: object = self.implementation
        if isinstance(found, str):
            module, _, name = found.partition(":")
            found = getattr(importlib.import_module(module), name)
        if not (isinstance(found, type) and issubclass(found, Connector)):
            raise TypeError(f"{self.implementation!r} is not a Connector class")
        return found
