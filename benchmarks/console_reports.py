"""Benchmark: the console's reports page before and after a change, side by side in one run.

Serves the same demo database twice, each from its own process: once from the code of a git
revision (``--before``, by default where this branch left ``main``; unpacked with
``git archive``) and once from this working tree. Both are measured in the same run,
alternately, so that the load of a shared machine weighs on both alike. For each it prints
the medians of ``--repeat`` measures of:

- ``page``: in Debian's headless Chromium, from the start of the navigation until the last
  GraphQL answer the reports page asked for on load (what a person waits for; the target is
  under 300 ms);
- ``SQL``: the statements the server ran for one load of the page (its HTML, and every
  GraphQL operation the page sent);
- the page's operations sent alone by httpx: the list of forms, and the board of the last
  three months (three aliased ``reportingCompliance`` before, one
  ``reportingComplianceHistory`` after), and twelve months;

beside a baseline of the same server, ``{ __typename }``.

    .venv/bin/python benchmarks/console_reports.py --database iochub-demo.db
    .venv/bin/python benchmarks/console_reports.py --before main --repeat 9

Not part of the test suite.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path
from typing import IO, Any

ROOT = Path(__file__).resolve().parents[1]
FORM, WITHIN, LAST = "KTXH-XA-THANG", "51", "2026-11"
PAGE = f"/reports?template={FORM}&within={WITHIN}&period={LAST}&count=3"
LAST_GRAPHQL_ANSWER = """
  return Math.max(...performance.getEntriesByType("resource")
    .filter((entry) => entry.name.endsWith("/graphql")).map((entry) => entry.responseEnd));
"""
BOARD_FIELDS = "period due onTime late missing units { unit { code name } status timeliness }"


def months_until(last: str, count: int) -> list[str]:
    year, month = map(int, last.split("-"))
    index = year * 12 + month - 1
    return [f"{i // 12}-{i % 12 + 1:02d}" for i in range(index - count + 1, index + 1)]


def aliased_board(count: int) -> dict[str, Any]:
    """The board as the console asked for it before: one ``reportingCompliance`` a period."""
    fields = "\n".join(
        f'p{i}: reportingCompliance(template: "{FORM}", period: "{p}", within: "{WITHIN}") '
        f"{{ {BOARD_FIELDS} }}"
        for i, p in enumerate(months_until(LAST, count))
    )
    return {"query": f"{{ {fields} }}"}


def history_board(count: int) -> dict[str, Any]:
    """The board in one ``reportingComplianceHistory``."""
    return {
        "query": f'{{ reportingComplianceHistory(template: "{FORM}", within: "{WITHIN}", '
        f'until: "{LAST}", count: {count}) {{ {BOARD_FIELDS} }} }}'
    }


@dataclass
class Served:
    """One hub served by a child process: its URL, and a line protocol to read its SQL count."""

    name: str
    url: str
    process: subprocess.Popen[str]
    has_history: bool

    def statements(self) -> int:
        stdin, stdout = self.process.stdin, self.process.stdout
        assert stdin is not None and stdout is not None
        stdin.write("count\n")
        stdin.flush()
        return int(stdout.readline())


def serve_here(tree: str, database: str) -> None:
    """The child process: serve ``database`` with the code of ``tree``; print the URL, then
    the number of SQL statements run so far each time a line is read."""
    sys.path.insert(0, tree)
    from sqlalchemy import event

    import hub
    from hub.cli.demo import demo_config
    from hub.config import settings_from_dict
    from hub.core import Hub
    from hub.plugins.manager import Plugins
    from tests.support.api_server import served_api

    assert Path(hub.__file__).is_relative_to(tree), hub.__file__
    plugins = Plugins.load()
    served = Hub.create(
        settings_from_dict(demo_config(Path(database), plugins), os.environ), plugins
    )
    count = [0]
    event.listen(
        served.db.engine, "before_cursor_execute", lambda *_: count.__setitem__(0, count[0] + 1)
    )
    with served_api(served) as websocket_url:
        print(websocket_url.replace("ws://", "http://").removesuffix("/graphql"), flush=True)
        for _ in sys.stdin:
            print(count[0], flush=True)


@contextmanager
def served(name: str, tree: Path, database: Path) -> Iterator[Served]:
    command = [sys.executable, __file__, "--serve", str(tree), str(database)]
    process = subprocess.Popen(
        command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, cwd=tree
    )
    try:
        stdout: IO[str] = process.stdout  # type: ignore[assignment]
        url = stdout.readline().strip()
        if not url.startswith("http"):
            raise RuntimeError(f"{name}: the hub did not start")
        import httpx

        fields = httpx.post(
            f"{url}/graphql", json={"query": '{ __type(name: "Query") { fields { name } } }'}
        ).json()["data"]["__type"]["fields"]
        has_history = any(f["name"] == "reportingComplianceHistory" for f in fields)
        yield Served(name, url, process, has_history)
    finally:
        process.stdin.close()  # type: ignore[union-attr]
        process.wait(30)


def unpack(revision: str, folder: Path) -> Path:
    archive = subprocess.run(
        ["git", "archive", revision], cwd=ROOT, check=True, capture_output=True
    ).stdout
    with tarfile.open(fileobj=BytesIO(archive)) as unpacked:
        unpacked.extractall(folder, filter="data")
    return folder


def median_ms(measure: Callable[[], float], repeat: int) -> float:
    return statistics.median(measure() for _ in range(repeat))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database", type=Path, help="a demo database already built")
    parser.add_argument("--before", help="the revision to compare with (default: merge-base)")
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--serve", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve_here(*args.serve)
        return
    sys.path.insert(0, str(ROOT))
    import httpx

    from tests.console.browser import Browser

    before = (
        args.before
        or subprocess.run(
            ["git", "merge-base", "HEAD", "main"],
            cwd=ROOT,
            check=True,
            capture_output=True,
            text=True,
        ).stdout.strip()
    )
    folder = Path(tempfile.mkdtemp(prefix="iochub-reports-bench-"))
    database = args.database or folder / "demo.db"
    if args.database is None:
        from hub.cli.demo import run_demo

        print("building the demo…", flush=True)
        run_demo(database, "127.0.0.1", 0, serve=False)
    old_tree = unpack(before, folder / "before")
    browser = Browser(folder)
    rows: dict[str, dict[str, float | int | None]] = {}
    try:
        with (
            served(f"before ({before[:7]})", old_tree, database) as old,
            served("after (this tree)", ROOT, database) as new,
        ):
            sides = [old, new]
            for side in sides:  # warm both: templates parsed, statements cached
                browser.open(side.url + PAGE)
                browser.find("#board-table")
            measures: dict[str, dict[str, list[float]]] = {s.name: {} for s in sides}
            for _ in range(args.repeat):
                for side in sides:
                    measure(side, browser, httpx, measures[side.name])
            for side in sides:
                rows[side.name] = {k: statistics.median(v) for k, v in measures[side.name].items()}
    finally:
        browser.close()
    print_table(rows, args.repeat)


def measure(side: Served, browser: Any, httpx: Any, into: dict[str, list[float]]) -> None:
    def add(key: str, value: float) -> None:
        into.setdefault(key, []).append(value)

    def timed(body: dict[str, Any]) -> float:
        start = time.perf_counter()
        answer = httpx.post(f"{side.url}/graphql", json=body, timeout=60).json()
        elapsed = (time.perf_counter() - start) * 1000
        assert not answer.get("errors"), answer["errors"]
        return elapsed

    add("baseline { __typename }", timed({"query": "{ __typename }"}))
    first = side.statements()
    browser.open(side.url + PAGE)
    browser.find("#board-table")
    add(
        "page: until the last answer (ms)",
        float(browser.driver.execute_script(LAST_GRAPHQL_ANSWER)),
    )
    add("page: SQL statements", side.statements() - first)
    add("reportTemplates", timed({"query": "{ reportTemplates { code name periodType } }"}))
    board = history_board if side.has_history else aliased_board
    add("board, 3 months", timed(board(3)))
    add("board, 12 months", timed(board(12)))


def print_table(rows: dict[str, dict[str, float | int | None]], repeat: int) -> None:
    names = list(rows)
    keys = list(rows[names[0]])
    print(f"\nreports page {PAGE}: medians of {repeat}, ms unless said")
    print(f"{'':36}" + "".join(f"{name:>24}" for name in names) + f"{'after/before':>14}")
    for key in keys:
        values = [rows[name][key] for name in names]
        ratio = values[1] / values[0] if values[0] else float("nan")
        cells = "".join(f"{value:24.1f}" for value in values)
        print(f"{key:36}{cells}{ratio:14.2f}")


if __name__ == "__main__":
    main()
