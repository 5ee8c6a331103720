"""The hub's Prometheus metrics (docs/operations.md, "Metrics").

The counters and histograms here are the process's: connector runs (whichever thread ran
them: the scheduler's, a stream's, an API request's), API requests, the response cache,
streams. What is better read from the database when scraped (the time since each connector's
last success) or from the engine (its pool) is collected at scrape time by
:class:`HubCollector`.

The functions below are the one way the rest of the hub reports to them: a stream listener
calls :func:`stream_message`, the live feed :func:`live_feed_lag` and
:func:`live_feed_dropped`. Counts something keeps
already (the response cache's hits and misses) are read from it when scraped.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import TYPE_CHECKING

from prometheus_client import (
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    PlatformCollector,
    ProcessCollector,
    disable_created_metrics,
    generate_latest,
)
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from sqlalchemy import func, select
from sqlalchemy.pool import QueuePool

from hub.model import RunStatus, SyncRun

if TYPE_CHECKING:
    from hub.core import Hub
    from hub.graphql.response_cache import ResponseCache

disable_created_metrics()  # a *_created series per counter only doubles what is scraped
PROCESS = CollectorRegistry()
"""The process's metrics; each app adds its hub's own at scrape time."""
PROCESS_COLLECTORS = (ProcessCollector(registry=PROCESS), PlatformCollector(registry=PROCESS))

SUCCESSFUL = (RunStatus.SUCCEEDED, RunStatus.PARTIAL)
RECORD_OUTCOMES = ("read", "written", "quarantined", "skipped")
RUN_SECONDS = (1, 5, 15, 60, 300, 900, 1800, 3600, 7200, 21600)
REQUEST_SECONDS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30)
LAG_SECONDS = (0.1, 0.5, 1, 5, 15, 60, 300, 900)

runs = Counter(
    "iochub_runs",
    "Sync runs finished, by connector and status.",
    ["connector", "status"],
    registry=PROCESS,
)
records = Counter(
    "iochub_records",
    "Records of finished runs, by connector and outcome (read, written, quarantined, skipped).",
    ["connector", "outcome"],
    registry=PROCESS,
)
run_duration = Histogram(
    "iochub_run_duration_seconds",
    "How long sync runs took, by connector.",
    ["connector"],
    buckets=RUN_SECONDS,
    registry=PROCESS,
)
scheduler_lag = Histogram(
    "iochub_scheduler_lag_seconds",
    "How late the scheduler started a job after its due time.",
    buckets=LAG_SECONDS,
    registry=PROCESS,
)
api_requests = Histogram(
    "iochub_api_request_duration_seconds",
    "API requests, by GraphQL operation name (or path) and HTTP status.",
    ["operation", "status"],
    buckets=REQUEST_SECONDS,
    registry=PROCESS,
)
stream_messages = Counter(
    "iochub_stream_messages",
    "Messages of stream listeners, by connector and outcome (received, dropped).",
    ["connector", "outcome"],
    registry=PROCESS,
)
broker_messages = Gauge(
    "iochub_stream_broker_messages",
    "The broker's own counters as a stream last read them ($SYS): messages it dropped since "
    "it started (all its clients), messages it holds now; by connector and counter.",
    ["connector", "counter"],
    registry=PROCESS,
)
stream_restarts = Counter(
    "iochub_stream_restarts",
    "Streams started again after they failed, by connector.",
    ["connector"],
    registry=PROCESS,
)
live_feed = Histogram(
    "iochub_live_feed_lag_seconds",
    "How long after it was stored a live-feed row reached its subscribers, by feed.",
    ["feed"],
    buckets=LAG_SECONDS,
    registry=PROCESS,
)
live_feed_drops = Counter(
    "iochub_live_feed_dropped",
    "Live-feed rows a subscriber lost, its queue full because it stopped reading, by feed.",
    ["feed"],
    registry=PROCESS,
)


def record_run(run: SyncRun) -> None:
    """Count a finished run: its status, records and duration."""
    runs.labels(run.connector_id, str(run.status)).inc()
    skipped = getattr(run, "records_skipped", None)  # counted where the runs record it
    for outcome, count in (
        ("read", run.records_read),
        ("written", run.records_written),
        ("quarantined", run.records_quarantined),
        ("skipped", skipped),
    ):
        if count:
            records.labels(run.connector_id, outcome).inc(count)
    if run.finished_at is not None:
        seconds = (run.finished_at - run.started_at).total_seconds()
        run_duration.labels(run.connector_id).observe(max(seconds, 0.0))


def job_started_late(seconds: float) -> None:
    """Note how late the scheduler started a job after its due time."""
    scheduler_lag.observe(max(seconds, 0.0))


def stream_message(connector_id: str, dropped: bool = False, count: int = 1) -> None:
    """Count messages a stream listener received (one, or ``count`` at once), or dropped."""
    stream_messages.labels(connector_id, "dropped" if dropped else "received").inc(count)


def broker_counter(connector_id: str, counter: str, value: int) -> None:
    """Note a broker counter a stream read (``dropped``, ``stored``)."""
    broker_messages.labels(connector_id, counter).set(value)


def live_feed_lag(feed: str, seconds: float) -> None:
    """Note how late a row of ``feed`` (``events``, ``alerts``) reached its subscribers."""
    live_feed.labels(feed).observe(max(seconds, 0.0))


def live_feed_dropped(feed: str) -> None:
    """Count a row of ``feed`` that a subscriber lost (it stopped reading)."""
    live_feed_drops.labels(feed).inc()


class HubCollector(Collector):
    """What one app reports at scrape time: connectors' last successes, the database pool,
    the kept responses' hits and misses (counted by the cache itself)."""

    def __init__(self, hub: Hub, responses: ResponseCache | None) -> None:
        self.hub = hub
        self.responses = responses

    def collect(self) -> Iterator[Metric]:
        yield from self._last_successes()
        yield from self._pool()
        yield from self._kept_responses()

    def _kept_responses(self) -> Iterator[Metric]:
        lookups = CounterMetricFamily(
            "iochub_response_cache_lookups",
            "Asks of kept responses to aggregate queries, by result (hit, miss).",
            labels=["result"],
        )
        if self.responses is not None:
            lookups.add_metric(["hit"], self.responses.hits)
            lookups.add_metric(["miss"], self.responses.misses)
        yield lookups

    def _last_successes(self) -> Iterator[Metric]:
        stamp = GaugeMetricFamily(
            "iochub_connector_last_success_timestamp_seconds",
            "When each connector's last successful run finished (Unix time).",
            labels=["connector"],
        )
        since = GaugeMetricFamily(
            "iochub_connector_seconds_since_success",
            "Seconds since each connector's last successful run finished.",
            labels=["connector"],
        )
        now = time.time()
        for connector_id, finished in last_successes(self.hub).items():
            stamp.add_metric([connector_id], finished)
            since.add_metric([connector_id], max(now - finished, 0.0))
        yield stamp
        yield since

    def _pool(self) -> Iterator[Metric]:
        pool = self.hub.db.engine.pool
        if not isinstance(pool, QueuePool):
            return
        used = GaugeMetricFamily(
            "iochub_db_pool_connections",
            "The database pool's connections, by state (in_use, idle, size).",
            labels=["state"],
        )
        used.add_metric(["in_use"], pool.checkedout())
        used.add_metric(["idle"], pool.checkedin())
        used.add_metric(["size"], pool.size())
        yield used


def last_successes(hub: Hub) -> dict[str, float]:
    """Each connector's last successful run's end, as Unix time."""
    query = (
        select(SyncRun.connector_id, func.max(SyncRun.finished_at))
        .where(SyncRun.status.in_(SUCCESSFUL), SyncRun.finished_at.is_not(None))
        .group_by(SyncRun.connector_id)
    )
    with hub.db.session() as session:
        return {
            connector_id: finished.timestamp() for connector_id, finished in session.execute(query)
        }


def exposition(hub_registry: CollectorRegistry) -> bytes:
    """The text a scrape gets: the process's metrics, then the hub's."""
    return generate_latest(PROCESS) + generate_latest(hub_registry)


def hub_registry(hub: Hub, responses: ResponseCache | None = None) -> CollectorRegistry:
    """A registry of the metrics of ``hub`` and of the responses its app keeps (one per app)."""
    registry = CollectorRegistry(auto_describe=False)
    registry.register(HubCollector(hub, responses))
    return registry
