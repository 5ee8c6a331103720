"""Serving the API (and, for ``serve``, the scheduler) with uvicorn."""

from __future__ import annotations

import contextlib
import socket
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import click
import uvicorn

from hub.cli.errors import UserError
from hub.cli.read_timeouts import timed_protocol
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

    def stop() -> None:
        if runner:
            runner.shutdown()  # the streams commit what they received; the lead is given up
        hub.close()

    if runner:
        runner.start()
    click.echo(f"GraphQL API on http://{host}:{port}/graphql")
    with contextlib.suppress(KeyboardInterrupt):  # Ctrl-C, raised again once uvicorn stopped
        ApiServer(server_config(create_app(hub), hub, host, port), stop).run()


class ApiServer(uvicorn.Server):
    """uvicorn's server, which calls ``on_stop`` once it has stopped serving.

    Stopped by a signal (systemd's SIGTERM), uvicorn shuts down, then raises the signal again
    to end the process as the signal would have: code after ``run()`` never runs. So the
    hub's own shutdown happens in between.
    """

    def __init__(self, config: uvicorn.Config, on_stop: Callable[[], None]) -> None:
        super().__init__(config)
        self.on_stop = on_stop

    @contextmanager
    def capture_signals(self) -> Iterator[None]:
        with super().capture_signals():  # re-raises a signal received, on leaving
            try:
                yield
            finally:
                self.on_stop()


def server_config(app: Any, hub: Hub, host: str, port: int) -> uvicorn.Config:
    """uvicorn's settings for the hub's API.

    uvicorn's own reading of ``X-Forwarded-For`` is off (it would believe any local caller):
    the API applies ``[server] trusted_proxies`` itself (:mod:`hub.auth.clients`). A request's
    head and body are read within ``[server] header_timeout`` and ``body_timeout``. uvicorn
    logs through the hub's handler, in its one format.
    """
    server = hub.settings.server
    return uvicorn.Config(
        app,
        host=host,
        port=port,
        proxy_headers=False,
        http=timed_protocol(server.header_timeout, server.body_timeout),
        log_config=None,  # the hub's own access log replaces uvicorn's
        access_log=False,
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
