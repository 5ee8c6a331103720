"""The scripted HTTP server the tests use: the one shipped to plugin authors in hub.testing."""

from hub.testing.http_server import Reply, Request, ScriptedServer

__all__ = ["Reply", "Request", "ScriptedServer"]
