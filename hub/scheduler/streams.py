"""Keeps streaming connectors (broker subscriptions, syslog listeners) running in ``serve``.

Each enabled streaming connector gets a thread that runs it, and runs it again after it ends
(a failure, a dropped broker) with a growing pause, until the hub stops. The connector's run
lock still applies: with several processes, only one holds each stream. Only the scheduler's
leader runs the streams: they start when it takes the lead and stop when it loses it.
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
    """Runs the streams while started: the scheduler starts it on taking the lead, and shuts
    it down on losing the lead or stopping."""

    def __init__(
        self,
        hub: Hub,
        is_enabled: Callable[[Hub, str], bool],
        busy_pause: float = LONGEST_PAUSE_SECONDS,
    ) -> None:
        self.hub = hub
        self.is_enabled = is_enabled
        self.busy_pause = busy_pause
        """The pause before trying again a stream another process still holds."""
        self.stop = threading.Event()
        self.threads: list[threading.Thread] = []

    def start(self) -> None:
        self.stop = threading.Event()  # the threads of an earlier start keep their own
        for connector in self.hub.connectors.values():
            if connector.streaming:
                thread = threading.Thread(
                    target=self._keep_running,
                    args=(connector.id, self.stop),
                    name=f"stream-{connector.id}",
                    daemon=True,
                )
                thread.start()
                self.threads.append(thread)

    def shutdown(self, timeout: float = 10.0) -> None:
        """Stop every stream (each commits what it read) and wait for them."""
        self.stop.set()
        for thread in self.threads:
            thread.join(timeout)
        self.threads = [thread for thread in self.threads if thread.is_alive()]

    def _keep_running(self, connector_id: str, stop: threading.Event) -> None:
        pause = FIRST_PAUSE_SECONDS
        while not stop.is_set():
            try:
                if self.is_enabled(self.hub, connector_id):
                    pause = self._run_once(connector_id, pause, stop)
            except Exception:  # the database away: the stream waits for it, it does not end
                log.warning("stream %s could not start; retrying", connector_id, exc_info=True)
                pause = min(pause * 2, LONGEST_PAUSE_SECONDS)
            stop.wait(pause)

    def _run_once(self, connector_id: str, pause: float, stop: threading.Event) -> float:
        """Run the stream until it ends; return the pause before the next start."""
        try:
            run = run_sync(self.hub, connector_id, trigger="stream", stop=stop)
        except RunInProgress:
            return self.busy_pause  # another process holds this stream (a leader stepping down)
        if run.status == RunStatus.FAILED:
            metrics.stream_restarts.labels(connector_id).inc()
            log.error("stream %s failed: %s; restarting in %.0fs", connector_id, run.error, pause)
            return min(pause * 2, LONGEST_PAUSE_SECONDS)
        return FIRST_PAUSE_SECONDS
