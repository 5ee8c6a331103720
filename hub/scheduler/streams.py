"""Keeps streaming connectors (broker subscriptions, syslog listeners) running in ``serve``.

Each enabled streaming connector gets a thread that runs it, and runs it again after it ends
(a failure, a dropped broker) with a growing pause, until the hub stops. The connector's run
lock still applies: with several processes, only one holds each stream.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING

from hub.connectors.runtime import RunInProgress, run_sync
from hub.model import RunStatus
from hub.observability import metrics

if TYPE_CHECKING:
    from hub.core import Hub

log = logging.getLogger(__name__)

FIRST_PAUSE_SECONDS = 1.0
LONGEST_PAUSE_SECONDS = 60.0


class StreamSupervisor:
    def __init__(self, hub: Hub, is_enabled: Callable[[Hub, str], bool]) -> None:
        self.hub = hub
        self.is_enabled = is_enabled
        self.stop = threading.Event()
        self.threads: list[threading.Thread] = []

    def start(self) -> None:
        for connector in self.hub.connectors.values():
            if connector.connector_class.streaming:
                thread = threading.Thread(
                    target=self._keep_running,
                    args=(connector.id,),
                    name=f"stream-{connector.id}",
                    daemon=True,
                )
                thread.start()
                self.threads.append(thread)

    def shutdown(self, timeout: float = 10.0) -> None:
        self.stop.set()
        for thread in self.threads:
            thread.join(timeout)

    def _keep_running(self, connector_id: str) -> None:
        pause = FIRST_PAUSE_SECONDS
        while not self.stop.is_set():
            if self.is_enabled(self.hub, connector_id):
                pause = self._run_once(connector_id, pause)
            self.stop.wait(pause)

    def _run_once(self, connector_id: str, pause: float) -> float:
        """Run the stream until it ends; return the pause before the next start."""
        try:
            run = run_sync(self.hub, connector_id, trigger="stream", stop=self.stop)
        except RunInProgress:
            return LONGEST_PAUSE_SECONDS  # another process holds this stream
        if run.status == RunStatus.FAILED:
            metrics.stream_restarts.labels(connector_id).inc()
            log.error("stream %s failed: %s; restarting in %.0fs", connector_id, run.error, pause)
            return min(pause * 2, LONGEST_PAUSE_SECONDS)
        return FIRST_PAUSE_SECONDS
