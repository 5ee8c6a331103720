"""A syslog listener: UDP and TCP sockets on one address, polled from the reading thread.

No threads of its own: :meth:`SyslogListener.poll` waits (up to a timeout) for any socket to
be ready and returns what arrived — datagrams, new connections' messages, closed connections'
last lines. The connector calls it in a loop, between which it checks its stop event, so one
thread owns the sockets from bind to close.

UDP has no flow control: what arrives while the receive buffer is full is dropped by the
kernel. So the UDP socket asks for a large buffer (``SO_RCVBUF``), every wake-up reads all
the datagrams waiting (up to :data:`DATAGRAMS_PER_WAKE`), and :meth:`SyslogListener.udp_drops`
reads the kernel's count of what it dropped anyway. TCP loses nothing: a sender waits while
the hub is behind.
"""

from __future__ import annotations

import errno
import os
import selectors
import socket
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

from hub.connectors.errors import PermanentSourceError, TransientSourceError

from .framing import Frame, TcpFramer

RECEIVE_BYTES = 65536
MAX_CONNECTIONS = 256
DATAGRAMS_PER_WAKE = 512
"""The most datagrams read at one wake-up (then the TCP connections get their turn)."""


@dataclass(frozen=True)
class Received:
    """One message (or a framing problem) and who sent it."""

    frame: Frame
    peer: str
    transport: str  # "udp" or "tcp"


@dataclass
class _Connection:
    sock: socket.socket
    peer: str
    framer: TcpFramer


class SyslogListener:
    """Sockets bound to ``host:port`` for the given transports; a context manager."""

    def __init__(
        self,
        host: str,
        port: int,
        transports: tuple[str, ...],
        max_bytes: int,
        receive_buffer: int | None = None,
    ) -> None:
        self.host, self.port, self.transports, self.max_bytes = host, port, transports, max_bytes
        self.receive_buffer = receive_buffer
        """SO_RCVBUF asked for the UDP socket (the kernel caps it at net.core.rmem_max)."""
        self._selector = selectors.DefaultSelector()
        self._sockets: list[socket.socket] = []
        self._connections: dict[int, _Connection] = {}
        self.activity = 0
        """Grows with every message and every new connection: lets a caller detect idleness."""

    def __enter__(self) -> SyslogListener:
        try:
            for transport in self.transports:
                self._bind(transport)
        except BaseException:
            self.close()
            raise
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def describe(self) -> str:
        return f"{self.host}:{self.port} ({'+'.join(self.transports)})"

    def poll(self, timeout: float) -> list[Received]:
        """What arrived within ``timeout`` seconds (an empty list when nothing did)."""
        received: list[Received] = []
        for key, _ in self._selector.select(timeout):
            handler = key.data
            received.extend(handler(key.fileobj))
        self.activity += len(received)
        return received

    def udp_drops(self) -> int | None:
        """How many datagrams the kernel dropped on the UDP socket since it was bound (its
        receive buffer was full), from ``/proc/net/udp``; None where that cannot be read."""
        udp = next((s for s in self._sockets if s.type == socket.SOCK_DGRAM), None)
        if udp is None:
            return None
        return kernel_drops(udp, self.host)

    def udp_buffer_bytes(self) -> int | None:
        """The receive buffer the kernel gave the UDP socket."""
        udp = next((s for s in self._sockets if s.type == socket.SOCK_DGRAM), None)
        return None if udp is None else udp.getsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF)

    def close(self) -> None:
        for connection in list(self._connections.values()):
            self._drop(connection)
        for sock in self._sockets:
            self._selector.unregister(sock)
            sock.close()
        self._sockets.clear()
        self._selector.close()

    def _bind(self, transport: str) -> None:
        kind = socket.SOCK_DGRAM if transport == "udp" else socket.SOCK_STREAM
        family = socket.AF_INET6 if ":" in self.host else socket.AF_INET
        sock = socket.socket(family, kind)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((self.host, self.port))
        except OSError as exc:
            sock.close()
            raise _bind_error(self.host, self.port, transport, exc) from None
        if transport == "tcp":
            sock.listen(MAX_CONNECTIONS)
        elif self.receive_buffer:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, self.receive_buffer)
        sock.setblocking(False)
        handler = self._datagrams if transport == "udp" else self._accept
        self._selector.register(sock, selectors.EVENT_READ, handler)
        self._sockets.append(sock)

    def _datagrams(self, sock: socket.socket) -> list[Received]:
        """The datagrams waiting, up to :data:`DATAGRAMS_PER_WAKE` of them."""
        received: list[Received] = []
        for _ in range(DATAGRAMS_PER_WAKE):
            try:
                data, address = sock.recvfrom(RECEIVE_BYTES)
            except (BlockingIOError, InterruptedError):
                break
            except ConnectionError:
                continue  # an ICMP error from an earlier reply; nothing to read
            received.extend(self._datagram(data, address))
        return received

    def _datagram(self, data: bytes, address: tuple[str, int]) -> list[Received]:
        if len(data) > self.max_bytes:
            problem = f"a datagram of {len(data)} bytes is over the limit of {self.max_bytes}"
            return [Received(Frame(problem=problem), _peer(address), "udp")]
        frame = Frame(data.rstrip(b"\r\n\x00"))
        return [Received(frame, _peer(address), "udp")] if frame.payload else []

    def _accept(self, sock: socket.socket) -> list[Received]:
        try:
            conn, address = sock.accept()
        except (BlockingIOError, InterruptedError):
            return []
        if len(self._connections) >= MAX_CONNECTIONS:
            conn.close()
            return []
        conn.setblocking(False)
        connection = _Connection(conn, _peer(address), TcpFramer(self.max_bytes))
        self._connections[conn.fileno()] = connection
        self._selector.register(conn, selectors.EVENT_READ, self._stream)
        self.activity += 1
        return []

    def _stream(self, sock: socket.socket) -> list[Received]:
        connection = self._connections[sock.fileno()]
        try:
            data = sock.recv(RECEIVE_BYTES)
        except (BlockingIOError, InterruptedError):
            return []
        except OSError:
            data = b""  # a reset connection ends like a closed one
        frames = connection.framer.feed(data) if data else connection.framer.close()
        if not data:
            self._drop(connection)
        return [Received(frame, connection.peer, "tcp") for frame in frames]

    def _drop(self, connection: _Connection) -> None:
        self._connections.pop(connection.sock.fileno(), None)
        self._selector.unregister(connection.sock)
        connection.sock.close()


def kernel_drops(sock: socket.socket, host: str) -> int | None:
    """The ``drops`` column of the socket's line in ``/proc/net/udp`` (or ``udp6``), found by
    the socket's inode; None off Linux or when the line is not there."""
    inode = str(os.fstat(sock.fileno()).st_ino)
    table = Path("/proc/net/udp6" if ":" in host else "/proc/net/udp")
    try:
        lines = table.read_text().splitlines()[1:]
    except OSError:
        return None
    for line in lines:
        fields = line.split()
        if len(fields) >= 13 and fields[9] == inode:
            return int(fields[12])
    return None


def _peer(address: tuple[str, int] | tuple[str, int, int, int]) -> str:
    return f"{address[0]}:{address[1]}"


def _bind_error(host: str, port: int, transport: str, exc: OSError) -> Exception:
    where = f"cannot listen on {host}:{port}/{transport}"
    if exc.errno == errno.EADDRINUSE:
        return TransientSourceError(f"{where}: the port is in use")
    if exc.errno == errno.EACCES:
        return PermanentSourceError(f"{where}: permission denied (ports below 1024 need root)")
    return PermanentSourceError(f"{where}: {exc.strerror or exc}")
