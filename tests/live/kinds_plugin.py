"""An event kind for the live tests."""

from hub.plugins import EventKindDefinition, hookimpl


@hookimpl
def register_event_kinds() -> list[EventKindDefinition]:
    return [EventKindDefinition("test.alert", "Test alert", "security")]
