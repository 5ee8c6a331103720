"""The streaming ``cef-syslog`` kind passes the hub's stream acceptance suite, over TCP.

Syslog cannot deliver a message again: what the listener received before a crash is lost
with it, so the suite's redelivery test does not apply (``redelivers = False``)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

import pytest
from sqlalchemy import select

from hub.core import Hub
from hub.model import Event
from hub.testing.acceptance import StreamAcceptance
from tests.plugins.security.samples import security_table
from tests.plugins.security.test_cef_syslog import cef, connect, octet_counted, syslog_port

CONNECTOR = "syslog-stream"
ALERT = "security.alert"


@dataclass
class SyslogSource:
    """A SIEM forwarding CEF alerts over TCP, octet-counted; message n is named ``probe n``."""

    port: int
    redelivers = False

    def send(self, numbers: Iterable[int]) -> None:
        with connect(self.port) as sender:  # waits until the listener listens
            for number in numbers:
                message = "<134>1 2026-11-02T10:13:20.000+07:00 fgt-dc fortigate - - - " + cef(
                    str(18000 + number), f"probe {number}", 5, "dst=10.62.10.11"
                )
                sender.sendall(octet_counted(message))

    def stored(self, hub: Hub, connector_id: str) -> list[int]:
        with hub.db.session() as session:
            titles = session.scalars(
                select(Event.title).where(Event.source == connector_id, Event.kind == ALERT)
            )
            return [int(title.removeprefix("probe ")) for title in titles]


@pytest.fixture
def stream_source() -> Iterator[SyslogSource]:
    with syslog_port() as port:
        yield SyslogSource(port)


class TestCefSyslogStream(StreamAcceptance):
    @pytest.fixture
    def stream_under_test(
        self, security_hub: Callable[..., Hub], stream_source: SyslogSource
    ) -> tuple[Hub, str]:
        table = security_table(
            "cef-syslog",
            port=stream_source.port,
            transports=["tcp"],
            idle_timeout_seconds=2.0,
            checkpoint_seconds=0.2,
        )
        return security_hub({CONNECTOR: table}), CONNECTOR
