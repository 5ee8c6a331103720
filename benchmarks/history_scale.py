"""Benchmark: does a dashboard read depend on how much history the database holds?

The question behind partitioning ``observations`` by period, or indexing it with BRIN: as
the table grows to tens of millions of rows, do the hub's reads slow down? This loads the
dashboard data of ``benchmarks/aggregation.py`` (Kon Tum's communes × 120 months; more
observations are more metrics) at each of ``--sizes``, on PostgreSQL by default, and prints
for each size, side by side:

- the table's and its indexes' size on disk, and the roll-ups';
- each tile read by the engine from the roll-ups (nothing remembered: the read itself) and
  by the plain ``GROUP BY`` over the observations (by the ``(metric_id, period_start)``
  index), p50 of ``--asks``;
- a scan across metrics by period (the last month of every metric, as an export or a
  retention job would read), by the B-tree indexes, then again with a BRIN index on
  ``period_start`` (the rows are loaded month by month, as connectors write them, so that
  BRIN's ranges are as tight as they get).

Growth is read as the ratio of each figure to the first size's: a read that does not depend
on the history stays near 1 while the table grows. Then extrapolated linearly to 10 M and
30 M for what grows (sizes).

    .venv/bin/python benchmarks/history_scale.py --sizes 1000000,3000000

``--loaded NAME,…``: the same figures on national datasets that ``benchmarks/national.py
--name NAME`` loaded (every commune of both maps, ten years; more observations are more
metrics there too), each with ``--sizes`` giving its observations; plus one value written
through the hub's ingest path (as a connector would: the upsert and the roll-ups' update),
p50, since a write is what a bigger table could slow down. The BRIN index made for the scan
is dropped again.

    .venv/bin/python benchmarks/history_scale.py --loaded scale_10m,scale_30m \\
        --sizes 10000000,30000000

Not part of the test suite. PostgreSQL: ``IOCHUB_BENCH_POSTGRES_URL`` as in aggregation.py.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import text

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "benchmarks")]

import aggregation as data  # noqa: E402
import national  # noqa: E402
from live_writes import Writes  # noqa: E402

from hub.aggregation import Limits, aggregate, rebuild, remembered  # noqa: E402
from hub.core import Hub  # noqa: E402

LAST_MONTH = "SELECT count(*), sum(value) FROM observations WHERE period_start >= '{0}'"
"""A scan across metrics by period: every metric's last month."""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=lambda s: [int(n) for n in s.split(",")])
    parser.add_argument("--backend", default="postgresql", choices=["postgresql", "sqlite"])
    parser.add_argument("--asks", type=int, default=15)
    parser.add_argument("--loaded", type=lambda s: s.split(","), help="national datasets")
    args = parser.parse_args()
    if args.loaded:
        print_rows(
            [measure_loaded(n, size, args) for n, size in zip(args.loaded, args.sizes, strict=True)]
        )
        return
    work = Path(tempfile.mkdtemp(prefix="iochub-history-"))
    units = data.write_unit_subset(work / "units")
    communes = data.legacy_communes(units)
    rows = [measure(size, args, work, units, communes) for size in args.sizes]
    print_rows(rows)


def measure(
    size: int, args: argparse.Namespace, work: Path, units: list[Path], communes: list[str]
) -> dict[str, Any]:
    metrics = data.metric_count(size, len(communes))
    observations = work / f"observations-{size}.csv"
    count = data.write_observations(observations, communes, metrics, "period")
    print(f"\n== {count:,} observations ({metrics} metrics)", flush=True)
    hub = data.fresh_hub(args.backend, work, f"history_{size}", metrics, units)
    found: dict[str, Any] = {"rows": count, "metrics": metrics}
    found["load_s"] = data.bulk_insert(hub, observations)
    started = time.perf_counter()
    with hub.db.session() as session:
        rebuild(session)
    found["rebuild_s"] = time.perf_counter() - started
    data.analyze(hub)
    observations.unlink()
    measure_reads(hub, data.dashboards(hub), "2025-06-01", args, found)
    hub.close()
    print(found, flush=True)
    return found


def measure_loaded(name: str, size: int, args: argparse.Namespace) -> dict[str, Any]:
    """The figures of a national dataset loaded earlier, and the cost of one write."""
    hub = national.open_loaded(args.backend, Path("."), name, size)
    found: dict[str, Any] = {"rows": scalar(hub, "SELECT count(*) FROM observations")}
    found["metrics"] = national.metric_count(size)
    print(f"\n== {name}: {found['rows']:,} observations", flush=True)
    writes = Writes(hub, data.metric_code(0), national.WRITES_AT[0])
    found["write_ms"] = p50(writes.one, args.asks)
    measure_reads(hub, national.tiles(hub), national.MONTHS[-1] + "-01", args, found)
    if hub.db.is_postgresql:
        execute(hub, "DROP INDEX bench_brin")
    hub.close()
    print(found, flush=True)
    return found


def measure_reads(
    hub: Hub,
    tiles: list[data.Dashboard],
    last_month: str,
    args: argparse.Namespace,
    found: dict[str, Any],
) -> None:
    """Sizes, each tile by the roll-ups and by GROUP BY, and a scan by period (into ``found``)."""
    last_month_sql = LAST_MONTH.format(last_month)
    found["sizes"] = sizes_mb(hub)
    found["tiles"] = {
        tile.name: (
            p50(lambda t=tile: read_afresh(hub, t), args.asks),
            p50(lambda t=tile: t.raw(hub), args.asks),
        )
        for tile in tiles
    }
    if hub.db.is_postgresql:
        found["last_month_btree"] = p50(lambda: scalar(hub, last_month_sql), args.asks)
        found["last_month_btree_plan"] = plan(hub, last_month_sql)
        execute(hub, "CREATE INDEX bench_brin ON observations USING brin (period_start)")
        execute(hub, "ANALYZE observations")
        found["brin_mb"] = scalar(hub, "SELECT pg_relation_size('bench_brin')") / 2**20
        found["last_month_brin"] = p50(lambda: scalar(hub, last_month_sql), args.asks)
        found["last_month_plan"] = plan(hub, last_month_sql)


def read_afresh(hub: Hub, tile: data.Dashboard) -> None:
    """The engine's read of the roll-ups, with nothing remembered."""
    remembered._BY_ENGINE.pop(hub.db.engine, None)
    aggregate(hub.db, data.request_of(tile.variables), Limits(max_values=100_000))


def sizes_mb(hub: Hub) -> dict[str, float]:
    if not hub.db.is_postgresql:
        return {}
    queries = {
        "observations": "pg_relation_size('observations')",
        "observations' indexes": "pg_indexes_size('observations')",
        "roll-ups (all)": "pg_total_relation_size('rollups')",
    }
    return {name: scalar(hub, f"SELECT {query}") / 2**20 for name, query in queries.items()}


def scalar(hub: Hub, sql: str) -> Any:
    with hub.db.engine.connect() as connection:
        return connection.execute(text(sql)).scalar()


def execute(hub: Hub, sql: str) -> None:
    with hub.db.engine.connect() as connection:
        connection.execute(text(sql))
        connection.commit()


def plan(hub: Hub, sql: str) -> str:
    with hub.db.engine.connect() as connection:
        lines = connection.execute(text(f"EXPLAIN {sql}")).scalars().all()
    return " / ".join(line.strip() for line in lines if "Scan" in line)


def p50(call: Callable[[], Any], repeat: int) -> float:
    call()
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        call()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def print_rows(rows: list[dict[str, Any]]) -> None:
    first = rows[0]
    print("\n" + "=" * 100)
    print("observations: " + " | ".join(f"{r['rows']:,} ({r['metrics']} metrics)" for r in rows))
    print(f"{'':56}" + "".join(f"{r['rows'] / 1e6:>12.1f} M" for r in rows) + "   × first")
    for name in first["sizes"]:
        values = [r["sizes"][name] for r in rows]
        print(line(f"{name} (MB)", values))
    if "load_s" in first:
        print(line("load (s)", [r["load_s"] for r in rows]))
        print(line("rebuild of every metric (s)", [r["rebuild_s"] for r in rows]))
    if "write_ms" in first:
        print(line("one value written through the ingest path (ms)", [r["write_ms"] for r in rows]))
    for tile in first["tiles"]:
        print(line(f"{tile}: roll-ups (ms)", [r["tiles"][tile][0] for r in rows]))
        print(line(f"{tile}: GROUP BY (ms)", [r["tiles"][tile][1] for r in rows]))
    if "last_month_btree" in first:
        print(line("last month, every metric: B-tree (ms)", [r["last_month_btree"] for r in rows]))
        print(line("last month, every metric: BRIN (ms)", [r["last_month_brin"] for r in rows]))
        print(line("BRIN index size (MB)", [r["brin_mb"] for r in rows]))
        for r in rows:
            print(f"  plan at {r['rows']:,}: B-tree {r['last_month_btree_plan']}")
            print(f"  plan at {r['rows']:,}: with BRIN {r['last_month_plan']}")
        per_million = {
            name: (rows[-1]["sizes"][name] - first["sizes"][name])
            / ((rows[-1]["rows"] - first["rows"]) / 1e6 or 1)
            for name in first["sizes"]
        }
        for name, mb in per_million.items():
            print(
                f"  {name}: {mb:,.0f} MB a million rows → "
                f"10 M {mb * 10:,.0f} MB, 30 M {mb * 30:,.0f} MB"
            )


def line(label: str, values: list[float]) -> str:
    ratio = values[-1] / values[0] if values[0] else float("nan")
    return f"  {label:54}" + "".join(f"{v:>14.1f}" for v in values) + f"{ratio:>10.2f}×"


if __name__ == "__main__":
    main()
