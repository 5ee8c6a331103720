"""A TCP proxy between the connector and the database server that can break connections off.

Real sockets, a real fault: the server's answer stops in the middle, as when a network link
or a firewall drops a long query.
"""

from __future__ import annotations

import contextlib
import socket
import threading
from types import TracebackType


class CuttingProxy:
    """Forwards 127.0.0.1:<port> to ``target``; the next ``cuts`` connections are closed once
    the server has sent them ``cut_after`` bytes."""

    def __init__(self, target: tuple[str, int]) -> None:
        self.target = target
        self.cut_after = 0
        self.cuts = 0
        self.served = 0
        """Bytes the server sent through the proxy, over every connection."""
        self.connections = 0
        self._lock = threading.Lock()
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port = self._listener.getsockname()[1]

    def cut_next(self, after_bytes: int, connections: int = 1) -> None:
        with self._lock:
            self.cut_after, self.cuts = after_bytes, connections

    def __enter__(self) -> CuttingProxy:
        threading.Thread(target=self._accept, daemon=True).start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self._listener.close()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return  # closed
            upstream = socket.create_connection(self.target)
            with self._lock:
                self.connections += 1
                limit = self.cut_after if self.cuts > 0 else None
                self.cuts -= 1 if self.cuts > 0 else 0
            for args in ((client, upstream, None, False), (upstream, client, limit, True)):
                threading.Thread(target=self._pump, args=args, daemon=True).start()

    def _pump(
        self, source: socket.socket, sink: socket.socket, limit: int | None, from_server: bool
    ) -> None:
        sent = 0
        with contextlib.suppress(OSError):
            while data := source.recv(65536):
                if limit is not None and sent + len(data) >= limit:
                    sink.sendall(data[: limit - sent])
                    break  # the connection breaks off mid-answer
                sink.sendall(data)
                sent += len(data)
                if from_server:
                    with self._lock:
                        self.served += len(data)
        for end in (source, sink):
            with contextlib.suppress(OSError):
                end.shutdown(socket.SHUT_RDWR)
            end.close()
