"""Benchmark: dashboard queries through GraphQL against a plain GROUP BY, and ingest rates.

Loads Kon Tum's 102 communes (``--scale national``: all 10,034 communes of the 63 provinces
before the 2025 reform, with the 34 provinces and 3,321 communes since and the succession
between them) × 120 months × as many metrics (with disaggregations) as make the number of
observations asked (10 million by default) into SQLite and PostgreSQL, then prints, side by
side for each backend:

- the ingest rate of ``iochub import`` (the same path: ``read_long_csv`` → ``load_records``,
  with validation, upserts and roll-ups) against a plain bulk insert of the same rows into
  an identical, empty database (``executemany`` on SQLite, ``COPY`` on PostgreSQL);
- the median time of typical dashboard queries through GraphQL (and through the engine
  alone), against the same answer computed by a plain SQL ``GROUP BY`` over the raw
  observations. The answers are compared as they are timed.

    .venv/bin/python benchmarks/aggregation.py --observations 200000          # a quick run
    .venv/bin/python benchmarks/aggregation.py --backends sqlite              # 10M, SQLite
    .venv/bin/python benchmarks/aggregation.py --scale national --observations 30000000 \
        --backends postgresql                                                 # 30M, the country

Not part of the test suite. PostgreSQL: ``IOCHUB_BENCH_POSTGRES_URL`` (an admin URL, default
the local server the tests use); the databases ``iochub_bench_*`` are dropped and re-created.
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import socket
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import httpx
import uvicorn
from sqlalchemy import create_engine, select, text
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from hub.aggregation import AggregateRequest, Limits, aggregate  # noqa: E402
from hub.config import settings_from_dict  # noqa: E402
from hub.connectors.runtime import load_records  # noqa: E402
from hub.core import Hub  # noqa: E402
from hub.ingest.csv_import import read_long_csv  # noqa: E402
from hub.ingest.normalise import dims_key  # noqa: E402
from hub.model import AdminLevel, AdminUnit, Metric  # noqa: E402
from hub.periods import PeriodType, parse_period  # noqa: E402
from hub.units import bundled_unit_files, load_units  # noqa: E402

KON_TUM, QUANG_NGAI = 62, 51
MONTHS = [f"{2015 + (6 + m) // 12}-{(6 + m) % 12 + 1:02d}" for m in range(120)]  # 2015-07…2025-06
CELLS = [[{"sex": s} for s in "FM"], [{"sex": s, "age": a} for s in "FM" for a in "ABC"], [{}]]
KINDS = ["SUM", "SUM", "AVERAGE", "SUM", "LAST", "AVERAGE_SUM_UNITS"]
AS_OF = date(2025, 1, 1)
POSTGRES_ADMIN = os.environ.get(
    "IOCHUB_BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)


@dataclass
class Result:
    backend: str
    rows: int = 0
    import_seconds: float = 0.0
    bulk_seconds: float = 0.0
    queries: list[tuple[str, float, float, float, float, bool]] = field(default_factory=list)
    floor_ms: float = 0.0
    """A ``{ __typename }`` through the same HTTP stack: what any request costs."""


def main() -> None:
    args = parse_args()
    work = Path(args.workdir or tempfile.mkdtemp(prefix="iochub-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    units = unit_files(args.scale, work / "units")
    communes = legacy_communes(units, None if args.scale == "national" else KON_TUM)
    metrics = metric_count(args.observations, len(communes))
    data = work / "observations.csv"
    rows = write_observations(data, communes, metrics, args.order)
    shape = f"{len(communes)} communes × {len(MONTHS)} months × {metrics} metrics"
    print(f"{rows:,} observations: {shape}")
    results = [
        run_backend(backend, work, units, data, metrics, rows, args) for backend in args.backends
    ]
    print_results(results)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--observations", type=int, default=10_000_000)
    parser.add_argument("--backends", type=lambda s: s.split(","), default=["sqlite", "postgresql"])
    parser.add_argument(
        "--order",
        choices=["period", "metric"],
        default="period",
        help="row order of the file: month by month (default) or metric by metric",
    )
    parser.add_argument(
        "--scale",
        choices=["kontum", "national"],
        default="kontum",
        help="Kon Tum's communes (default), or every commune of the country",
    )
    parser.add_argument("--repeat", type=int, default=15, help="timings per query (median)")
    parser.add_argument("--workdir", help="where files go (default: a new temporary folder)")
    return parser.parse_args()


# --- data ---------------------------------------------------------------------------------


def unit_files(scale: str, folder: Path) -> list[Path]:
    """The unit files a scale loads: the bundled ones, or Kon Tum's part of them."""
    return bundled_unit_files() if scale == "national" else write_unit_subset(folder)


def write_unit_subset(folder: Path) -> list[Path]:
    """The bundled unit files cut down to Kon Tum and Quảng Ngãi (before and after 2025)."""
    folder.mkdir(parents=True, exist_ok=True)
    keep = {
        "gso_legacy_districts": lambda r: int(r["Mã TP"]) in (KON_TUM, QUANG_NGAI),
        "gso_legacy_communes": lambda r: int(r["Mã TP"]) in (KON_TUM, QUANG_NGAI),
        "communes_2025": lambda r: int(r["provinceCode"]) == QUANG_NGAI,
        "succession": lambda r: int(r["newProvinceCode"]) == QUANG_NGAI,
    }
    written = []
    for source in bundled_unit_files():
        wanted = next(test for prefix, test in keep.items() if source.name.startswith(prefix))
        encoding = "utf-8-sig" if source.name.startswith("gso") else "utf-8"
        with source.open(encoding="utf-8-sig", newline="") as handle:
            reader = csv.DictReader(handle)
            header, kept = reader.fieldnames or [], [row for row in reader if wanted(row)]
        target = folder / source.name
        with target.open("w", encoding=encoding, newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=header, lineterminator="\n")
            writer.writeheader()
            writer.writerows(kept)
        written.append(target)
    return written


def legacy_communes(unit_files: list[Path], province: int | None = KON_TUM) -> list[str]:
    """The communes before the reform, of one province or (None) of the whole country."""
    path = next(p for p in unit_files if p.name.startswith("gso_legacy_communes"))
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return sorted(
            row["Mã"].zfill(5)
            for row in csv.DictReader(handle)
            if province is None or int(row["Mã TP"]) == province
        )


def metric_count(observations: int, communes: int) -> int:
    per_metric = communes * len(MONTHS) * sum(len(c) for c in CELLS) / len(CELLS)
    return max(len(CELLS), round(observations / per_metric))


def metric_code(number: int) -> str:
    return f"bench_{number:03d}"


def write_observations(path: Path, communes: list[str], metrics: int, order: str) -> int:
    rnd = random.Random(2025)
    rows = 0
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["metric", "unit", "period", "value", "sex", "age"])
        outer, inner = (MONTHS, range(metrics)) if order == "period" else (range(metrics), MONTHS)
        for first in outer:
            for second in inner:
                month, number = (first, second) if order == "period" else (second, first)
                for commune in communes:
                    for cell in CELLS[number % len(CELLS)]:
                        value = rnd.randint(0, 500)
                        writer.writerow(
                            [
                                metric_code(number),
                                commune,
                                month,
                                value,
                                cell.get("sex", ""),
                                cell.get("age", ""),
                            ]
                        )
                        rows += 1
    return rows


def config(url: str, metrics: int) -> dict[str, Any]:
    return {
        "database": {"url": url},
        "auth": {"required": False},  # the queries are timed, not the tokens
        "runtime": {"batch_size": 5000},
        "aggregation": {"max_values": 100_000},
        "metrics": {
            metric_code(n): {
                "name": f"Benchmark metric {n}",
                "sector": "benchmark",
                "aggregation": KINDS[n % len(KINDS)],
                "disaggregations": sorted(set().union(*CELLS[n % len(CELLS)])),
            }
            for n in range(metrics)
        },
    }


# --- one backend --------------------------------------------------------------------------


def run_backend(
    backend: str,
    work: Path,
    units: list[Path],
    data: Path,
    metrics: int,
    rows: int,
    args: argparse.Namespace,
) -> Result:
    result = Result(backend, rows)
    print(f"\n== {backend}")
    hub = fresh_hub(backend, work, "import", metrics, units)
    started = time.perf_counter()
    run = load_records(hub, "import", read_long_csv(data))
    result.import_seconds = time.perf_counter() - started
    print(
        f"iochub import: {run.status}, {run.records_written:,} written in "
        f"{result.import_seconds:.1f} s ({rows / result.import_seconds:,.0f} rows/s)"
    )
    bulk = fresh_hub(backend, work, "bulk", metrics, units)
    result.bulk_seconds = bulk_insert(bulk, data)
    print(f"bulk insert: {result.bulk_seconds:.1f} s ({rows / result.bulk_seconds:,.0f} rows/s)")
    bulk.close()
    analyze(hub)
    result.queries, result.floor_ms = time_queries(hub, tiles_of(args.scale, hub), args.repeat)
    hub.close()
    return result


def fresh_hub(backend: str, work: Path, name: str, metrics: int, units: list[Path]) -> Hub:
    """A hub on a new, migrated database holding the units and the benchmark's metrics."""
    if backend == "sqlite":
        path = work / f"{name}.db"
        for stale in work.glob(f"{name}.db*"):
            stale.unlink()
        url = f"sqlite:///{path}"
    else:
        database = f"iochub_bench_{name}"
        admin = create_engine(POSTGRES_ADMIN, isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)'))
            connection.execute(text(f'CREATE DATABASE "{database}"'))
        admin.dispose()
        url = make_url(POSTGRES_ADMIN).set(database=database).render_as_string(hide_password=False)
    hub = Hub.create(settings_from_dict(config(url, metrics), os.environ))
    hub.prepare()
    load_units(hub.db, units)
    return hub


def bulk_insert(hub: Hub, data: Path) -> float:
    """Read the file and insert its rows as they are: no checks, no upsert, no roll-ups."""
    with hub.db.session() as session:
        metric_ids = dict(session.execute(select(Metric.code, Metric.id)).all())
        legacy = select(AdminUnit.code, AdminUnit.id).where(AdminUnit.valid_to == date(2025, 6, 30))
        unit_ids = dict(session.execute(legacy).all())
    started = time.perf_counter()
    rows = bulk_rows(data, metric_ids, unit_ids)
    if hub.db.is_postgresql:
        copy_rows(hub, rows)
    else:
        insert_rows(hub, rows)
    return time.perf_counter() - started


COLUMNS = (
    "metric_id",
    "unit_id",
    "calendar",
    "period_type",
    "period",
    "period_start",
    "period_end",
    "dims_key",
    "dims",
    "value",
    "source",
    "updated_at",
)


def bulk_rows(
    data: Path, metric_ids: dict[str, int], unit_ids: dict[str, int]
) -> Iterator[tuple[Any, ...]]:
    now = time.strftime("%Y-%m-%d %H:%M:%S+00:00", time.gmtime())
    with data.open(newline="") as handle:
        reader = csv.reader(handle)
        next(reader)
        for metric, unit, period_id, value, sex, age in reader:
            period = parse_period(period_id)
            dims = {name: v for name, v in (("sex", sex), ("age", age)) if v}
            yield (
                metric_ids[metric],
                unit_ids[unit],
                "GREGORIAN",
                period.type.value,
                period.id,
                period.start,
                period.end,
                dims_key(dims),
                dims,
                float(value),
                "bulk",
                now,
            )


def insert_rows(hub: Hub, rows: Iterator[tuple[Any, ...]]) -> None:
    import json

    sql = (
        f"INSERT INTO observations ({', '.join(COLUMNS)}) "
        f"VALUES ({', '.join('?' for _ in COLUMNS)})"
    )
    connection = hub.db.engine.raw_connection()
    try:
        cursor = connection.cursor()
        batch: list[tuple[Any, ...]] = []
        for row in rows:
            batch.append(
                (
                    *row[:5],
                    row[5].isoformat(),
                    row[6].isoformat(),
                    row[7],
                    json.dumps(row[8]),
                    *row[9:],
                )
            )
            if len(batch) == 10_000:
                cursor.executemany(sql, batch)
                batch.clear()
        cursor.executemany(sql, batch)
        connection.commit()
    finally:
        connection.close()


def copy_rows(hub: Hub, rows: Iterator[tuple[Any, ...]]) -> None:
    from psycopg.types.json import Jsonb

    connection = hub.db.engine.raw_connection()
    try:
        cursor = connection.cursor()
        with cursor.copy(f"COPY observations ({', '.join(COLUMNS)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row((*row[:8], Jsonb(row[8]), *row[9:]))
        connection.commit()
    finally:
        connection.close()


def analyze(hub: Hub) -> None:
    with hub.db.engine.connect() as connection:
        connection.execute(text("ANALYZE"))
        connection.commit()


# --- queries ------------------------------------------------------------------------------


@dataclass
class Dashboard:
    """One tile: the aggregate query, and the GROUP BY giving the same numbers."""

    name: str
    variables: dict[str, Any]
    raw: Callable[[Hub], dict[tuple[str, str], float]]


def dashboards(hub: Hub) -> list[Dashboard]:
    with hub.db.session() as session:
        metric = session.scalar(select(Metric.id).where(Metric.code == metric_code(0)))
        units = {
            code: (unit_id, level)
            for code, unit_id, level in session.execute(
                select(AdminUnit.code, AdminUnit.id, AdminUnit.level).where(
                    AdminUnit.valid_to == date(2025, 6, 30)
                )
            )
        }
    province = units[str(KON_TUM)][0]
    commune = min(
        code
        for code, (_, level) in units.items()
        if level == AdminLevel.COMMUNE and code.startswith("23")
    )
    quarter = _quarter_sql(hub)
    return [
        Dashboard(
            "province by month, one year",
            {
                "metric": metric_code(0),
                "periodType": "MONTH",
                "from": "2024-07",
                "to": "2025-06",
                "units": [str(KON_TUM)],
            },
            lambda hub: raw(
                hub,
                f"""
                SELECT '{KON_TUM}', o.period, SUM(o.value) FROM observations o
                JOIN admin_units c ON c.id = o.unit_id JOIN admin_units d ON d.id = c.parent_id
                WHERE o.metric_id = {metric} AND d.parent_id = {province}
                  AND o.period_start >= '2024-07-01' AND o.period_end <= '2025-06-30'
                GROUP BY o.period""",
            ),
        ),
        Dashboard(
            "all districts by quarter, ten years",
            {
                "metric": metric_code(0),
                "periodType": "QUARTER",
                "from": "2015-Q3",
                "to": "2025-Q2",
                "level": "DISTRICT",
                "within": str(KON_TUM),
            },
            lambda hub: raw(
                hub,
                f"""
                SELECT d.code, {quarter}, SUM(o.value) FROM observations o
                JOIN admin_units c ON c.id = o.unit_id JOIN admin_units d ON d.id = c.parent_id
                WHERE o.metric_id = {metric} AND d.parent_id = {province}
                GROUP BY d.code, {quarter}""",
            ),
        ),
        Dashboard(
            "one commune, ten years by month",
            {
                "metric": metric_code(0),
                "periodType": "MONTH",
                "from": MONTHS[0],
                "to": MONTHS[-1],
                "units": [commune],
            },
            lambda hub: raw(
                hub,
                f"""
                SELECT '{commune}', o.period, SUM(o.value) FROM observations o
                WHERE o.metric_id = {metric} AND o.unit_id = {units[commune][0]}
                GROUP BY o.period""",
            ),
        ),
    ]


def national_dashboards(hub: Hub) -> list[Dashboard]:
    """The tiles of a national dashboard: every province, and one province's communes."""
    with hub.db.session() as session:
        metric = session.scalar(select(Metric.id).where(Metric.code == metric_code(0)))
        province = session.scalar(
            select(AdminUnit.id).where(
                AdminUnit.code == str(KON_TUM), AdminUnit.valid_to == date(2025, 6, 30)
            )
        )
    quarter = _quarter_sql(hub)
    return [
        Dashboard(
            "all provinces by quarter, ten years",
            {
                "metric": metric_code(0),
                "periodType": "QUARTER",
                "from": "2015-Q3",
                "to": "2025-Q2",
                "level": "PROVINCE",
            },
            lambda hub: raw(
                hub,
                f"""
                SELECT p.code, {quarter}, SUM(o.value) FROM observations o
                JOIN admin_units c ON c.id = o.unit_id JOIN admin_units d ON d.id = c.parent_id
                JOIN admin_units p ON p.id = d.parent_id
                WHERE o.metric_id = {metric}
                GROUP BY p.code, {quarter}""",
            ),
        ),
        Dashboard(
            "one province's communes by month, one year",
            {
                "metric": metric_code(0),
                "periodType": "MONTH",
                "from": "2024-07",
                "to": "2025-06",
                "level": "COMMUNE",
                "within": str(KON_TUM),
            },
            lambda hub: raw(
                hub,
                f"""
                SELECT c.code, o.period, SUM(o.value) FROM observations o
                JOIN admin_units c ON c.id = o.unit_id JOIN admin_units d ON d.id = c.parent_id
                WHERE o.metric_id = {metric} AND d.parent_id = {province}
                  AND o.period_start >= '2024-07-01' AND o.period_end <= '2025-06-30'
                GROUP BY c.code, o.period""",
            ),
        ),
    ]


def _quarter_sql(hub: Hub) -> str:
    if hub.db.is_postgresql:
        return "to_char(o.period_start, 'YYYY') || '-Q' || to_char(o.period_start, 'Q')"
    return (
        "strftime('%Y', o.period_start) || '-Q' || "
        "((CAST(strftime('%m', o.period_start) AS INTEGER) + 2) / 3)"
    )


def raw(hub: Hub, sql: str) -> dict[tuple[str, str], float]:
    with hub.db.engine.connect() as connection:
        return {(unit, period): value for unit, period, value in connection.execute(text(sql))}


GRAPHQL = """query($metric: String!, $periodType: PeriodType!, $from: String!, $to: String!,
                   $level: AdminLevel, $within: ID, $units: [ID!], $asOf: Date) {
  aggregate(metric: $metric, periodType: $periodType, from: $from, to: $to, level: $level,
            within: $within, units: $units, asOf: $asOf) { unit { code } period value } }"""


def tiles_of(scale: str, hub: Hub) -> list[Dashboard]:
    return national_dashboards(hub) if scale == "national" else dashboards(hub)


def time_queries(
    hub: Hub, tiles: list[Dashboard], repeat: int
) -> tuple[list[tuple[str, float, float, float, float, bool]], float]:
    """Each tile's times (see ``print_results``), and the time of an empty request."""
    found = []
    with served(hub) as client:
        floor_ms, _ = median_ms(
            lambda: client.post("/graphql", json={"query": "{ __typename }"}), repeat
        )
        for tile in tiles:
            variables = {**tile.variables, "asOf": AS_OF.isoformat()}

            def through_graphql(variables: dict[str, Any] = variables) -> dict[Any, Any]:
                body = client.post("/graphql", json={"query": GRAPHQL, "variables": variables})
                values = body.json()["data"]["aggregate"]
                return {(v["unit"]["code"], v["period"]): v["value"] for v in values}

            def through_engine(variables: dict[str, Any] = variables) -> object:
                return aggregate(hub.db, request_of(variables), Limits(max_values=100_000))

            started = time.perf_counter()
            through_graphql()  # the first time: read from the roll-ups, then remembered
            first_ms = (time.perf_counter() - started) * 1000
            graphql_ms, answer = median_ms(through_graphql, repeat)
            engine_ms, _ = median_ms(through_engine, repeat)
            raw_ms, expected = median_ms(lambda tile=tile: tile.raw(hub), repeat)
            found.append(
                (tile.name, first_ms, graphql_ms, engine_ms, raw_ms, same(answer, expected))
            )
    return found, floor_ms


@contextmanager
def served(hub: Hub) -> Iterator[httpx.Client]:
    """The hub's API on a local port (uvicorn, as ``iochub serve``), and a client of it."""
    from hub.graphql.app import create_app

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = uvicorn.Server(
        uvicorn.Config(create_app(hub), host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.05)
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=60) as client:
            yield client
    finally:
        server.should_exit = True
        thread.join()


def same(answer: dict[Any, Any], expected: dict[Any, Any]) -> bool:
    """Whether two answers agree (the GROUP BY has no rows where nothing was reported)."""
    reported = {key: value for key, value in answer.items() if value is not None}
    return reported.keys() == expected.keys() and all(
        abs(reported[key] - expected[key]) < 1e-6 * max(1.0, abs(expected[key])) for key in expected
    )


def request_of(variables: dict[str, Any]) -> AggregateRequest:
    return AggregateRequest(
        metric=variables["metric"],
        period_type=PeriodType(variables["periodType"]),
        start=variables["from"],
        end=variables["to"],
        level=variables.get("level"),
        within=variables.get("within"),
        units=tuple(variables["units"]) if "units" in variables else None,
        as_of=date.fromisoformat(variables["asOf"]) if "asOf" in variables else AS_OF,
    )


def median_ms(call: Callable[[], Any], repeat: int) -> tuple[float, Any]:
    answer = call()  # warm up
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        call()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times), answer


# --- report -------------------------------------------------------------------------------


def print_results(results: list[Result]) -> None:
    print("\n" + "=" * 100)
    header = f"{'':38}" + "".join(f"{r.backend:>50}" for r in results)
    print(header)
    print(
        f"{'ingest (rows/s)':38}"
        + "".join(
            f"{'import ' + format(r.rows / r.import_seconds, ',.0f'):>35}"
            f"{'bulk ' + format(r.rows / r.bulk_seconds, ',.0f'):>15}"
            for r in results
        )
    )
    print(
        f"{'  import / bulk':38}"
        + "".join(f"{r.bulk_seconds / r.import_seconds:>49.2f} " for r in results)
    )
    print(
        f"{'dashboard query (median ms)':38}"
        + "".join(f"{'first  ×faster  GraphQL engine   raw  ×faster':>50}" for _ in results)
    )
    for index, (name, *_rest) in enumerate(results[0].queries):
        line = f"  {name:36}"
        for result in results:
            _, first_ms, graphql_ms, engine_ms, raw_ms, same = result.queries[index]
            check = "" if same else " ≠"
            line += f"{first_ms:>9.2f}{raw_ms / first_ms:>8.1f}×"
            line += f"{graphql_ms:>9.2f}{engine_ms:>7.2f}{raw_ms:>7.1f}"
            line += f"{raw_ms / graphql_ms:>7.1f}×{check}"
        print(line)
    empty = "  an empty request, { __typename }"
    print(f"{empty:38}" + "".join(f"{r.floor_ms:>27.2f}{'':23}" for r in results))
    print(
        "(first: the GraphQL query asked for the first time, read from the roll-ups; then the\n"
        " median of asking again (the response kept until the data changes), the engine alone\n"
        " (its answer remembered), and the plain GROUP BY; ×faster: the GROUP BY's time over\n"
        " the GraphQL query's; ≠: answers differ; an empty request: what any request through\n"
        " HTTP, litestar and strawberry costs here)"
    )


if __name__ == "__main__":
    main()
