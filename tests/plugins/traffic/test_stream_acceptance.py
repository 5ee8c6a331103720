"""The streaming ``mqtt`` kind passes the hub's stream acceptance suite, against the local
Mosquitto broker (a persistent session: the broker keeps what the hub has not acknowledged)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

import pytest
from sqlalchemy import select

from hub.core import Hub
from hub.model import Event
from hub.testing.acceptance import StreamAcceptance
from tests.plugins.traffic import broker
from tests.plugins.traffic.broker import MqttNames, publisher

CONNECTOR = "traffic-stream"


@dataclass
class MqttSource:
    """Camera events published on the test's own topic, QoS 1."""

    names: MqttNames
    redelivers = True

    @property
    def topics(self) -> list[str]:
        return [f"{self.names.prefix}/+/events"]

    def send(self, numbers: Iterable[int]) -> None:
        with publisher() as publish:
            for number in numbers:
                publish(
                    f"{self.names.prefix}/CAM-1/events",
                    {
                        "event_id": f"E-{number}",
                        "type": "speeding",
                        "camera_id": "CAM-1",
                        "time": f"2026-11-20T08:{number:02d}:00+07:00",
                    },
                )

    def stored(self, hub: Hub, connector_id: str) -> list[int]:
        with hub.db.session() as session:
            ids = session.scalars(select(Event.source_id).where(Event.source == connector_id))
            return [int(source_id.removeprefix("E-")) for source_id in ids]


@pytest.fixture
def stream_source() -> Iterator[MqttSource]:
    source = MqttSource(MqttNames.fresh())
    broker.prime_session(source.names.client_id, source.topics)  # it keeps messages from now
    yield source
    broker.forget_session(source.names.client_id)


class TestMqttStream(StreamAcceptance):
    @pytest.fixture
    def stream_under_test(
        self, traffic_hub: Callable[..., Hub], stream_source: MqttSource
    ) -> tuple[Hub, str]:
        table = {
            "plugin": "traffic",
            "kind": "mqtt",
            "topics": stream_source.topics,
            "client_id": stream_source.names.client_id,
            "idle_timeout": 3.0,
        }
        return traffic_hub({CONNECTOR: table}), CONNECTOR
