"""A connector as a deployment configured it: its kind, its settings and its trigger."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from hub.config.settings import ConnectorSettings
from hub.plugins.kinds import ConnectorKind
from hub.scheduler.triggers import make_trigger

if TYPE_CHECKING:
    from apscheduler.triggers.base import BaseTrigger

    from hub.connectors.base import Connector, ConnectorContext


@dataclass(frozen=True)
class ConfiguredConnector:
    id: str
    plugin: str
    kind: str
    enabled: bool
    schedule: str | None
    """The schedule as written: a cron expression, ``every 15m``, or None (by hand only)."""
    trigger: BaseTrigger | None
    declared: ConnectorKind
    """The kind as its plugin declares it (nothing of it imported yet)."""
    options: dict[str, Any]
    """The kind's own settings of the table, validated by the kind's config model."""

    @property
    def streaming(self) -> bool:
        return self.declared.streaming

    def create(self, context: ConnectorContext) -> Connector:
        """A connector of the kind (its class imported now, if not yet), for one run."""
        connector_class = self.declared.load()
        return connector_class(connector_class.config_model.model_validate(self.options), context)


def configure_connectors(
    tables: dict[str, ConnectorSettings],
    kinds: dict[tuple[str, str], ConnectorKind],
    timezone: str,
    *,
    validate_configs: bool = True,
) -> tuple[dict[str, ConfiguredConnector], list[str]]:
    """Check every ``[connectors.<id>]`` table; return the connectors and every problem.

    Each table's plugin, kind and schedule are checked against the declared kinds; with
    ``validate_configs`` (for whatever runs connectors) its settings are validated too, by
    the kind's config model, which imports the kind.
    """
    configured: dict[str, ConfiguredConnector] = {}
    problems: list[str] = []
    for connector_id, table in tables.items():
        where = f"connectors.{connector_id}"
        declared = kinds.get((table.plugin, table.kind))
        trigger, schedule_problems = _trigger(where, table, timezone)
        found = _kind_problems(where, table, kinds, validate_configs) + schedule_problems
        problems.extend(found)
        if found or declared is None:
            continue
        configured[connector_id] = ConfiguredConnector(
            id=connector_id,
            plugin=table.plugin,
            kind=table.kind,
            enabled=table.enabled,
            schedule=table.schedule or (f"every {table.every}" if table.every else None),
            trigger=trigger,
            declared=declared,
            options=table.options,
        )
    return configured, problems


def _kind_problems(
    where: str,
    table: ConnectorSettings,
    kinds: dict[tuple[str, str], ConnectorKind],
    validate_configs: bool,
) -> list[str]:
    """The table's kind unknown, or (validating) every setting its config model refuses."""
    declared = kinds.get((table.plugin, table.kind))
    if declared is None:
        return [f"{where}: {_unknown_kind(table, kinds)}"]
    return _config_problems(where, declared, table.options) if validate_configs else []


def _config_problems(where: str, declared: ConnectorKind, options: dict[str, Any]) -> list[str]:
    """Every problem of the kind's settings, as its config model finds them."""
    try:
        connector_class = declared.load()
    except Exception as exc:  # a broken plugin is a problem of the config, not a crash
        why = f"{type(exc).__name__}: {exc}"
        return [f"{where}: the kind {declared.name!r} cannot be loaded: {why}"]
    try:
        connector_class.config_model.model_validate(options)
    except ValidationError as exc:
        return _field_problems(where, exc)
    return []


def _trigger(
    where: str, table: ConnectorSettings, timezone: str
) -> tuple[BaseTrigger | None, list[str]]:
    """The connector's trigger, or the problem of its schedule (checked whatever its kind)."""
    try:
        return make_trigger(table.schedule, table.every, timezone), []
    except ValueError as exc:
        return None, [f"{where}.schedule: {exc}"]


def _unknown_kind(table: ConnectorSettings, kinds: dict[tuple[str, str], ConnectorKind]) -> str:
    plugins = sorted({plugin for plugin, _ in kinds})
    if table.plugin not in plugins:
        return (
            f"no plugin {table.plugin!r} is installed (installed: {', '.join(plugins) or 'none'})"
        )
    offered = sorted(kind for plugin, kind in kinds if plugin == table.plugin)
    return (
        f"plugin {table.plugin!r} has no connector kind {table.kind!r} "
        f"(it has: {', '.join(offered)})"
    )


def _field_problems(where: str, exc: ValidationError) -> list[str]:
    problems = []
    for error in exc.errors():
        field = "".join(f".{part}" for part in error["loc"])
        message = "unknown setting" if error["type"] == "extra_forbidden" else error["msg"]
        problems.append(f"{where}{field}: {message.removeprefix('Value error, ')}")
    return problems
