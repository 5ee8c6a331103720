"""Serving the API (and, for ``serve``, the scheduler) with uvicorn."""

from __future__ import annotations

import click
import uvicorn

from hub.core import Hub


def serve_hub(hub: Hub, host: str | None, port: int | None, scheduler: bool) -> None:
    from hub.graphql.app import create_app
    from hub.scheduler.scheduler import HubScheduler

    host = host or hub.settings.server.host
    port = port or hub.settings.server.port
    runner = HubScheduler(hub) if scheduler and hub.settings.scheduler.enabled else None
    if runner:
        runner.start()
    click.echo(f"GraphQL API on http://{host}:{port}/graphql")
    try:
        uvicorn.run(create_app(hub), host=host, port=port, log_level="warning")
    finally:
        if runner:
            runner.shutdown()
        hub.close()
