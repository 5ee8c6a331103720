"""The hub: settings, database, plugins, definitions and connectors of one deployment.

Every entry point (CLI, API server, scheduler, tests) builds one :class:`Hub` and hands it
around; nothing else holds global state.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from hub.config import ConfigError, Settings, read_config
from hub.connectors.configured import ConfiguredConnector, configure_connectors
from hub.connectors.locks import one_at_a_time
from hub.model import ConnectorRow
from hub.model.database import Database
from hub.plugins.manager import Plugins
from hub.plugins.registry import Definitions
from hub.zone import TIMEZONE


@dataclass
class Hub:
    settings: Settings
    plugins: Plugins
    definitions: Definitions
    connectors: dict[str, ConfiguredConnector]
    db: Database

    @classmethod
    def create(
        cls,
        settings: Settings,
        plugins: Plugins | None = None,
        *,
        problems: list[str] | None = None,
        source: str = "the configuration",
        validate_connector_configs: bool = True,
    ) -> Hub:
        """Validate the settings against the installed plugins; raise ConfigError if unusable.

        ``problems`` found already (reading the file) come first in the same error, so that
        every problem of a configuration is told at once. Without
        ``validate_connector_configs`` (a command that only lists connectors) each connector's
        plugin, kind and schedule are checked, not its kind's settings: no kind is imported.
        """
        plugins = plugins or Plugins.load()
        definitions = Definitions.gather(plugins, settings)
        connectors, found = configure_connectors(
            settings.connectors,
            plugins.connector_kinds(),
            TIMEZONE,
            validate_configs=validate_connector_configs,
        )
        problems = [*(problems or []), *definitions.problems, *found]
        if problems:
            raise ConfigError(problems, source)
        return cls(settings, plugins, definitions, connectors, Database(settings.database.url))

    @classmethod
    def load(
        cls,
        path: str | None,
        plugins: Plugins | None = None,
        *,
        validate_connector_configs: bool = True,
    ) -> Hub:
        """The hub of the config file at ``path`` (or ``$IOCHUB_CONFIG``, or the defaults);
        a ConfigError with every problem of the file and of what it asks of the plugins."""
        read = read_config(path)
        return cls.create(
            read.settings,
            plugins,
            problems=read.problems,
            source=read.source,
            validate_connector_configs=validate_connector_configs,
        )

    def prepare(self) -> None:
        """Migrate the database and mirror the definitions and connectors into it.

        Replicas starting together on one PostgreSQL database do this one after another.
        """
        self.db.ensure_reachable()
        with one_at_a_time(self.db, "iochub.prepare"):
            self._prepare()

    def _prepare(self) -> None:
        from hub.reports.store import install_shipped_forms

        self.db.upgrade(self.plugins.migration_locations())
        with self.db.session() as session:
            self.definitions.store(session)
        install_shipped_forms(self.db, self.definitions.metrics)
        with self.db.session() as session:
            rows = {row.id: row for row in session.scalars(select(ConnectorRow))}
            for connector in self.connectors.values():
                row = rows.get(connector.id) or ConnectorRow(id=connector.id)
                row.plugin, row.kind = connector.plugin, connector.kind
                row.enabled, row.schedule = connector.enabled, connector.schedule
                session.add(row)

    def connector(self, connector_id: str) -> ConfiguredConnector:
        """The configured connector, or a LookupError naming the ones that exist."""
        try:
            return self.connectors[connector_id]
        except KeyError:
            known = ", ".join(sorted(self.connectors)) or "none is configured"
            raise LookupError(f"no connector {connector_id!r} (known: {known})") from None

    def close(self) -> None:
        self.db.dispose()
