"""The hub's API served by uvicorn on a free local port, as ``iochub serve`` runs it."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

import uvicorn
from litestar import Litestar

from hub.cli.serving import server_config
from hub.core import Hub
from hub.graphql.app import create_app
from tests.support.ports import reserved_port


@contextmanager
def served_api(hub: Hub, app: Litestar | None = None) -> Iterator[str]:
    """Serve ``hub``'s API (or ``app``, made for it) until the block ends; yields the
    WebSocket URL of /graphql."""
    with reserved_port() as port:
        config = server_config(app or create_app(hub), hub, "127.0.0.1", port)
        running = uvicorn.Server(config)
        thread = threading.Thread(target=running.run, daemon=True)
        thread.start()
        while not running.started:
            if not thread.is_alive():
                raise RuntimeError("the API server did not start")
            threading.Event().wait(0.05)
        try:
            yield f"ws://127.0.0.1:{port}/graphql"
        finally:
            running.should_exit = True
            thread.join(10)
