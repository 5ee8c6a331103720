"""Debian's headless Chromium driven by selenium, allowed to reach 127.0.0.1 and nothing else.

Chromium is started with a fresh profile, without any of its background traffic (updates,
sync, metrics), and with every host name resolving nowhere except 127.0.0.1; its network log
is kept so that a test can check that no request left the machine (:meth:`Browser.hosts`).
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webelement import WebElement
from selenium.webdriver.support.ui import WebDriverWait

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
    "--window-size=1500,1100",
    '--host-resolver-rules="MAP * ~NOTFOUND , EXCLUDE 127.0.0.1"',
)
WAIT_S = 20


def installed() -> bool:
    return Path(CHROMIUM).exists() and Path(CHROMEDRIVER).exists()


class Browser:
    """One Chromium with its own profile in ``folder``; screenshots go to ``folder`` too."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        options = webdriver.ChromeOptions()
        options.binary_location = CHROMIUM
        for flag in FLAGS:
            options.add_argument(flag)
        options.add_argument(f"--user-data-dir={folder / 'profile'}")
        options.set_capability("goog:loggingPrefs", {"performance": "ALL"})
        self.driver = webdriver.Chrome(options=options, service=Service(CHROMEDRIVER))
        self.requested: set[str] = set()

    def close(self) -> None:
        self.driver.quit()
        shutil.rmtree(self.folder / "profile", ignore_errors=True)

    def open(self, url: str) -> None:
        self.driver.get(url)

    def find(self, css: str) -> WebElement:
        return self.wait_for(lambda: self.driver.find_element(By.CSS_SELECTOR, css))

    def all(self, css: str) -> list[WebElement]:
        return self.driver.find_elements(By.CSS_SELECTOR, css)

    def wait_for(self, found: Callable[[], Any], timeout: float = WAIT_S) -> Any:
        """What ``found`` returns once it is truthy (it may raise until then)."""
        return WebDriverWait(self.driver, timeout, ignored_exceptions=(Exception,)).until(
            lambda _: found()
        )

    def text(self, css: str) -> str:
        return self.find(css).text

    def screenshot(self, name: str) -> Path:
        path = self.folder / f"{name}.png"
        self.driver.save_screenshot(str(path))
        return path

    def hosts(self) -> set[str]:
        """Every host the browser sent a request to since it started."""
        for entry in self.driver.get_log("performance"):
            message = json.loads(entry["message"])["message"]
            if message["method"] in ("Network.requestWillBeSent", "Network.webSocketCreated"):
                url = message["params"].get("request", message["params"]).get("url", "")
                if urlsplit(url).scheme in ("http", "https", "ws", "wss"):
                    self.requested.add(urlsplit(url).hostname or "")
        return self.requested

    def console_errors(self) -> list[str]:
        return [e["message"] for e in self.driver.get_log("browser") if e["level"] == "SEVERE"]
