"""Benchmark: how fast the console's pages answer on the demo data, in a real browser.

Builds the demo (``iochub demo --no-serve``: the bundled units, every demo connector synced,
the demo reports) unless ``--database`` names one already built, serves it as ``iochub demo``
does, and prints for each page, as medians of ``--repeat`` loads:

- ``html``: the page itself, fetched by httpx (what the hub's route costs);
- ``data``: in Debian's headless Chromium, from the start of the navigation until the last
  GraphQL answer the page asked for on load arrived (what a person waits for);

beside a baseline measured in the same run: ``GET /health`` and the smallest GraphQL query.
The target is under 300 ms a page.

    .venv/bin/python benchmarks/console.py                          # builds the demo (~1 min)
    .venv/bin/python benchmarks/console.py --database iochub-demo.db --repeat 9

Not part of the test suite.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from hub.cli.demo import demo_config, run_demo  # noqa: E402
from hub.config import settings_from_dict  # noqa: E402
from hub.core import Hub  # noqa: E402
from hub.plugins.manager import Plugins  # noqa: E402
from tests.console.browser import Browser  # noqa: E402
from tests.support.api_server import served_api  # noqa: E402

PAGES = {  # path → what shows once its data arrived
    "/": "#values-table",
    "/reports?template=KTXH-XA-THANG&within=51": "#board-table",
    "/connectors": "#connector-table",
    "/access": ".audit-table",
}
LAST_GRAPHQL_ANSWER = """
  return Math.max(...performance.getEntriesByType("resource")
    .filter((entry) => entry.name.endsWith("/graphql")).map((entry) => entry.responseEnd));
"""


def median_ms(measure: Callable[[], float], repeat: int) -> float:
    return statistics.median(measure() for _ in range(repeat))


def timed_get(client: httpx.Client, path: str) -> Callable[[], float]:
    def measure() -> float:
        start = time.perf_counter()
        client.get(path).raise_for_status()
        return (time.perf_counter() - start) * 1000

    return measure


def timed_load(browser: Browser, url: str, shown: str) -> Callable[[], float]:
    def measure() -> float:
        browser.open(url)
        browser.find(shown)
        return float(browser.driver.execute_script(LAST_GRAPHQL_ANSWER))

    return measure


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database", type=Path, help="a demo database already built")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="iochub-console-bench-"))
    database = args.database or folder / "demo.db"
    if args.database is None:
        print("building the demo…", flush=True)
        run_demo(database, "127.0.0.1", 0, serve=False)
    plugins = Plugins.load()
    hub = Hub.create(settings_from_dict(demo_config(database, plugins), os.environ), plugins)
    with served_api(hub) as websocket_url:
        base = websocket_url.replace("ws://", "http://").removesuffix("/graphql")
        client = httpx.Client(base_url=base, timeout=60)
        graphql = {"query": "{ __typename }"}

        def smallest_query() -> float:
            start = time.perf_counter()
            client.post("/graphql", json=graphql).raise_for_status()
            return (time.perf_counter() - start) * 1000

        browser = Browser(folder)
        try:
            rows = [
                (
                    "baseline: GET /health",
                    median_ms(timed_get(client, "/health"), args.repeat),
                    None,
                ),
                ("baseline: { __typename }", median_ms(smallest_query, args.repeat), None),
            ]
            for path, shown in PAGES.items():
                html = median_ms(timed_get(client, path), args.repeat)
                data = median_ms(timed_load(browser, base + path, shown), args.repeat)
                rows.append((path, html, data))
        finally:
            browser.close()
    print(f"\n{'page':45} {'html ms':>9} {'data ms':>9}   (medians of {args.repeat})")
    for name, html, data in rows:
        print(f"{name:45} {html:9.1f} {'' if data is None else f'{data:9.1f}':>9}")


if __name__ == "__main__":
    main()
