"""The base class of every connector kind: a config model, ``check`` and ``read``."""

from __future__ import annotations

import threading
from abc import ABC, abstractmethod
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar, Generic, TypeVar, get_args

from pydantic import BaseModel, ConfigDict

# A plugin's config models import this module, and its definitions may import them: the
# HTTP and retry machinery is imported when a connector runs, not when the hub lists kinds.
if TYPE_CHECKING:
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


ConfigT = TypeVar("ConfigT", bound=ConnectorConfig)
"""The config model of a connector kind: ``Connector[SqlConfig]``."""


def _default_retries() -> RequestRetries:
    from hub.config.settings import RuntimeSettings
    from hub.connectors.retry import RequestRetries

    return RequestRetries(RuntimeSettings())


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
    requests: RequestRetries = field(default_factory=_default_retries)


class Connector(ABC, Generic[ConfigT]):
    """One kind of connector, e.g. ``indicators/sdmx-json`` or ``health/fhir``.

    A kind names its config model once, as its type argument::

        class SqlConnector(Connector[SqlConfig]):

    which makes ``SqlConfig`` the kind's :attr:`config_model` and the type of ``self.config``.
    Its plugin declares it with a :class:`~hub.plugins.kinds.ConnectorKind` (name,
    description, ``"module:Class"``), so that the hub imports the class only to build a
    connector or validate its config.

    The runtime creates an instance per run with the validated config, calls :meth:`read`
    with the state saved by the last checkpoint, and does everything else: validation,
    quarantine, upserts, retries, state.
    """

    config_model: ClassVar[type[ConnectorConfig]] = ConnectorConfig
    """The model validating the kind's part of a ``[connectors.<id>]`` table: the type argument."""
    config: ConfigT

    kind: ClassVar[str]
    """For a class handed to the hub directly instead of through a ``ConnectorKind``: the
    kind's name, unique within its plugin (``kind = "..."`` in the config)."""
    description: ClassVar[str] = ""
    """For a class handed over directly: one line saying what the kind reads."""
    streaming: ClassVar[bool] = False
    """For a class handed over directly: whether the kind reads until it is stopped (see
    :attr:`hub.plugins.kinds.ConnectorKind.streaming`)."""

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        model = _config_model_argument(cls)
        if model is not None:
            cls.config_model = model

    def __init__(self, config: ConfigT, context: ConnectorContext) -> None:
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
        connector_id = self.context.connector_id
        raise NotImplementedError(
            f"{connector_id} cannot read a single record again: "
            f"a full sync (iochub sync --full {connector_id}) reads it"
        )

    @abstractmethod
    def read(self, state: dict[str, Any], full: bool) -> Iterator[Item]:
        """Yield records, bad records and checkpoints, starting from ``state``.

        ``state`` is the state of the last saved :class:`~hub.connectors.records.Checkpoint`
        (empty on the first run). With ``full`` the connector reads everything again. Raise
        :class:`~hub.connectors.errors.TransientSourceError` for faults worth retrying: the
        runtime then calls ``read`` again with the last saved state.
        """


def _config_model_argument(cls: type) -> type[ConnectorConfig] | None:
    """The config model a class gives as its type argument (``Connector[SqlConfig]``), if any."""
    for base in cls.__dict__.get("__orig_bases__", ()):
        for argument in get_args(base):
            if isinstance(argument, type) and issubclass(argument, ConnectorConfig):
                return argument
    return None
