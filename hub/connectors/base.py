"""The base class of every connector kind: a config model, ``check`` and ``read``."""

from __future__ import annotations

import threading
from abc import ABC, abstractmethod
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict

from hub.config.settings import RuntimeSettings
from hub.connectors.records import Item
from hub.connectors.retry import RequestRetries


class ConnectorConfig(BaseModel):
    """The kind-specific part of a ``[connectors.<id>]`` table.

    Subclass it with the fields your kind needs; type secrets as ``pydantic.SecretStr`` so that
    they are never printed. Unknown fields are errors, so that a typo is caught at start.
    """

    # Built when first used, not when its plugin is imported: a command validates the
    # kinds its config names, not every kind of every installed plugin.
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)


@dataclass(frozen=True)
class ConnectorContext:
    """What the runtime tells a connector about where it runs.

    ``stop`` is set when the hub shuts down: a streaming connector's ``read`` checks it
    (or waits on it) and returns soon after. ``requests`` retries a request that failed
    transiently, from the run's budget of time (see :class:`~hub.connectors.retry.RequestRetries`).
    """

    connector_id: str
    http_timeout: float = 30.0
    stop: threading.Event = field(default_factory=threading.Event)
    requests: RequestRetries = field(default_factory=lambda: RequestRetries(RuntimeSettings()))


class Connector(ABC):
    """One kind of connector, e.g. ``indicators/sdmx-json`` or ``health/fhir``.

    The runtime creates an instance per run with the validated config, calls :meth:`read`
    with the state saved by the last checkpoint, and does everything else: validation,
    quarantine, upserts, retries, state.
    """

    kind: ClassVar[str]
    """The kind's name, unique within its plugin (``kind = "..."`` in the config)."""

    description: ClassVar[str] = ""
    config_model: ClassVar[type[ConnectorConfig]] = ConnectorConfig

    streaming: ClassVar[bool] = False
    """A streaming kind (a broker subscription, a syslog listener) reads until it is stopped.

    Its ``read`` yields records as they arrive and a Checkpoint at least every few seconds
    while records flow (that is when they are committed), and returns when
    ``context.stop`` is set — or, when its config sets an idle timeout, after that long with
    nothing new (so that ``iochub sync`` and tests can run it to an end). ``iochub serve``
    keeps each enabled streaming connector running, restarting it after a failure.
    """

    def __init__(self, config: ConnectorConfig, context: ConnectorContext) -> None:
        self.config = config
        self.context = context

    def check(self) -> str:
        """Reach the source and prove the config and credentials work.

        Return a one-line description of what was found; raise a
        :class:`~hub.connectors.errors.SourceError` when the source cannot be used.
        """
        for _ in self.read(state={}, full=True):
            break
        return "the source answered"

    def reread(self, payload: Any, place: str | None) -> Iterator[Item]:
        """Read again one bad record this kind yielded (its ``payload`` and ``place``), under
        the current config: ``iochub quarantine retry`` stores what comes out.

        Raise NotImplementedError (the default) when the kind cannot read a single record
        on its own: its records are read again by a ``--full`` sync.
        """
        raise NotImplementedError(
            f"the {self.kind} kind cannot read a single record again: "
            f"a full sync (iochub sync --full {self.context.connector_id}) reads it"
        )

    @abstractmethod
    def read(self, state: dict[str, Any], full: bool) -> Iterator[Item]:
        """Yield records, bad records and checkpoints, starting from ``state``.

        ``state`` is the state of the last saved :class:`~hub.connectors.records.Checkpoint`
        (empty on the first run). With ``full`` the connector reads everything again. Raise
        :class:`~hub.connectors.errors.TransientSourceError` for faults worth retrying: the
        runtime then calls ``read`` again with the last saved state.
        """
