"""Benchmark: what one request costs inside the app — an empty request, a kept response, a miss.

``benchmarks/live_writes.py`` measures tiles through HTTP against a plain route; this one
looks inside: the app of ``iochub serve`` is driven in-process through ASGI (no sockets, no
uvicorn, no other process), so that the hub's own work per request is what is measured:

- **empty**: ``{ __typename }``, the floor of any GraphQL request;
- per tile of ``benchmarks/aggregation.py``'s dashboard (province by month, one year; all
  districts by quarter, ten years; one commune, ten years by month):
  - **read**: the engine alone (``hub.aggregation.aggregate``) after a write to the tile's
    metric: the roll-up read a miss cannot avoid;
  - **hit**: the tile whose response is kept (nothing was written since);
  - **miss**: the same tile after a write to its own metric (the response made anew).

The issue's target for a miss: within 2× of an empty request plus the roll-up read
(``miss / (empty + read)`` in the table).

Each figure is the median of ``--asks`` asks, in wall time and in the processor time the
process used (worker threads included). With ``--baseline TREE`` (a checkout of another
commit with this file copied into its ``benchmarks/``: ``git archive main | tar -x -C
/tmp/base; cp benchmarks/kept_hit.py /tmp/base/benchmarks/``), the same measurement runs on
that tree's code in a second process of the same run and the two are printed side by side,
so the ratios, not the machine's load, tell what changed. For counts that do not depend on
the load:

    valgrind --tool=callgrind --callgrind-out-file=/tmp/hit.out \\
        .venv/bin/python benchmarks/kept_hit.py --only hit --asks 200 --skip-load
    (then: callgrind_annotate /tmp/hit.out | head)

``--calls`` counts instead the Python function calls per ask (yappi, every thread): figures
that the machine's load does not move, for a loaded machine.

``--profile hit`` (or ``miss``) prints yappi's top functions (worker threads included) of
the first tile's asks instead.

    .venv/bin/python benchmarks/kept_hit.py --baseline /tmp/base
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
KINDS = ("empty", "read", "hit", "miss")
TILES = ("province", "districts", "commune")
"""Short names of the tiles of ``aggregation.dashboards``, in its order."""


def main() -> None:
    args = parse_args()
    if args.baseline:
        print_side_by_side(measure_in(Path(args.baseline), args), measure_in(ROOT, args), args)
        return
    figures = asyncio.run(measure(args))
    print(json.dumps(figures))


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--asks", type=int, default=200, help="asks per figure (median)")
    parser.add_argument("--observations", type=int, default=100_000)
    parser.add_argument("--only", choices=KINDS, help="measure only this (for callgrind)")
    parser.add_argument("--profile", choices=("hit", "miss"), help="profile these asks (yappi)")
    parser.add_argument("--calls", action="store_true", help="count calls per ask, not time")
    parser.add_argument("--baseline", help="a source tree to measure beside this one")
    parser.add_argument("--workdir", help="where the database goes (default: a temporary one)")
    parser.add_argument("--skip-load", action="store_true", help="reuse --workdir's database")
    return parser.parse_args()


def measure_in(tree: Path, args: argparse.Namespace) -> dict[str, float]:
    """The figures of the code in ``tree``, measured by a process of its own."""
    work = Path(args.workdir or tempfile.mkdtemp(prefix="iochub-hit-")) / tree.name
    script = tree / "benchmarks" / "kept_hit.py"  # its ROOT, and its aggregation.py's, is tree
    if not script.exists():
        raise SystemExit(f"copy benchmarks/kept_hit.py into {tree / 'benchmarks'} first")
    command = [sys.executable, str(script), "--asks", str(args.asks)]
    command += ["--observations", str(args.observations), "--workdir", str(work)]
    command += ["--calls"] if args.calls else []
    env = {**os.environ, "PYTHONPATH": str(tree)}
    print(f"measuring {tree} …", file=sys.stderr)
    found = subprocess.run(command, env=env, cwd=tree, check=True, capture_output=True, text=True)
    return json.loads(found.stdout.strip().splitlines()[-1])


async def measure(args: argparse.Namespace) -> dict[str, float]:
    import httpx

    app, hub, tiles, write, engine = prepared(args)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://hub") as client:

        async def empty() -> None:
            found = await client.post("/graphql", json={"query": "{ __typename }"})
            found.raise_for_status()

        def asking(body: dict[str, Any]) -> Callable[[], Awaitable[None]]:
            async def ask() -> None:
                found = (await client.post("/graphql", json=body)).json()
                if "errors" in found:
                    raise RuntimeError(found["errors"])

            return ask

        if args.profile:
            await profile(asking(tiles[0][1]), args.asks, write if args.profile == "miss" else None)
            return {}
        figures: dict[str, float] = {}
        if args.only in (None, "empty"):
            figures["empty"], figures["empty cpu"] = await measured(empty, args, None)
        for name, body, request in tiles:
            asks: dict[str, tuple[Callable[[], Awaitable[None]], Callable[[], None] | None]] = {
                "read": (engine(request), write),
                "hit": (asking(body), None),
                "miss": (asking(body), write),
            }
            for kind, (call, before) in asks.items():
                if args.only in (None, kind):
                    key = f"{kind} {name}"
                    figures[key], figures[f"{key} cpu"] = await measured(call, args, before)
    hub.close()
    return figures


def prepared(args: argparse.Namespace) -> tuple[Any, Any, list[Any], Any, Any]:
    """The app of a hub holding the dashboard data, its tiles (each a name, a GraphQL body
    and the engine's request), a write to their metric, and the engine's read of a request."""
    sys.path.insert(1, str(ROOT / "benchmarks"))
    import aggregation as data

    from hub.aggregation import Limits, aggregate, rebuild
    from hub.config import settings_from_dict
    from hub.connectors.records import Observation
    from hub.connectors.runtime import load_records
    from hub.core import Hub
    from hub.graphql.app import create_app

    work = Path(args.workdir or tempfile.mkdtemp(prefix="iochub-hit-"))
    work.mkdir(parents=True, exist_ok=True)
    units = data.write_unit_subset(work / "units")
    communes = data.legacy_communes(units)
    metrics = data.metric_count(args.observations, len(communes))
    if args.skip_load:
        url = f"sqlite:///{work / 'hit.db'}"
        hub = Hub.create(settings_from_dict(data.config(url, metrics), os.environ))
    else:
        hub = data.fresh_hub("sqlite", work, "hit", metrics, units)
        observations = work / "observations.csv"
        data.write_observations(observations, communes, metrics, "period")
        data.bulk_insert(hub, observations)
        with hub.db.session() as session:
            rebuild(session)
        data.analyze(hub)
    hub.settings.auth.rate_limit = 0  # asked as fast as it goes
    tiles = [
        (
            name,
            {
                "query": data.GRAPHQL,
                "variables": {**tile.variables, "asOf": data.AS_OF.isoformat()},
            },
            data.request_of(tile.variables),
        )
        for name, tile in zip(TILES, data.dashboards(hub), strict=True)
    ]
    metric = data.dashboards(hub)[0].variables["metric"]  # every tile's
    count = iter(range(10**9))

    def write() -> None:
        record = Observation(metric, communes[0], "2025-06", next(count) % 500)
        load_records(hub, "bench-writer", iter([record]))

    def engine(request: Any) -> Callable[[], Awaitable[None]]:
        limits = Limits(max_values=hub.settings.aggregation.max_values)

        async def read() -> None:
            aggregate(hub.db, request, limits)

        return read

    return create_app(hub), hub, tiles, write, engine


async def measured(
    call: Callable[[], Awaitable[None]], args: argparse.Namespace, before: Callable[[], None] | None
) -> tuple[float, float]:
    """Two figures of ``call``: its median wall and processor ms, or with ``--calls`` its
    Python function calls per ask (twice: the table's columns stay the same)."""
    if not args.calls:
        return await median_ms(call, args.asks, before)
    calls = await calls_per_ask(call, args.asks, before)
    return calls, calls


async def calls_per_ask(
    call: Callable[[], Awaitable[None]], repeat: int, before: Callable[[], None] | None
) -> float:
    """Python function calls per ``call``, every thread included (yappi; builtins aside)."""
    stats = await under_yappi(call, repeat, before)
    return sum(stat.ncall for stat in stats) / repeat


async def under_yappi(
    call: Callable[[], Awaitable[None]], repeat: int, before: Callable[[], None] | None
) -> Any:
    """yappi's statistics of ``repeat`` calls (``before`` each, not profiled), after one."""
    import yappi

    await call()
    yappi.clear_stats()
    yappi.set_clock_type("cpu")
    for _ in range(repeat):
        if before is not None:
            before()
        yappi.start()
        await call()
        yappi.stop()
    return yappi.get_func_stats()


async def median_ms(
    call: Callable[[], Awaitable[None]], repeat: int, before: Callable[[], None] | None
) -> tuple[float, float]:
    """The median wall time of ``call``, and the median processor time the process used
    meanwhile (its worker threads' too: less moved by the machine's other work), in ms."""
    await call()  # warm up (and keep the response)
    walls, processor = [], []
    for _ in range(repeat):
        if before is not None:
            before()
        started, used = time.perf_counter(), time.process_time()
        await call()
        walls.append((time.perf_counter() - started) * 1000)
        processor.append((time.process_time() - used) * 1000)
    return statistics.median(walls), statistics.median(processor)


async def profile(
    call: Callable[[], Awaitable[None]], repeat: int, before: Callable[[], None] | None
) -> None:
    stats = await under_yappi(call, repeat, before)
    stats.sort("ttot").print_all(
        columns={0: ("name", 70), 1: ("ncall", 10), 2: ("tsub", 9), 3: ("ttot", 9)}
    )


def print_side_by_side(
    before: dict[str, float], after: dict[str, float], args: argparse.Namespace
) -> None:
    what = "Python calls per ask" if args.calls else "median ms"
    print(f"\n{what} of {args.asks} asks, in-process (ASGI), SQLite; baseline / this tree")
    columns = ("calls", "calls") if args.calls else ("wall", "processor")
    print(f"  {'':20}{columns[0]:>20}{columns[1]:>22}")
    rows = ["empty"] + [f"{kind} {tile}" for tile in TILES for kind in KINDS[1:]]
    for row in rows:
        if row in before and row in after:
            print(
                f"  {row:20}{before[row]:>11.2f} /{after[row]:>7.2f}"
                f"{before[row + ' cpu']:>13.2f} /{after[row + ' cpu']:>7.2f}"
            )
    print("  the target: miss / (empty + read) at most 2")
    for tile in TILES:
        ratios = [
            figures[f"miss {tile}{clock}"]
            / (figures[f"empty{clock}"] + figures[f"read {tile}{clock}"])
            for clock in ("", " cpu")
            for figures in (before, after)
            if f"miss {tile}" in figures and f"read {tile}" in figures and "empty" in figures
        ]
        if len(ratios) == 4:
            print(
                f"  {'miss / (e + r) ' + tile:20}{ratios[0]:>11.2f} /{ratios[1]:>7.2f}"
                f"{ratios[2]:>13.2f} /{ratios[3]:>7.2f}"
            )


if __name__ == "__main__":
    main()
