"""Benchmark: dashboard tiles while the data moves — ``iochub serve`` against a plain route.

In an operations room the data never stands still: camera events, alerts and cases commit
every second. This benchmark loads the dashboard data of ``benchmarks/aggregation.py``
(Kon Tum's communes × 120 months × as many metrics as make ``--observations``), then serves
it twice, each in a process of its own:

- the hub, as ``iochub serve`` runs it (its resident memory is read at the end);
- the **plain route** a team would write instead of the hub: one litestar route per tile
  running the obvious ``GROUP BY`` over the same tables, as JSON.

and asks the same tiles of both, side by side, in four phases:

1. **quiet**: nothing is written (p50 of ``--asks`` asks, one client);
2. **unrelated commit**: before each ask, another metric's value is committed through the
   hub's ingest path (as a connector would);
3. **miss**: before each ask, the tile's own metric is written: the hub must answer anew.
   Printed beside an empty request plus the engine's roll-up read: what a miss should cost;
4. **throughput**: ``--clients`` clients ask the scanning tile for ``--seconds`` seconds,
   quiet and then while another process commits an unrelated value every 100 ms.

    .venv/bin/python benchmarks/live_writes.py --observations 1000000 --backends sqlite

``--national``: the dataset and tiles of ``benchmarks/national.py`` instead (every commune of
the country on both maps, ten years; generated in the database, roll-ups by the hub's rebuild,
each step timed; the database dropped at the end unless ``--keep``). ``--loaded NAME``: on a
database that ``national.py --name NAME`` loaded earlier (a 30 M load takes a while: start
it first, measure after), which is left as it is:

    .venv/bin/python benchmarks/live_writes.py --national --observations 10000000
    .venv/bin/python benchmarks/live_writes.py --national --observations 30000000 \\
        --backends postgresql --loaded scale_30m

Not part of the test suite. PostgreSQL: ``IOCHUB_BENCH_POSTGRES_URL`` as in aggregation.py.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "benchmarks")]

import aggregation as data  # noqa: E402  (the dashboard data and tiles of the other benchmark)
import national  # noqa: E402  (the national dataset: both maps, every commune, ten years)

from hub.aggregation import Limits, aggregate, rebuild  # noqa: E402
from hub.config import settings_from_dict  # noqa: E402
from hub.connectors.records import Observation  # noqa: E402
from hub.connectors.runtime import load_records  # noqa: E402
from hub.core import Hub  # noqa: E402
from hub.model.database import Database  # noqa: E402

WRITE_EVERY = 0.1
"""Seconds between the background writer's commits in the last phase."""
SCANNING_TILE = {"kontum": 1, "national": 0}  # national: all provinces by quarter
"""The tile the clients ask in the throughput phases: the one that scans the most."""
TIMEOUT = 900
"""Seconds a client waits: 16 clients queue behind a national tile's GROUP BY (14 s on SQLite)."""
UNRELATED = data.metric_code(1)
"""The metric the unrelated commits write (the tiles read metric 0)."""


@dataclass
class Tile:
    name: str
    ms: dict[str, tuple[float, float]] = field(default_factory=dict)
    """By phase: (hub, plain route) p50 in ms."""


@dataclass
class Result:
    backend: str
    tiles: list[Tile] = field(default_factory=list)
    empty_ms: float = 0.0
    miss: list[tuple[str, float, float]] = field(default_factory=list)
    """By tile: a miss's p50, and an empty request plus the engine's roll-up read."""
    throughput: dict[str, tuple[float, float]] = field(default_factory=dict)
    """By phase: (hub, plain route) requests per second."""
    resident_mb: float = 0.0
    steps: dict[str, Any] = field(default_factory=dict)
    """The load's steps (national): seconds each, and the rows."""
    lookups: dict[str, dict[str, float]] = field(default_factory=dict)
    """By throughput phase: the kept responses' hits and misses during it."""
    agree: list[bool] = field(default_factory=list)
    """By tile: whether the hub's answer and the plain route's agree."""


def main() -> None:
    args = parse_args()
    if args.plain_route:
        serve_plain_route(args.plain_route, args.port, args.scale)
        return
    if args.writer:
        write_forever(args.writer, args.metrics, args.commune)
        return
    work = Path(args.workdir or tempfile.mkdtemp(prefix="iochub-live-"))
    work.mkdir(parents=True, exist_ok=True)
    if args.scale == "national":
        load = Load(work, [], work, national.metric_count(args.observations), national.WRITES_AT[0])
        print_results([run_backend(backend, load, args) for backend in args.backends], args)
        return
    units = data.unit_files(args.scale, work / "units")
    communes = data.legacy_communes(units, None if args.scale == "national" else data.KON_TUM)
    metrics = data.metric_count(args.observations, len(communes))
    observations = work / "observations.csv"
    rows = data.write_observations(observations, communes, metrics, "period")
    print(f"{rows:,} observations: {len(communes):,} communes × 120 months × {metrics} metrics")
    results = [
        run_backend(backend, Load(work, units, observations, metrics, communes[0]), args)
        for backend in args.backends
    ]
    print_results(results, args)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--observations", type=int, default=10_000_000)
    parser.add_argument("--backends", type=lambda s: s.split(","), default=["sqlite", "postgresql"])
    parser.add_argument("--scale", choices=["kontum", "national"], default="kontum")
    parser.add_argument("--national", dest="scale", action="store_const", const="national")
    parser.add_argument("--loaded", help="national: the database national.py --name loaded")
    parser.add_argument("--keep", action="store_true", help="national: keep the database")
    parser.add_argument("--asks", type=int, default=31, help="asks per tile and phase (p50)")
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=10.0, help="per throughput phase")
    parser.add_argument("--workdir", help="where files go (default: a new temporary folder)")
    parser.add_argument("--plain-route", help=argparse.SUPPRESS)  # the baseline's process
    parser.add_argument("--writer", help=argparse.SUPPRESS)  # the background writer's process
    parser.add_argument("--port", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--metrics", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--commune", help=argparse.SUPPRESS)
    return parser.parse_args()


# --- one backend --------------------------------------------------------------------------


@dataclass
class Load:
    """The data every backend loads."""

    work: Path
    units: list[Path]
    observations: Path
    metrics: int
    commune: str
    """Where the benchmark's own writes go."""


def run_backend(backend: str, load: Load, args: argparse.Namespace) -> Result:
    print(f"\n== {backend}: loading ({time.strftime('%H:%M:%S')})", flush=True)
    result = Result(backend)
    hub = loaded_hub(backend, load, args, result)
    config = write_config(load.work / f"{backend}.toml", hub.db.url, load.metrics)
    scanning = SCANNING_TILE[args.scale]
    with served_hub(config) as (hub_url, pid), plain_route(hub.db.url, args.scale) as plain_url:
        asks = Asks(hub_url, plain_url, tiles_of(args.scale, hub))
        result.agree = [asks.agree(index) for index in range(len(asks.tiles))]
        result.empty_ms = p50(asks.empty, args.asks)
        for index, tile in enumerate(asks.tiles):
            print(f"tile: {tile.name}")
            result.tiles.append(time_tile(asks, index, Writes(hub, UNRELATED, load.commune), args))
            own = Writes(hub, tile.variables["metric"], load.commune)
            result.miss.append(time_miss(asks, index, own, result.empty_ms, args.asks))
        print("throughput, quiet")
        before = asks.kept_lookups()
        result.throughput["quiet"] = asks.throughput(scanning, args.clients, args.seconds)
        result.lookups["quiet"] = difference(asks.kept_lookups(), before)
        print(f"throughput, a commit every {WRITE_EVERY * 1000:.0f} ms")
        with background_writer(hub.db.url, load.metrics, load.commune):
            before = asks.kept_lookups()
            result.throughput["writes"] = asks.throughput(scanning, args.clients, args.seconds)
            result.lookups["writes"] = difference(asks.kept_lookups(), before)
        result.resident_mb = resident_mb(pid)
    hub.close()
    if args.scale == "national" and not (args.loaded or args.keep):
        national.drop_database(backend, load.work, national_name(backend, args))
    return result


def loaded_hub(backend: str, load: Load, args: argparse.Namespace, result: Result) -> Hub:
    """A hub on the benchmark's data: loaded now, or (``--loaded``) by an earlier run."""
    if args.scale == "national":
        name = national_name(backend, args)
        if args.loaded:
            return national.open_loaded(backend, load.work, name, args.observations)
        hub, result.steps = national.load(backend, load.work, name, args.observations)
        return hub
    hub = data.fresh_hub(backend, load.work, "live", load.metrics, load.units)
    data.bulk_insert(hub, load.observations)
    with hub.db.session() as session:
        rebuild(session)
    data.analyze(hub)
    return hub


def national_name(backend: str, args: argparse.Namespace) -> str:
    return args.loaded or f"scale_{backend}_{args.observations // 1_000_000}m"


def tiles_of(scale: str, hub: Hub) -> list[data.Dashboard]:
    return national.tiles(hub) if scale == "national" else data.dashboards(hub)


def time_tile(asks: Asks, index: int, unrelated: Writes, args: argparse.Namespace) -> Tile:
    found = Tile(asks.tiles[index].name)
    for phase, before in (("quiet", None), ("unrelated", unrelated.one)):
        found.ms[phase] = (
            p50(lambda: asks.hub(index), args.asks, before),
            p50(lambda: asks.plain(index), args.asks, before),
        )
    return found


def time_miss(
    asks: Asks, index: int, own: Writes, empty_ms: float, repeat: int
) -> tuple[str, float, float]:
    """A miss's p50, beside an empty request plus the engine's read of the roll-ups."""
    tile = asks.tiles[index]
    miss_ms = p50(lambda: asks.hub(index), repeat, own.one)
    request, limits = data.request_of(tile.variables), Limits(max_values=100_000)
    engine_ms = p50(lambda: aggregate(own.hub.db, request, limits), repeat, own.one)
    return tile.name, miss_ms, empty_ms + engine_ms


class Writes:
    """One committed value of ``metric`` at a time, through the hub's ingest path."""

    def __init__(self, hub: Hub, metric: str, commune: str) -> None:
        self.hub, self.metric, self.commune, self.count = hub, metric, commune, 0

    def one(self) -> None:
        self.count += 1
        load_records(self.hub, "live-writer", iter([self.record(self.count % 500)]))

    def record(self, value: float) -> Observation:
        """A new value of one of the metric's cells (a total beside its cells is another row,
        which the hub keeps apart and a plain ``GROUP BY`` would add to them)."""
        cell = data.CELLS[int(self.metric.removeprefix("bench_")) % len(data.CELLS)][0]
        return Observation(self.metric, self.commune, "2025-06", value, cell)


class Asks:
    """The same tile asked of the hub (GraphQL) and of the plain route."""

    def __init__(self, hub_url: str, plain_url: str, tiles: list[data.Dashboard]) -> None:
        self.hub_url, self.plain_url, self.tiles = hub_url, plain_url, tiles
        self.client = httpx.Client(timeout=TIMEOUT)

    def empty(self) -> None:
        self.client.post(self.hub_url, json={"query": "{ __typename }"}).raise_for_status()

    def hub(self, index: int, client: httpx.Client | None = None) -> dict[str, Any]:
        variables = {"asOf": data.AS_OF.isoformat(), **self.tiles[index].variables}
        body = {"query": data.GRAPHQL, "variables": variables}
        answer = (client or self.client).post(self.hub_url, json=body).json()
        if "errors" in answer:
            raise RuntimeError(answer["errors"])
        return answer  # type: ignore[no-any-return]

    def agree(self, index: int) -> bool:
        """Whether the hub and the plain route give the same numbers for the tile."""
        values = self.hub(index)["data"]["aggregate"]
        found = {(v["unit"]["code"], v["period"]): v["value"] for v in values}
        plain = self.client.get(f"{self.plain_url}/tile/{index}").json()
        return data.same(found, {(v["unit"], v["period"]): v["value"] for v in plain})

    def plain(self, index: int, client: httpx.Client | None = None) -> None:
        (client or self.client).get(f"{self.plain_url}/tile/{index}").raise_for_status()

    def throughput(self, index: int, clients: int, seconds: float) -> tuple[float, float]:
        return (
            requests_per_second(lambda c: self.hub(index, c), clients, seconds),
            requests_per_second(lambda c: self.plain(index, c), clients, seconds),
        )

    def kept_lookups(self) -> dict[str, float]:
        """The hub's kept responses so far: hits and misses (its ``/metrics``)."""
        text = self.client.get(self.hub_url.removesuffix("/graphql") + "/metrics").text
        found = {}
        for line in text.splitlines():
            if line.startswith("iochub_response_cache_lookups") and 'result="' in line:
                found[line.split('result="')[1].split('"')[0]] = float(line.split()[-1])
        return found


def difference(after: dict[str, float], before: dict[str, float]) -> dict[str, float]:
    return {name: after[name] - before.get(name, 0) for name in after}


def requests_per_second(ask: Callable[[httpx.Client], None], clients: int, seconds: float) -> float:
    done = [0] * clients
    deadline = time.perf_counter() + seconds

    def client_loop(number: int) -> None:
        with httpx.Client(timeout=TIMEOUT) as client:
            while time.perf_counter() < deadline:
                ask(client)
                done[number] += 1

    threads = [threading.Thread(target=client_loop, args=(n,)) for n in range(clients)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sum(done) / (time.perf_counter() - started)


def p50(call: Callable[[], Any], repeat: int, before: Callable[[], None] | None = None) -> float:
    call()  # warm up
    times = []
    for _ in range(repeat):
        if before is not None:
            before()
        started = time.perf_counter()
        call()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


# --- the processes ------------------------------------------------------------------------


def write_config(path: Path, url: str, metrics: int) -> Path:
    """The benchmark hub's config as TOML (the same metrics as the loaded data)."""
    settings = data.config(url, metrics)
    lines = [
        f"[database]\nurl = {json.dumps(url)}",
        "[auth]\nrequired = false\nrate_limit = 0",  # the clients ask as fast as they can
        "[aggregation]\nmax_values = 100000",
        "[scheduler]\nenabled = false",
    ]
    for code, spec in settings["metrics"].items():
        lines.append(
            f'[metrics.{code}]\nname = {json.dumps(spec["name"])}\nsector = "benchmark"\n'
            f'aggregation = "{spec["aggregation"]}"\n'
            f"disaggregations = {json.dumps(spec['disaggregations'])}"
        )
    path.write_text("\n\n".join(lines) + "\n")
    return path


@contextmanager
def served_hub(config: Path) -> Iterator[tuple[str, int]]:
    """``iochub serve`` in a process of its own; yields its /graphql URL and its pid."""
    port = free_port()
    command = [sys.executable, "-m", "hub.cli", "serve", "--config", str(config)]
    url = f"http://127.0.0.1:{port}/graphql"
    with running([*command, "--port", str(port)]) as process:
        wait_until_up(lambda: httpx.post(url, json={"query": "{ __typename }"}), process)
        yield url, process.pid


@contextmanager
def plain_route(url: str, scale: str) -> Iterator[str]:
    """The baseline's litestar app in a process of its own; yields its URL."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    command = [sys.executable, __file__, "--plain-route", url, "--scale", scale]
    with running([*command, "--port", str(port)]) as process:
        wait_until_up(lambda: httpx.get(f"{base}/up"), process)
        yield base


@contextmanager
def background_writer(url: str, metrics: int, commune: str) -> Iterator[None]:
    """Another process committing an unrelated value every :data:`WRITE_EVERY` seconds."""
    command = [sys.executable, __file__, "--writer", url, "--metrics", str(metrics)]
    with running([*command, "--commune", commune]):
        time.sleep(3)  # its hub prepared, and writing
        yield


@contextmanager
def running(command: list[str]) -> Iterator[subprocess.Popen[bytes]]:
    process = subprocess.Popen(command, cwd=ROOT)
    try:
        yield process
    finally:
        process.terminate()
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:  # the plain route finishing the GROUP BYs queued
            process.kill()
            process.wait()


def serve_plain_route(url: str, port: int, scale: str) -> None:
    """What a team would write instead of the hub: the tiles' GROUP BY behind a route."""
    import uvicorn
    from litestar import Litestar, get

    plain = SimpleNamespace(db=Database(url))  # what the tiles' SQL needs of a hub
    tiles = tiles_of(scale, plain)  # type: ignore[arg-type]

    @get("/up", sync_to_thread=False)
    def up() -> str:
        return "up"  # not a tile: a national tile takes longer than a probe waits

    @get("/tile/{index:int}", sync_to_thread=True)
    def tile(index: int) -> list[dict[str, Any]]:
        found = tiles[index].raw(plain)  # type: ignore[arg-type]
        return [{"unit": u, "period": p, "value": v} for (u, p), v in sorted(found.items())]

    uvicorn.run(Litestar([up, tile]), host="127.0.0.1", port=port, log_level="warning")


def write_forever(url: str, metrics: int, commune: str) -> None:
    hub = Hub.create(settings_from_dict(data.config(url, metrics), os.environ))
    hub.prepare()
    writes = Writes(hub, UNRELATED, commune)
    while True:
        writes.one()
        time.sleep(WRITE_EVERY)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_until_up(probe: Callable[[], Any], process: subprocess.Popen[bytes]) -> None:
    for _ in range(600):
        if process.poll() is not None:
            raise RuntimeError(f"{process.args} ended with {process.returncode}")
        try:
            probe()
            return
        except httpx.TransportError:
            time.sleep(0.1)
    raise RuntimeError(f"{process.args} did not answer")


def resident_mb(pid: int) -> float:
    """The peak resident memory of a process (VmHWM), in MB."""
    status = Path(f"/proc/{pid}/status").read_text()
    line = next(line for line in status.splitlines() if line.startswith("VmHWM:"))
    return int(line.split()[1]) / 1024


# --- report -------------------------------------------------------------------------------


def print_results(results: list[Result], args: argparse.Namespace) -> None:
    print("\n" + "=" * 100)
    for result in results:
        print(
            f"\n{result.backend}: p50 ms, hub / plain route (×: plain route's time over the hub's)"
        )
        print(f"  {'tile':38}{'quiet':>24}{'an unrelated commit before each ask':>40}")
        for tile in result.tiles:
            line = f"  {tile.name:38}"
            for phase in ("quiet", "unrelated"):
                hub_ms, plain_ms = tile.ms[phase]
                line += f"{hub_ms:>9.1f} / {plain_ms:>7.1f}{plain_ms / hub_ms:>6.1f}×"
            print(line)
        print(
            f"  a miss (the tile's metric written before each ask), against an empty request "
            f"({result.empty_ms:.1f} ms) plus the engine's roll-up read:"
        )
        for name, miss_ms, expected_ms in result.miss:
            print(f"  {name:38}{miss_ms:>9.1f} / {expected_ms:>7.1f}{miss_ms / expected_ms:>6.2f}×")
        quiet, writes = result.throughput["quiet"], result.throughput["writes"]
        tile = result.tiles[SCANNING_TILE[args.scale]].name
        print(f"  {args.clients} clients on «{tile}», requests/s, hub / plain route:")
        print(
            f"    quiet {quiet[0]:,.0f} / {quiet[1]:,.0f} ({quiet[0] / quiet[1]:.1f}×); "
            f"a commit every {WRITE_EVERY * 1000:.0f} ms {writes[0]:,.0f} / {writes[1]:,.0f} "
            f"({writes[0] / writes[1]:.1f}×); under writes / quiet: {writes[0] / quiet[0]:.2f}"
        )
        print(f"  kept responses during them (hub): {json.dumps(result.lookups)}")
        print(f"  iochub serve's peak resident memory: {result.resident_mb:,.0f} MB")
        agree = ", ".join("yes" if same else "NO" for same in result.agree)
        print(f"  the hub's and the plain route's answers agree, by tile: {agree}")
        if result.steps:
            print(f"  the load, by step: {json.dumps(result.steps)}")


if __name__ == "__main__":
    main()
