"""A connector as a deployment configured it: its kind, validated config and trigger."""

from __future__ import annotations

from dataclasses import dataclass

from apscheduler.triggers.base import BaseTrigger
from pydantic import ValidationError

from hub.config.settings import ConnectorSettings
from hub.connectors.base import Connector, ConnectorConfig, ConnectorContext
from hub.scheduler.triggers import make_trigger


@dataclass(frozen=True)
class ConfiguredConnector:
    id: str
    plugin: str
    kind: str
    enabled: bool
    schedule: str | None
    """The schedule as written: a cron expression, ``every 15m``, or None (by hand only)."""
    trigger: BaseTrigger | None
    connector_class: type[Connector]
    config: ConnectorConfig

    def create(self, context: ConnectorContext) -> Connector:
        return self.connector_class(self.config, context)


def configure_connectors(
    tables: dict[str, ConnectorSettings],
    kinds: dict[tuple[str, str], type[Connector]],
    timezone: str,
) -> tuple[dict[str, ConfiguredConnector], list[str]]:
    """Validate every ``[connectors.<id>]`` table; return the connectors and every problem."""
    configured: dict[str, ConfiguredConnector] = {}
    problems: list[str] = []
    for connector_id, table in tables.items():
        where = f"connectors.{connector_id}"
        connector_class = kinds.get((table.plugin, table.kind))
        if connector_class is None:
            problems.append(f"{where}: {_unknown_kind(table, kinds)}")
            problems.extend(_trigger(where, table, timezone)[1])
            continue
        config, trigger, found = _validate(where, connector_class, table, timezone)
        problems.extend(found)
        if found or config is None:
            continue
        configured[connector_id] = ConfiguredConnector(
            id=connector_id,
            plugin=table.plugin,
            kind=table.kind,
            enabled=table.enabled,
            schedule=table.schedule or (f"every {table.every}" if table.every else None),
            trigger=trigger,
            connector_class=connector_class,
            config=config,
        )
    return configured, problems


def _validate(
    where: str, connector_class: type[Connector], table: ConnectorSettings, timezone: str
) -> tuple[ConnectorConfig | None, BaseTrigger | None, list[str]]:
    """The kind's config and the trigger, with every problem of either."""
    config, problems = None, []
    try:
        config = connector_class.config_model.model_validate(table.options)
    except ValidationError as exc:
        problems.extend(_field_problems(where, exc))
    trigger, found = _trigger(where, table, timezone)
    return config, trigger, problems + found


def _trigger(
    where: str, table: ConnectorSettings, timezone: str
) -> tuple[BaseTrigger | None, list[str]]:
    """The connector's trigger, or the problem of its schedule (checked whatever its kind)."""
    try:
        return make_trigger(table.schedule, table.every, timezone), []
    except ValueError as exc:
        return None, [f"{where}.schedule: {exc}"]


def _unknown_kind(table: ConnectorSettings, kinds: dict[tuple[str, str], type[Connector]]) -> str:
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
