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


def write_config(
    path: Path, db_url: str, names: MqttNames, extra: str = "", idle_timeout: float = 3.0
) -> Path:
    path.write_text(
        f'[database]\nurl = "{db_url}"\n'
        f"[connectors.{CONNECTOR}]\n"
        'plugin = "traffic"\nkind = "mqtt"\n'
        f'topics = ["{names.prefix}/+/events"]\n'
        f'client_id = "{names.client_id}"\n'
        f"idle_timeout = {idle_timeout}\ncheckpoint_seconds = 0.2\nmax_batch = 50\n" + extra,
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


def numbered(number: int) -> dict[str, object]:
    return {**message(number), "seq": number}


def runs(hub: Hub) -> list[SyncRun]:
    """The stream's runs as committed, oldest first."""
    with hub.db.session() as session:
        rows = session.scalars(
            select(SyncRun).where(SyncRun.connector_id == CONNECTOR).order_by(SyncRun.id)
        ).all()
        session.expunge_all()
    return list(rows)


def test_the_loss_a_stream_committed_stays_in_its_run_after_kill_9_and_is_not_said_again(
    traffic_hub: Callable[..., Hub], db_url: str, names: MqttNames, tmp_path: Path
) -> None:
    hub = traffic_hub({})
    numbers = 'sequence_field = "seq"\n'
    config = write_config(tmp_path / "hub.toml", db_url, names, numbers)
    # Killed long before its idle timeout: the loss it shows is one it showed while running.
    streams_on = write_config(tmp_path / "long.toml", db_url, names, numbers, idle_timeout=600)
    broker.prime_session(names.client_id, [f"{names.prefix}/+/events"])
    topic = f"{names.prefix}/CAM-1/events"

    listener = sync(streams_on)
    try:
        with publisher() as publish:
            for number in (1, 2, 5):  # 3 and 4 never came
                publish(topic, numbered(number))
        wait_until(
            lambda: [r.records_lost for r in runs(hub)] == [2], "the gap committed", timeout=60
        )
        while_running = runs(hub)[0]
    finally:
        listener.send_signal(signal.SIGKILL)
        listener.wait(timeout=30)
    with publisher() as publish:
        for number in (6, 7, 10):  # 8 and 9 never came
            publish(topic, numbered(number))
    restarted = sync(config)
    _, err = restarted.communicate(timeout=300)

    assert restarted.returncode == 3, err  # PARTIAL
    assert while_running.status == RunStatus.RUNNING
    killed, after = runs(hub)
    assert (killed.status, killed.records_lost) == (RunStatus.FAILED, 2)  # "interrupted"
    assert killed.warnings == [
        "the broker dropped 2 messages (gaps in their 'seq' numbers): raise its "
        "max_queued_messages, or the hub's throughput"
    ]
    assert (after.status, after.records_lost) == (RunStatus.PARTIAL, 2)  # 8 and 9 only
    assert stored(hub) == (6, 6)
