"""The console's fixtures: a hub with Kon Tum's units, a citizen-feedback portal on a real
socket behind a connector that starts disabled, an alert rule on its cases, the API served by
uvicorn, tokens for each role, and a headless Chromium that may reach only 127.0.0.1."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from hub.auth.principal import Role
from hub.core import Hub
from hub.units import load_units
from tests.auth.support import mint
from tests.console.browser import Browser, installed
from tests.plugins.feedback.conftest import KON_TUM_WARD, SERVICES, request, table
from tests.plugins.feedback.portal_server import Open311Portal
from tests.support.api_server import served_api
from tests.units.reference import QUANG_NGAI, write_subset

CONNECTOR = "feedback-portal"
ALERT_RULE = "new-feedback-case"
ROLES: dict[str, tuple[Role, tuple[str, ...], tuple[str, ...]]] = {
    "admin": (Role.ADMIN, (), ()),
    "leader": (Role.LEADER, (), ()),
    "unit_officer": (Role.UNIT_OFFICER, (KON_TUM_WARD,), ()),
    "sector_officer": (Role.SECTOR_OFFICER, (), ("feedback",)),
}


@dataclass
class Console:
    """The served hub: its URL, its portal, and a token for each role of :data:`ROLES`."""

    hub: Hub
    url: str
    portal: Open311Portal
    tokens: dict[str, str]

    def graphql(self, who: str, query: str, **variables: Any) -> dict[str, Any]:
        """The data of an operation sent as ``who`` (a key of :data:`ROLES`)."""
        response = httpx.post(
            f"{self.url}/graphql",
            json={"query": query, "variables": variables},
            headers={"Authorization": f"Bearer {self.tokens[who]}"},
            timeout=60,
        )
        body = response.json()
        assert not body.get("errors"), body["errors"]
        return body["data"]


@pytest.fixture(scope="session")
def unit_files(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    """The unit lists cut down to Quảng Ngãi and the Kon Tum it took in."""
    return write_subset(tmp_path_factory.mktemp("units"), {QUANG_NGAI})


@pytest.fixture
def portal() -> Iterator[Open311Portal]:
    with Open311Portal(SERVICES, page_size=3) as server:
        server.put(request("1", "2025-11-03T08:00:00+07:00"))
        server.put(request("2", "2025-11-04T09:30:00+07:00", status="closed"))
        server.put(request("3", "2025-11-05T10:00:00+07:00", "on hold"))
        yield server


@pytest.fixture
def console(
    make_hub: Callable[..., Hub], unit_files: list[Path], portal: Open311Portal
) -> Iterator[Console]:
    with served_console(make_hub, unit_files, portal, {"required": True}) as served:
        yield served


@contextmanager
def served_console(
    make_hub: Callable[..., Hub],
    unit_files: list[Path],
    portal: Open311Portal,
    auth: dict[str, Any],
) -> Iterator[Console]:
    """The console's hub with these ``[auth]`` settings, served on 127.0.0.1."""
    hub = make_hub(
        {
            "connectors": {CONNECTOR: table(portal, enabled=False, schedule="0 6 * * *")},
            "alerts": {
                ALERT_RULE: {"name": "Phản ánh mới", "event_kind": "feedback.case", "severity": 3}
            },
            "aggregation": {"default_within": "51"},
            "auth": auth,
        }
    )
    load_units(hub.db, unit_files)
    tokens = {
        who: mint(hub, f"{who}.test", role, units, sectors)
        for who, (role, units, sectors) in ROLES.items()
    }
    with served_api(hub) as websocket_url:
        url = websocket_url.removeprefix("ws").removesuffix("/graphql")
        yield Console(hub, f"http{url}", portal, tokens)


@pytest.fixture
def browser(tmp_path: Path) -> Iterator[Browser]:
    if not installed():
        pytest.skip(
            "Debian's chromium and chromium-driver are not installed (.ci/run installs them)"
        )
    opened = Browser(tmp_path)
    try:
        yield opened
        assert opened.hosts() <= {"127.0.0.1"}, "the console sent a request off the machine"
    finally:
        opened.close()


def sign_in(browser: Browser, console: Console, who: str) -> None:
    """Sign in on the console's page by pasting ``who``'s token, as a person would."""
    browser.open(f"{console.url}/signin")
    browser.find("#token").send_keys(console.tokens[who])
    browser.find("#signin").click()
    browser.wait_for(lambda: browser.driver.current_url.rstrip("/") == console.url)
