"""The plugin author's test kit, shipped with the hub: a pytest plugin (:mod:`.plugin`) with
hubs on SQLite and a scripted HTTP server, and the acceptance suites every connector passes
(:mod:`.acceptance`). See docs/plugins.md, "Testing a plugin"."""

from hub.testing.acceptance import ConnectorAcceptance, StreamAcceptance, StreamSource
from hub.testing.http_server import Reply, Request, ScriptedServer
from hub.testing.hubs import HubFactory

__all__ = [
    "ConnectorAcceptance",
    "HubFactory",
    "Reply",
    "Request",
    "ScriptedServer",
    "StreamAcceptance",
    "StreamSource",
]
