"""The hooks a plugin can implement. Every hook is documented here and in docs/plugins.md.

Every hook is a ``register_*`` hook: each plugin returns a list, and the hub gathers the lists
of all plugins (none is ``firstresult``). A plugin implements only the hooks it needs::

    from hub.plugins import hookimpl

    @hookimpl
    def register_metrics():
        return [MetricDefinition(code="dengue_cases", name="Dengue cases", sector="health")]
"""

from __future__ import annotations

from typing import Any

import pluggy

hookspec = pluggy.HookspecMarker("iochub")


@hookspec
def register_connector_kinds() -> list[Any]:
    """Connector kinds the plugin offers: :class:`hub.plugins.ConnectorKind` declarations
    (name, description, ``"module:Class"`` of a :class:`hub.connectors.base.Connector`), so
    that the hub imports a kind's class only when it builds a connector of the kind or
    validates its config. A Connector class with a ``kind`` attribute is taken too.

    A deployment enables one with ``[connectors.<id>]``, ``plugin = "<plugin>"`` and
    ``kind = "<name>"``; the rest of the table is validated by the kind's ``config_model``.
    """


@hookspec
def register_metrics() -> list[Any]:
    """Metrics the plugin's connectors write: :class:`hub.plugins.MetricDefinition` objects.

    A connector may only write observations of a metric that a plugin or the config defines;
    any other is quarantined as an unknown metric.
    """


@hookspec
def register_indicators() -> list[Any]:
    """Indicators derived from metrics: :class:`hub.plugins.IndicatorDefinition` objects."""


@hookspec
def register_event_kinds() -> list[Any]:
    """Kinds of event the plugin's connectors write: :class:`hub.plugins.EventKindDefinition`."""


@hookspec
def register_migrations() -> list[str]:
    """Folders of alembic revisions for the plugin's own tables.

    Each folder is added to alembic's ``version_locations``. A plugin's revisions form their
    own branch (``branch_labels = ("<plugin>",)``) whose first revision depends on the core's
    head it needs.
    """


@hookspec
def register_demo_connectors() -> list[dict[str, Any]]:
    """Connectors that ``iochub demo`` enables, against sample sources the plugin bundles.

    Each item is a connector table as in the config file, plus its ``id``:
    ``{"id": "indicators-demo", "plugin": "indicators", "kind": "excel", "path": "..."}``.
    """


@hookspec
def register_alert_rules() -> list[Any]:
    """The sector's default alert rules: :class:`hub.plugins.AlertRule` objects.

    A deployment adds its own with ``[alerts.<code>]`` tables and can turn a default off
    with ``[alerts.<code>] enabled = false``.
    """
