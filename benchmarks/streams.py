"""Benchmark: what the streaming connectors store per second, beside what the wire carries.

Each stream is measured twice in the same run, with the same sender:

- **MQTT** (QoS 1, published by ``mosquitto_pub -l``, a process of its own): a plain paho
  subscriber that acknowledges and stores nothing, then the ``mqtt`` connector (MQTT 5,
  acknowledging after each commit) storing every message as an event. The broker is one the
  benchmark starts, with an unbounded queue (``max_queued_messages 0``): a burst faster than
  the hub waits there instead of being dropped, so the rate is the hub's own;
- **TCP syslog**: a plain socket reader counting lines, then the ``cef-syslog`` listener
  storing every line as an alert;
- **UDP syslog**: a plain reader (the default socket buffer, one datagram per read), then
  the listener; for UDP the figure that matters is how many of an unpaced burst are kept.

A rate is messages over the time from the first one sent to the last commit that stored any
(for the baselines: to the last one received). The hub runs on a fresh PostgreSQL database
(``--backend sqlite`` for the embedded one); units are loaded from the bundled lists.

``--before REV`` measures the hub of another revision too (``git archive`` into a temporary
folder, measured by this script in a child process importing that tree), between the
baselines and this tree's hub: the machine is shared, so compare figures of one run.

    .venv/bin/python benchmarks/streams.py                       # 20,000 of each
    .venv/bin/python benchmarks/streams.py --before main         # and main's, beside
    .venv/bin/python benchmarks/streams.py --messages 5000       # a quick run

Not part of the test suite. PostgreSQL: ``IOCHUB_BENCH_POSTGRES_URL`` (an admin URL, default
the local server the tests use); the database ``iochub_bench_streams`` is dropped and made.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url

THIS_TREE = Path(__file__).resolve().parents[1]
SOURCE_VARIABLE = "IOCHUB_BENCH_SOURCE"
"""Where the hub's code is imported from (``--before`` sets it for its child process)."""
ROOT = Path(os.environ.get(SOURCE_VARIABLE) or THIS_TREE)
sys.path.insert(0, str(ROOT))
if ROOT != THIS_TREE:  # the plugins are installed as iochub_plugins, from this tree: not those
    import plugins as tree_plugins

    sys.modules["iochub_plugins"] = tree_plugins

from hub.config import settings_from_dict  # noqa: E402
from hub.connectors.runtime import Counters, run_sync  # noqa: E402
from hub.core import Hub  # noqa: E402
from hub.model import Event  # noqa: E402
from hub.units import bundled_unit_files, load_units  # noqa: E402
from plugins.traffic.mqtt_session import disconnect  # noqa: E402

POSTGRES_ADMIN = os.environ.get(
    "IOCHUB_BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
BROKER_HOST = "127.0.0.1"
IDLE_SECONDS = 5.0
RECEIVE_MAXIMUM = 10_000
STREAMED_KINDS = ("traffic.violation", "security.alert")
CEF = (
    "<134>Nov  2 10:14:00 fgt-dc CEF:0|Fortinet|FortiGate|7.2.8|7208|Botnet C&C|9|"
    "rt=1793600000000 src=10.62.101.30 cs1={number}"
)


@dataclass
class Rate:
    sent: int
    kept: int
    seconds: float

    def __str__(self) -> str:
        per_second = self.kept / self.seconds if self.seconds else 0.0
        return f"{per_second:9,.0f}/s  ({self.kept:,} of {self.sent:,} in {self.seconds:.2f} s)"


def main() -> None:
    args = parse_args()
    if args.hub_only:  # the child of --before: this tree's code measures another's hub
        print(json.dumps([vars(rate) for rate in hub_rates(args)]))
        return
    from tests.plugins.traffic.own_broker import own_broker

    # An unbounded queue, so that a burst faster than the hub waits at the broker rather
    # than being dropped: the rate is then the hub's own.
    with own_broker(max_queued_messages=0) as broker:
        args.broker_port = broker.port
        print(f"backend {args.backend}; {args.messages:,} messages of each stream\n")
        baselines = [
            mqtt_baseline(broker.port, args.messages),
            tcp_baseline(args.messages),
            udp_baseline(args.messages),
        ]
        before = rates_of_revision(args) if args.before else None
        after = hub_rates(args)
    print_table(args, baselines, before, after)


def print_table(
    args: argparse.Namespace, baselines: list[Rate], before: list[Rate] | None, after: list[Rate]
) -> None:
    columns = ["baseline (stores nothing)"]
    if before:
        columns.append(f"hub at {args.before}")
    columns.append("hub (this tree)")
    print("".join(f"{name:40}" for name in ["", *columns]).rstrip())
    names = ("MQTT msgs", "TCP lines", "UDP datagrams")
    for row, name in enumerate(names):
        cells = [baselines[row], *([before[row]] if before else []), after[row]]
        print(f"{name:40}" + "".join(f"{cell!s:40}" for cell in cells).rstrip())


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=20_000)
    parser.add_argument("--backend", choices=["postgresql", "sqlite"], default="postgresql")
    parser.add_argument(
        "--before", metavar="REV", help="also measure the hub at this git revision (e.g. main)"
    )
    parser.add_argument("--hub-only", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--broker-port", type=int, help=argparse.SUPPRESS)
    return parser.parse_args()


def hub_rates(args: argparse.Namespace) -> list[Rate]:
    """The hub's rates for the three streams, on a fresh database."""
    with tempfile.TemporaryDirectory() as work:
        hub = fresh_hub(args.backend, Path(work))
        try:
            return [
                mqtt_hub(hub, args.broker_port, args.messages),
                syslog_hub(hub, args.messages, "tcp"),
                syslog_hub(hub, args.messages, "udp"),
            ]
        finally:
            hub.close()


def rates_of_revision(args: argparse.Namespace) -> list[Rate]:
    """The hub's rates with the code of ``args.before``, measured by this script in a child
    process whose imports come from that revision's tree (so both run under the same load)."""
    with tempfile.TemporaryDirectory(prefix="iochub-before-") as tree:
        archive = subprocess.run(
            ["git", "-C", str(THIS_TREE), "archive", args.before],
            check=True,
            capture_output=True,
        ).stdout
        subprocess.run(["tar", "-x", "-C", tree], input=archive, check=True)
        command = [sys.executable, __file__, "--hub-only", "--broker-port", str(args.broker_port)]
        command += ["--messages", str(args.messages), "--backend", args.backend]
        child = subprocess.run(
            command,
            env={**os.environ, SOURCE_VARIABLE: tree},
            check=True,
            capture_output=True,
            text=True,
        )
    *said, rates = child.stdout.strip().splitlines()
    for line in said:  # the child's runs, as this process prints its own
        print(line.replace(": ", f" at {args.before}: ", 1))
    return [Rate(**rate) for rate in json.loads(rates)]


def fresh_hub(backend: str, work: Path) -> Hub:
    if backend == "sqlite":
        url = f"sqlite:///{work / 'streams.db'}"
    else:
        admin = create_engine(POSTGRES_ADMIN, isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(text('DROP DATABASE IF EXISTS "iochub_bench_streams" WITH (FORCE)'))
            connection.execute(text('CREATE DATABASE "iochub_bench_streams"'))
        admin.dispose()
        url = make_url(POSTGRES_ADMIN).set(database="iochub_bench_streams")
        url = url.render_as_string(hide_password=False)
    hub = Hub.create(settings_from_dict({"database": {"url": url}}, os.environ))
    hub.prepare()
    load_units(hub.db, bundled_unit_files())
    return hub


# -- MQTT ---------------------------------------------------------------------------------


def publish(port: int, topic: str, count: int) -> float:
    """Publish ``count`` numbered QoS 1 messages with ``mosquitto_pub -l`` (a process of its
    own, in C, so that sending takes nothing from the hub's interpreter); return the start."""
    payload = "".join(json.dumps(message(number)) + "\n" for number in range(count)).encode()
    command = ["mosquitto_pub", "-h", BROKER_HOST, "-p", str(port), "-q", "1", "-t", topic]
    started = time.perf_counter()
    subprocess.run([*command, "-l"], input=payload, check=True, timeout=120)
    return started


def message(number: int) -> dict[str, Any]:
    return {
        "event_id": f"B-{number}",
        "type": "speeding",
        "camera_id": "CAM-1",
        "commune": "23293",
        "time": f"2026-11-20T08:{number % 60:02d}:00+07:00",
        "seq": number,
    }


def mqtt_baseline(port: int, count: int) -> Rate:
    """A plain subscriber (paho's automatic acknowledgements) counting what arrives."""
    topic = f"iochub-bench/{uuid.uuid4().hex[:8]}/CAM-1/events"
    received = threading.Event()
    arrived = [0]
    last = [0.0]

    def on_message(*_: Any) -> None:
        arrived[0] += 1
        last[0] = time.perf_counter()
        if arrived[0] == count:
            received.set()

    client = mqtt.Client(CallbackAPIVersion.VERSION2, protocol=mqtt.MQTTv5)
    client.on_message = on_message
    properties = Properties(PacketTypes.CONNECT)
    properties.ReceiveMaximum = RECEIVE_MAXIMUM  # the hub's window (its default)
    client.connect(BROKER_HOST, port, properties=properties)
    client.loop_start()
    client.subscribe(topic, qos=1)
    time.sleep(0.5)
    started = publish(port, topic, count)
    received.wait(IDLE_SECONDS * 3)
    disconnect(client)
    return Rate(count, arrived[0], last[0] - started)


def mqtt_hub(hub: Hub, port: int, count: int) -> Rate:
    prefix = f"iochub-bench/{uuid.uuid4().hex[:8]}"
    table = {
        "plugin": "traffic",
        "kind": "mqtt",
        "topics": [f"{prefix}/+/events"],
        "client_id": f"iochub-bench-{uuid.uuid4().hex[:8]}",
        "idle_timeout": IDLE_SECONDS,
        "sequence_field": "seq",
        "protocol": "5",
        "port": port,
    }
    return timed_run(
        hub, "bench-mqtt", table, count, lambda: publish(port, f"{prefix}/CAM-1/events", count)
    )


# -- syslog -------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def lines(count: int) -> bytes:
    return "".join(CEF.format(number=n) + "\n" for n in range(count)).encode()


def send_tcp(port: int, count: int) -> float:
    data = lines(count)
    with socket.create_connection(("127.0.0.1", port)) as connection:
        started = time.perf_counter()
        connection.sendall(data)
    return started


def send_udp(port: int, count: int) -> float:
    datagrams = [CEF.format(number=n).encode() for n in range(count)]
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as udp:
        started = time.perf_counter()
        for datagram in datagrams:
            udp.sendto(datagram, ("127.0.0.1", port))
    return started


def tcp_baseline(count: int) -> Rate:
    """A plain reader counting the lines of one connection."""
    port = free_port()
    server = socket.create_server(("127.0.0.1", port))
    seen: list[Any] = [0, 0.0]

    def read() -> None:
        connection, _ = server.accept()
        with connection:
            while chunk := connection.recv(65536):
                seen[0] += chunk.count(b"\n")
                seen[1] = time.perf_counter()

    try:
        return read_while_sending(read, lambda: send_tcp(port, count), seen, count)
    finally:
        server.close()


def udp_baseline(count: int) -> Rate:
    """A plain reader with the default receive buffer, one datagram per read."""
    port = free_port()
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind(("127.0.0.1", port))
    sock.settimeout(1.0)
    seen: list[Any] = [0, 0.0]

    def read() -> None:
        try:
            while sock.recv(65536):
                seen[0] += 1
                seen[1] = time.perf_counter()
        except TimeoutError:
            return

    try:
        return read_while_sending(read, lambda: send_udp(port, count), seen, count)
    finally:
        sock.close()


def read_while_sending(
    read: Callable[[], None], send: Callable[[], float], seen: list[Any], count: int
) -> Rate:
    """Run ``read`` in a thread while ``send`` sends; ``seen`` holds (count, last arrival)."""
    reader = threading.Thread(target=read)
    reader.start()
    started = send()
    reader.join(60)
    return Rate(count, seen[0], seen[1] - started)


def syslog_hub(hub: Hub, count: int, transport: str) -> Rate:
    port = free_port()
    table = {
        "plugin": "security",
        "kind": "cef-syslog",
        "port": port,
        "transports": [transport, "tcp"] if transport == "udp" else ["tcp"],
        "idle_timeout_seconds": IDLE_SECONDS,
        "default_owner": {"agency": "Sở Khoa học và Công nghệ", "unit": "23293"},
    }
    send = send_tcp if transport == "tcp" else send_udp
    return timed_run(hub, f"bench-{transport}", table, count, lambda: send(port, count))


# -- one run of the hub ----------------------------------------------------------------------


def timed_run(
    hub: Hub, connector_id: str, table: dict[str, Any], count: int, send: Callable[[], float]
) -> Rate:
    """Run the connector, send, and time from the first message sent to the last commit."""
    configured = configure(hub, connector_id, table)
    last_commit = [0.0]
    stored = [0]

    def progress(counters: Counters) -> None:
        if counters.read > stored[0]:  # the empty commits after the stream went idle aside
            stored[0] = counters.read
            last_commit[0] = time.perf_counter()

    outcome: dict[str, Any] = {}
    runner = threading.Thread(
        target=lambda: outcome.update(run=run_sync(configured, connector_id, progress=progress))
    )
    runner.start()
    time.sleep(2.0)  # subscribed, or listening
    started = send()
    runner.join()
    run = outcome["run"]
    with configured.db.session() as session:
        kept = session.scalar(
            select(func.count())
            .select_from(Event)
            .where(Event.source == connector_id, Event.kind.in_(STREAMED_KINDS))
        )
    configured.close()
    print(
        f"{connector_id}: {run.status}, {run.records_read:,} read, {run.records_quarantined:,} "
        f"quarantined, {run.records_lost:,} counted as lost {run.warnings or ''}"
    )
    return Rate(count, kept or 0, last_commit[0] - started)


def configure(hub: Hub, connector_id: str, table: dict[str, Any]) -> Hub:
    """A hub on the same database with this one connector configured."""
    url = hub.db.engine.url.render_as_string(hide_password=False)
    config = {"database": {"url": url}, "connectors": {connector_id: table}}
    other = Hub.create(settings_from_dict(config, os.environ))
    other.prepare()
    return other


if __name__ == "__main__":
    main()
