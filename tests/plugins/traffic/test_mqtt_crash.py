"""``kill -9`` of a real ``iochub sync`` of the ``mqtt`` kind mid-stream, on both backends.

Every message the broker took (QoS 1, a persistent session) is stored exactly once after the
restart: a message is acknowledged only once the transaction holding it has committed, so the
broker delivers again whatever the killed process had not stored.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select

from hub.core import Hub
from hub.model import Event as EventRow
from hub.model import RunStatus, SyncRun
from tests.plugins.traffic import broker
from tests.plugins.traffic.broker import MqttNames, publisher, wait_until

CONNECTOR = "traffic-cameras"
MESSAGES = 800


@pytest.fixture
def names() -> Iterator[MqttNames]:
    fresh = MqttNames.fresh()
    yield fresh
    broker.forget_session(fresh.client_id)


def write_config(path: Path, db_url: str, names: MqttNames) -> Path:
    path.write_text(
        f'[database]\nurl = "{db_url}"\n'
        f"[connectors.{CONNECTOR}]\n"
        'plugin = "traffic"\nkind = "mqtt"\n'
        f'topics = ["{names.prefix}/+/events"]\n'
        f'client_id = "{names.client_id}"\n'
        "idle_timeout = 3.0\ncheckpoint_seconds = 0.2\nmax_batch = 50\n",
        encoding="utf-8",
    )
    return path


def sync(config: Path) -> subprocess.Popen[str]:
    env = {**os.environ, "IOCHUB_CONFIG": str(config)}
    return subprocess.Popen(
        [sys.executable, "-m", "hub.cli", "sync", CONNECTOR],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def message(number: int) -> dict[str, object]:
    return {
        "event_id": f"E-{number}",
        "type": "speeding",
        "camera_id": "CAM-1",
        "time": f"2026-11-20T08:{number % 60:02d}:00+07:00",
    }


def stored(hub: Hub) -> tuple[int, int]:
    """(event rows, distinct event ids) the stream stored."""
    with hub.db.session() as session:
        rows = select(EventRow).where(EventRow.source == CONNECTOR)
        total = session.scalar(select(func.count()).select_from(rows.subquery()))
        distinct = session.scalar(
            select(func.count(EventRow.source_id.distinct())).where(EventRow.source == CONNECTOR)
        )
    return total or 0, distinct or 0


def test_kill_9_mid_stream_then_restart_stores_every_message_exactly_once(
    traffic_hub: Callable[..., Hub], db_url: str, names: MqttNames, tmp_path: Path
) -> None:
    hub = traffic_hub({})
    config = write_config(tmp_path / "hub.toml", db_url, names)
    broker.prime_session(names.client_id, [f"{names.prefix}/+/events"])
    topic = f"{names.prefix}/CAM-1/events"

    def publish_all(numbers: range) -> None:
        with publisher() as publish:
            for number in numbers:
                publish(topic, message(number))

    # Half the messages before the kill, half after: however late a loaded machine lets
    # this process send the kill, the listener cannot have read them all by then.
    first_half, second_half = range(MESSAGES // 2), range(MESSAGES // 2, MESSAGES)
    listener = sync(config)
    sending = threading.Thread(target=publish_all, args=(first_half,))
    sending.start()
    try:
        wait_until(lambda: stored(hub)[0] >= 100, "the first commits", timeout=60)
        listener.send_signal(signal.SIGKILL)  # mid-stream: messages in flight, a commit due
        listener.wait(timeout=30)
    finally:
        sending.join(timeout=120)
    assert not sending.is_alive(), "the broker did not take every message"
    publish_all(second_half)  # kept by the broker for the stream's session

    restarted = sync(config)
    _, err = restarted.communicate(timeout=300)

    assert restarted.returncode == 0, err
    assert stored(hub) == (MESSAGES, MESSAGES)
    with hub.db.session() as session:
        last = session.scalars(
            select(SyncRun).where(SyncRun.connector_id == CONNECTOR).order_by(SyncRun.id.desc())
        ).first()
    assert last is not None and last.status == RunStatus.SUCCEEDED
