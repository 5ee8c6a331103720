"""Serving the API (and, for ``serve``, the scheduler) with uvicorn."""

from __future__ import annotations

import socket
from typing import Any

import click
import uvicorn

from hub.cli.errors import UserError
from hub.core import Hub


def serve_hub(hub: Hub, host: str | None, port: int | None, scheduler: bool) -> None:
    from hub.graphql.app import create_app
    from hub.observability.logs import log_what_the_hub_does
    from hub.scheduler.scheduler import HubScheduler

    host = host or hub.settings.server.host
    port = port or hub.settings.server.port
    require_free_port(host, port)
    log_what_the_hub_does()
    runner = HubScheduler(hub) if scheduler and hub.settings.scheduler.enabled else None
    if runner:
        runner.start()
    click.echo(f"GraphQL API on http://{host}:{port}/graphql")
    try:
        uvicorn.Server(server_config(create_app(hub), hub, host, port)).run()
    except KeyboardInterrupt:  # uvicorn raises again the Ctrl-C it shut down on: done
        pass
    finally:
        if runner:
            runner.shutdown()
        hub.close()


def server_config(app: Any, hub: Hub, host: str, port: int) -> uvicorn.Config:
    """uvicorn's settings for the hub's API.

    uvicorn's own reading of ``X-Forwarded-For`` is off (it would believe any local caller):
    the API applies ``[server] trusted_proxies`` itself (:mod:`hub.auth.clients`). uvicorn
    logs through the hub's handler (``log_config=None``): one format throughout; its access
    log is replaced by the hub's (:mod:`hub.observability.http`).
    """
    return uvicorn.Config(
        app, host=host, port=port, log_config=None, access_log=False, proxy_headers=False
    )


def require_free_port(host: str, port: int) -> None:
    """A :class:`UserError` now, before any work, if ``host:port`` cannot be listened on."""
    where = f"cannot listen on {host}:{port}"
    try:
        family, kind, proto, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
    except socket.gaierror as exc:
        raise UserError(f"{where}: {exc.strerror} (check --host or [server] host)") from None
    with socket.socket(family, kind, proto) as probe:
        # As uvicorn binds: a port whose last connections are closing counts as free.
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(address)
        except OSError as exc:
            raise UserError(
                f"{where}: {exc.strerror} (is another iochub serving there? "
                "choose another with --port)"
            ) from None
