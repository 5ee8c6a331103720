"""A TCP proxy on 127.0.0.1 that a test can cut and restore, as a network or a server fails.

with TcpProxy("127.0.0.1", 5432) as proxy:
    url = f"postgresql+psycopg://postgres@127.0.0.1:{proxy.port}/name"
    proxy.cut()       # connections closed, new ones refused
    proxy.restore()   # listening again, on the same port

While cut, the proxy keeps its port reserved (:mod:`tests.support.ports`): no other process,
a test on another worker or another run, can take it before the proxy listens again.
"""

from __future__ import annotations

import contextlib
import socket
import threading
from types import TracebackType

from tests.support.ports import reserve_port


class TcpProxy:
    def __init__(self, host: str, port: int) -> None:
        self.target = (host, port)
        self.port = 0
        self._listener: socket.socket | None = None
        self._reservation: socket.socket | None = None
        self._open: list[socket.socket] = []
        self._lock = threading.Lock()

    def __enter__(self) -> TcpProxy:
        self.restore()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.cut()
        self._release()

    def restore(self) -> None:
        """Listen (again) and forward each connection to the target."""
        listener = reserve_port(self.port)  # beside the reservation a cut left, if any
        listener.listen()
        self.port = listener.getsockname()[1]
        self._listener = listener
        self._release()
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def cut(self) -> None:
        """Stop listening and close every connection, as a dead server would."""
        with self._lock:
            sockets, self._open = self._open, []
            listener, self._listener = self._listener, None
        for sock in [*sockets, *([listener] if listener else [])]:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            sock.close()
        if listener is not None:  # the port stays the proxy's until it listens again
            self._reservation = reserve_port(self.port)

    def _release(self) -> None:
        if self._reservation is not None:
            self._reservation.close()
            self._reservation = None

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:  # cut
                return
            server = socket.create_connection(self.target)
            with self._lock:
                self._open += [client, server]
            for source, sink in ((client, server), (server, client)):
                threading.Thread(target=_pipe, args=(source, sink), daemon=True).start()


def _pipe(source: socket.socket, sink: socket.socket) -> None:
    with contextlib.suppress(OSError):
        while data := source.recv(65536):
            sink.sendall(data)
    with contextlib.suppress(OSError):
        sink.shutdown(socket.SHUT_WR)
