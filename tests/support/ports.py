"""Ports on 127.0.0.1 for the tests' servers, kept from every other process until used.

A port the kernel picked (a bind to port 0) and then let go is free only for that moment: on
a machine shared by pytest-xdist workers and other test runs, another process may bind it
before the server told to use it does, and a test meant to find nothing listening there may
find someone else's server. So a test keeps its port reserved for as long as it needs it: a
socket bound to it with ``SO_REUSEADDR`` and never listening. Connections to the port are
refused, and no other process can bind it, but a server that binds with ``SO_REUSEADDR``
itself (uvicorn, the hub's syslog listener, Mosquitto), in this process or a child, can
listen on it beside the reservation.
"""

from __future__ import annotations

import socket
from collections.abc import Iterator
from contextlib import contextmanager

HOST = "127.0.0.1"


def reserve_port(port: int = 0) -> socket.socket:
    """A TCP socket holding ``port`` (a free one when 0); close it to let the port go."""
    holder = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    holder.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        holder.bind((HOST, port))
    except OSError:
        holder.close()
        raise
    return holder


@contextmanager
def reserved_port() -> Iterator[int]:
    """A TCP port on 127.0.0.1 that is this test's until the block ends: nothing listens on
    it but a server the test starts there."""
    with reserve_port() as holder:
        yield holder.getsockname()[1]
