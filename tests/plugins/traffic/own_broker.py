"""A Mosquitto of a test's own, on a free port, with the settings the test needs.

The shared broker on 1883 keeps Mosquitto's defaults (``sys_interval`` 10 s, a queue of 1,000
messages per client); a test that needs other settings — ``$SYS`` counters every second, an
unbounded queue — starts its own with :func:`own_broker` and stops it on leaving.
"""

from __future__ import annotations

import getpass
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from tests.support.ports import reserved_port

MOSQUITTO = shutil.which("mosquitto") or "/usr/sbin/mosquitto"
START_SECONDS = 60.0
"""A wait, not a limit: a loaded machine may take seconds to start a process."""


@dataclass(frozen=True)
class Broker:
    """Where a started broker listens, and its log."""

    host: str
    port: int
    log: Path

    def log_text(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""


@contextmanager
def own_broker(**settings: str | int) -> Iterator[Broker]:
    """Start ``mosquitto`` on 127.0.0.1 and a free port with ``settings`` (config lines such
    as ``sys_interval=1``, ``max_queued_messages=0``); stop it on leaving."""
    with (
        tempfile.TemporaryDirectory(prefix="iochub-mosquitto-") as folder,
        reserved_port() as port,  # Mosquitto cannot bind port 0 and say which it got
    ):
        log = Path(folder) / "mosquitto.log"
        lines = [
            f"listener {port} 127.0.0.1",
            # As root, mosquitto would become the "mosquitto" user, who cannot read the
            # test's files: stay who the test is.
            f"user {getpass.getuser()}",
            "allow_anonymous true",
            "persistence false",
            f"log_dest file {log}",
            *(f"{name} {value}" for name, value in settings.items()),
        ]
        config = Path(folder) / "mosquitto.conf"
        config.write_text("\n".join(lines) + "\n")
        process = subprocess.Popen(
            [MOSQUITTO, "-c", str(config)], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
        )
        try:
            _await_listening(process, port)
            yield Broker("127.0.0.1", port, log)
        finally:
            process.terminate()
            try:
                process.wait(5)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _await_listening(process: subprocess.Popen[bytes], port: int) -> None:
    deadline = time.monotonic() + START_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            error = process.stderr.read().decode(errors="replace") if process.stderr else ""
            raise RuntimeError(f"mosquitto stopped at start: {error.strip()}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"mosquitto did not listen on port {port} within {START_SECONDS:g} s")
