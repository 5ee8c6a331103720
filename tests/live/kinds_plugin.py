"""An event kind and an alert rule for the live tests."""

from hub.plugins import AlertRule, EventKindDefinition, hookimpl


@hookimpl
def register_event_kinds() -> list[EventKindDefinition]:
    return [EventKindDefinition("test.alert", "Test alert", "security")]


@hookimpl
def register_alert_rules() -> list[AlertRule]:
    return [
        AlertRule(
            "critical", "Critical test alert", severity=4, event_kind="test.alert", min_severity=4
        )
    ]
