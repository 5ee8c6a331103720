"""``iochub serve`` processes on one database, started and always killed by the tests."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from sqlalchemy.engine import make_url

from tests.support.ports import reserve_port

ROOT = Path(__file__).resolve().parents[2]
SERVE = [sys.executable, "-m", "hub.cli", "-v", "serve"]
STARTUP_SECONDS = 90
T = TypeVar("T")


class Replica:
    """One ``iochub -v serve`` process; its database connections carry its ``name``.

    ``name`` is set as each connection's ``application_name``, so the tests can see in
    ``pg_stat_activity`` which process holds a lock.
    """

    def __init__(self, name: str, db_url: str, folder: Path, settings: str) -> None:
        self.name = name
        self._port = reserve_port()  # until the process ends: nobody else takes it meanwhile
        self.port: int = self._port.getsockname()[1]
        url = make_url(db_url).update_query_dict({"application_name": name})
        self.config = folder / f"{name}.toml"
        self.config.write_text(
            f"[database]\nurl = {json.dumps(url.render_as_string(hide_password=False))}\n"
            f"{settings}",
            encoding="utf-8",
        )
        self.log = folder / f"{name}.log"
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> Replica:
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                [*SERVE, "--config", str(self.config), "--port", str(self.port)],
                stdout=log,
                stderr=subprocess.STDOUT,
                cwd=ROOT,
            )
        deadline = time.monotonic() + STARTUP_SECONDS
        while not self.answers():
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise AssertionError(f"{self.name} did not start:\n{self.output()[-5000:]}")
            time.sleep(0.2)
        return self

    def answers(self) -> bool:
        try:
            with urllib.request.urlopen(f"{self.url}/health", timeout=5) as response:
                return response.status == 200
        except OSError:
            return False

    def kill(self) -> None:
        """``kill -9``: no clean-up of any kind."""
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(30)
        self._port.close()

    def stop(self) -> int | None:
        """Stop as systemd would (SIGTERM); the exit status, or None if it had to be killed."""
        assert self.process is not None
        self.process.terminate()
        try:
            return self.process.wait(30)
        except subprocess.TimeoutExpired:
            self.kill()
            return None

    def output(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")

    def graphql(self, query: str, timeout: float = 120) -> dict:
        request = urllib.request.Request(
            f"{self.url}/graphql",
            json.dumps({"query": query}).encode(),
            {"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return json.loads(response.read())


def wait_for(
    condition: Callable[[], T | None], what: str, seconds: float = 60, every: float = 0.1
) -> T:
    """Poll ``condition`` until it returns something true (returned), at most ``seconds``."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if found := condition():
            return found
        time.sleep(every)
    raise AssertionError(f"waited {seconds:.0f}s in vain for {what}")
