"""The cef-syslog listener over real TCP and UDP sockets, run by the hub's runtime in a thread.

Messages go out from the test with ``socket``: RFC 5424 and RFC 3164, octet-counted and
newline-framed on TCP, datagrams on UDP, with broken CEF among them. Everything else must
arrive; the broken ones must be quarantined with their reason and raw text.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from typing import Any

import pytest
from iochub_plugins.security import syslog_kind
from sqlalchemy import func, select

from hub.connectors.records import Notice
from hub.connectors.runtime import run_sync
from hub.core import Hub
from hub.model import Event, RunStatus, SyncRun
from hub.observability import metrics
from hub.testing.acceptance import assert_accounted
from tests.plugins.security.conftest import events, quarantined
from tests.plugins.security.samples import security_table
from tests.support.ports import reserved_port

WAIT_SECONDS = 30.0
RT = 1793600000000  # 2026-11-02T10:13:20+07:00, in milliseconds


def cef(signature: str, name: str, severity: int, extension: str) -> str:
    return f"CEF:0|Fortinet|FortiGate|7.2.8|{signature}|{name}|{severity}|rt={RT} {extension}"


GOOD_TCP = [
    "<134>1 2026-11-02T10:13:20.000+07:00 fgt-dc fortigate - - - "
    + cef("13056", "SQL Injection", 8, "src=203.0.113.45 dst=10.62.40.41 msg=blocked by WAF"),
    "<134>Nov  2 10:13:21 fgt-dc " + cef("13056", "SQL Injection", 8, "dst=10.62.40.41"),
    cef("18432", "Port scan", 5, r"dst=10.62.101.21 request=/a?x\=1 msg=many ports, one source"),
]
GOOD_UDP = [
    "<134>Nov  2 10:14:00 fgt-dc " + cef("7208", "Botnet C&C", 9, "src=10.62.101.30"),
    "<134>1 - fgt-dc - - - - " + cef("18432", "Port scan", 5, "dst=10.62.10.11"),
]
BROKEN_TCP = "<134>Nov  2 10:13:22 fgt-dc " + cef("1", "Broken", 5, "src=1.2.3.4 =oops")
BROKEN_UDP = "<134>Nov  2 10:14:01 fgt-dc CEF:0|Fortinet|FortiGate"


@contextmanager
def syslog_port() -> Iterator[int]:
    """A port on 127.0.0.1 for the listener: reserved for TCP until the block ends (nobody
    else listens there meanwhile), and free for UDP when chosen."""
    for _ in range(20):
        with reserved_port() as port, socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as udp:
            try:
                udp.bind(("127.0.0.1", port))
            except OSError:
                continue
            udp.close()  # a datagram socket cannot be reserved: the listener's would share it
            yield port
            return
    raise RuntimeError("no free port")


@pytest.fixture
def port() -> Iterator[int]:
    with syslog_port() as port:
        yield port


def connect(port: int) -> socket.socket:
    """A TCP connection to the listener, once it listens (a bounded wait)."""
    deadline = time.monotonic() + WAIT_SECONDS
    while True:
        try:
            return socket.create_connection(("127.0.0.1", port), timeout=5)
        except ConnectionRefusedError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)


@contextmanager
def listening(hub: Hub, connector_id: str) -> Iterator[dict[str, Any]]:
    """Run the connector in a thread; on leaving, wait (bounded) for its run to end."""
    outcome: dict[str, Any] = {}
    stop = threading.Event()
    outcome["stop"] = stop

    def run() -> None:
        outcome["run"] = run_sync(hub, connector_id, stop=stop)

    thread = threading.Thread(target=run, name=f"test-{connector_id}", daemon=True)
    thread.start()
    try:
        yield outcome
    finally:
        thread.join(WAIT_SECONDS)
        stop.set()
        thread.join(WAIT_SECONDS)
    assert not thread.is_alive(), "the listener did not stop"


def octet_counted(message: str) -> bytes:
    data = message.encode()
    return b"%d " % len(data) + data


def test_tcp_and_udp_messages_arrive_and_broken_ones_are_quarantined(
    security_hub: Callable[..., Hub], port: int
) -> None:
    table = security_table(
        "cef-syslog", port=port, idle_timeout_seconds=3.0, checkpoint_seconds=0.2
    )
    hub = security_hub({"syslog": table})
    received = {"connector": "syslog", "outcome": "received"}
    before = metrics.PROCESS.get_sample_value("iochub_stream_messages_total", received) or 0

    with listening(hub, "syslog") as outcome:
        first, second = connect(port), connect(port)
        with first, second:
            first.sendall(octet_counted(GOOD_TCP[0]))
            second.sendall(GOOD_TCP[1].encode() + b"\n")
            first.sendall(BROKEN_TCP.encode() + b"\n")  # newline framing, mixed in
            first.sendall(GOOD_TCP[2].encode())  # the last line: its end is the close
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as udp:
            for message in (GOOD_UDP[0], BROKEN_UDP, GOOD_UDP[1]):
                udp.sendto(message.encode(), ("127.0.0.1", port))

    run = outcome["run"]
    assert (run.status, run.records_quarantined) == (RunStatus.PARTIAL, 2), run.error
    after = metrics.PROCESS.get_sample_value("iochub_stream_messages_total", received)
    assert after == before + 7  # four over TCP, three over UDP
    assert_accounted(run)
    alerts = events(hub, "security.alert")
    assert sorted(
        a.attributes["cef"].get("dst") or a.attributes["cef"].get("src") for a in alerts
    ) == sorted(["10.62.40.41", "10.62.40.41", "10.62.101.21", "10.62.101.30", "10.62.10.11"])
    scan = next(a for a in alerts if a.attributes["cef"].get("request"))
    assert scan.attributes["cef"]["request"] == "/a?x=1"
    assert scan.attributes["cef"]["msg"] == "many ports, one source"
    assert {(a.title, a.severity, a.unit_code) for a in alerts} == {
        ("SQL Injection", 3, "23293"),  # 10.62.40.41: nobody's → the default owner
        ("Port scan", 2, "23284"),  # 10.62.101.0/24
        ("Botnet C&C", 4, "23284"),  # its source, a ward's machine, calling out
        ("Port scan", 2, "23293"),
    }
    assert sorted((q.reason, q.payload) for q in quarantined(hub)) == sorted(
        [
            ("broken extension: an empty key at '=oops'", BROKEN_TCP),
            ("the CEF header has 3 of its 7 fields", BROKEN_UDP),
        ]
    )
    incidents = {
        e.attributes["host"]: e.attributes["count"]
        for e in events(hub, "security.incident")
        if e.attributes["rule"] == "Fortinet|FortiGate|13056"
    }
    assert incidents == {"10.62.40.41": 2}


def test_the_listener_runs_until_the_hub_stops_it(
    security_hub: Callable[..., Hub], port: int
) -> None:
    hub = security_hub(
        {
            "syslog": security_table(
                "cef-syslog", port=port, transports=["tcp"], checkpoint_seconds=0.2
            )
        }
    )

    with listening(hub, "syslog") as outcome:
        with connect(port) as sender:
            sender.sendall(GOOD_TCP[1].encode() + b"\n")
            wait_for(lambda: count_events(hub) == 2)  # the alert and its incident, committed
            assert "run" not in outcome  # still listening
            sender.sendall(GOOD_TCP[2].encode() + b"\n")
            wait_for(lambda: count_events(hub) == 4)
        outcome["stop"].set()

    assert outcome["run"].status == RunStatus.SUCCEEDED
    assert len(events(hub, "security.alert")) == 2


def test_the_port_in_use_is_reported(security_hub: Callable[..., Hub]) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        hub = security_hub(
            {
                "syslog": security_table(
                    "cef-syslog", port=port, transports=["tcp"], idle_timeout_seconds=0.5
                )
            }
        )
        run = run_sync(hub, "syslog")

    assert run.status == RunStatus.FAILED
    assert f"cannot listen on 127.0.0.1:{port}/tcp: the port is in use" in run.error


def count_events(hub: Hub) -> int:
    with hub.db.session() as session:
        return session.scalar(select(func.count()).select_from(Event)) or 0


def wait_for(condition: Callable[[], bool]) -> None:
    deadline = time.monotonic() + WAIT_SECONDS
    while not condition():
        assert time.monotonic() < deadline, "timed out waiting for the data"
        time.sleep(0.05)


def test_a_message_that_trips_the_parser_is_quarantined_and_the_rest_arrive(
    security_hub: Callable[..., Hub], monkeypatch: pytest.MonkeyPatch, port: int
) -> None:
    original = syslog_kind.cef_alert

    def fragile(text: str, *args: Any) -> Any:
        if "boom" in text:
            raise RuntimeError("a case nobody foresaw")
        return original(text, *args)

    monkeypatch.setattr(syslog_kind, "cef_alert", fragile)
    hub = security_hub(
        {
            "syslog": security_table(
                "cef-syslog", port=port, transports=["tcp"], idle_timeout_seconds=2.0
            )
        }
    )
    boom = cef("9", "boom", 5, "dst=10.62.10.11")

    with listening(hub, "syslog") as outcome, connect(port) as sender:
        sender.sendall(f"{GOOD_TCP[1]}\n{boom}\n{GOOD_TCP[2]}\n".encode())

    assert outcome["run"].status == RunStatus.PARTIAL
    assert [(q.reason, q.payload) for q in quarantined(hub)] == [
        ("unreadable (RuntimeError: a case nobody foresaw)", boom),
    ]
    assert len(events(hub, "security.alert")) == 2


def burst(port: int, count: int) -> None:
    """``count`` datagrams as fast as a socket sends them, once the listener listens."""
    connect(port).close()  # the TCP socket is bound: so is the UDP one, bound before it
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as udp:
        for number in range(count):
            message = "<134>Nov  2 10:14:00 fgt-dc " + cef(
                "7208", "Botnet C&C", 9, f"src=10.62.101.30 cs1={number}"
            )
            udp.sendto(message.encode(), ("127.0.0.1", port))


def test_a_burst_of_5000_udp_datagrams_is_kept_whole(
    security_hub: Callable[..., Hub], port: int
) -> None:
    table = security_table("cef-syslog", port=port, idle_timeout_seconds=3.0)
    hub = security_hub({"syslog": table})

    with listening(hub, "syslog") as outcome:
        burst(port, 5000)

    run = outcome["run"]
    assert (run.status, run.records_lost, run.warnings) == (RunStatus.SUCCEEDED, 0, None)
    assert len(events(hub, "security.alert")) == 5000


def test_datagrams_the_kernel_drops_are_counted_and_the_run_is_partial(
    security_hub: Callable[..., Hub], port: int
) -> None:
    table = security_table(
        "cef-syslog", port=port, idle_timeout_seconds=3.0, receive_buffer_bytes=4096
    )
    hub = security_hub({"syslog": table})

    with listening(hub, "syslog") as outcome:
        burst(port, 3000)

    run = outcome["run"]
    kept = len(events(hub, "security.alert"))
    assert run.status == RunStatus.PARTIAL and run.records_lost > 0
    assert kept + run.records_lost == 3000  # every datagram stored or counted as dropped
    (warning,) = run.warnings
    assert warning.startswith(f"the kernel dropped {run.records_lost} UDP datagrams")


def latest_run(hub: Hub, connector_id: str) -> SyncRun:
    """The connector's latest run as committed, read in a session of the test's own."""
    with hub.db.session() as session:
        run = session.scalars(
            select(SyncRun).where(SyncRun.connector_id == connector_id).order_by(SyncRun.id.desc())
        ).first()
        assert run is not None
        session.expunge(run)
    return run


def wait_until(condition: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + WAIT_SECONDS
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


def test_a_listening_run_shows_the_datagrams_the_kernel_dropped_before_it_stops(
    security_hub: Callable[..., Hub], port: int
) -> None:
    table = security_table(
        "cef-syslog", port=port, checkpoint_seconds=0.2, receive_buffer_bytes=4096
    )  # no idle timeout: it listens until stopped
    hub = security_hub({"syslog": table})

    with listening(hub, "syslog") as outcome:
        burst(port, 3000)

        def all_accounted() -> bool:  # each datagram stored or counted as dropped, so far
            with hub.db.session() as session:
                lost = session.scalar(select(func.max(SyncRun.records_lost)))
            return bool(lost) and lost + len(events(hub, "security.alert")) == 3000

        try:
            wait_until(all_accounted, "the drops in the listening run's row")
            running = latest_run(hub, "syslog")
        finally:
            outcome["stop"].set()

    run = outcome["run"]
    assert running.status == RunStatus.RUNNING
    assert running.records_lost + len(events(hub, "security.alert")) == 3000
    assert (run.status, run.records_lost) == (RunStatus.PARTIAL, running.records_lost)
    (warning,) = running.warnings
    assert warning.startswith(f"the kernel dropped {running.records_lost} UDP datagrams")


def test_a_retried_attempt_says_the_drops_of_the_sockets_before_it_too(
    make_connector: Callable[..., Any], port: int
) -> None:
    """Each attempt binds its socket again; the run's notice counts the drops of them all."""
    connector = make_connector(
        "cef-syslog",
        port=port,
        checkpoint_seconds=0.2,
        receive_buffer_bytes=4096,
        idle_timeout_seconds=2.0,
    )

    def attempt(datagrams: int) -> list[Notice]:
        """One attempt of the run, to its end: the notices it gave."""
        with ThreadPoolExecutor(1) as pool:
            items = pool.submit(list, connector.read({}, full=False))
            burst(port, datagrams)
            return [item for item in items.result(WAIT_SECONDS) if isinstance(item, Notice)]

    first = attempt(3000)
    retry = attempt(1)

    assert first and first[-1].lost > 0
    dropped = first[-1].lost
    assert retry and retry[-1].lost == dropped  # its socket dropped none: it had one
    assert retry[-1].message.startswith(f"the kernel dropped {dropped} UDP datagrams")
