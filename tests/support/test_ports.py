"""The tests' own ports stay theirs: nobody else binds them until the test is done with them.

Other processes on the machine (the other pytest-xdist worker, another test run) bind ports
all the time; these tests are that other process."""

from __future__ import annotations

import socket

import pytest

from tests.support.ports import HOST, reserved_port
from tests.support.tcp_proxy import TcpProxy


def bind_elsewhere(port: int) -> None:
    """Bind ``port`` as another process's server would, and listen on it. (A process that
    asks the kernel for a free port, binding port 0, is never given a bound one.)"""
    with socket.socket() as other:
        other.bind((HOST, port))
        other.listen()


def test_a_reserved_port_refuses_connections_and_nobody_else_binds_it() -> None:
    with reserved_port() as port:
        with pytest.raises(ConnectionRefusedError):
            socket.create_connection((HOST, port), timeout=5)
        with pytest.raises(OSError, match="Address already in use"):
            bind_elsewhere(port)


def test_the_tests_server_listens_on_its_reserved_port() -> None:
    with reserved_port() as port, socket.socket() as server:
        server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn binds
        server.bind((HOST, port))
        server.listen()
        with socket.create_connection((HOST, port), timeout=5):
            accepted, _ = server.accept()
            accepted.close()


def test_a_cut_proxy_keeps_its_port_until_it_listens_again() -> None:
    with (
        socket.create_server((HOST, 0)) as target,
        TcpProxy(HOST, target.getsockname()[1]) as proxy,
    ):
        port = proxy.port
        proxy.cut()
        with pytest.raises(ConnectionRefusedError):
            socket.create_connection((HOST, port), timeout=5)
        with pytest.raises(OSError, match="Address already in use"):
            bind_elsewhere(port)
        proxy.restore()
        assert proxy.port == port
        with socket.create_connection((HOST, port), timeout=5):
            target.accept()[0].close()
