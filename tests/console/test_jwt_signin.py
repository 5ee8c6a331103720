"""Signing in to the console with the identity provider's JWT, in a real headless Chromium.

The hub trusts one provider (an RS256 key made for the test); a person pastes the JWT the
provider issued them, sees what the role in its claims allows, is refused the rest (the pages
and the API behind them), and signs out.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from hub.auth.jwt import LEEWAY_SECONDS
from hub.core import Hub
from tests.auth.test_jwt import AUDIENCE, ISSUER, new_key, public_pem, signed
from tests.console.browser import Browser
from tests.console.conftest import Console, served_console
from tests.plugins.feedback.conftest import KON_TUM_WARD
from tests.plugins.feedback.portal_server import Open311Portal
from tests.reports.conftest import FORM

ASK = """
const [query, done] = [arguments[0], arguments[arguments.length - 1]];
fetch("/graphql", {method: "POST", headers: {"content-type": "application/json"},
  body: JSON.stringify({query})}).then((r) => r.json()).then(done);
"""
CONNECTORS = "{ connectors { id } }"
OWN_UNIT = f'{{ adminUnit(code: "{KON_TUM_WARD}") {{ code name }} }}'


@pytest.fixture
def key() -> rsa.RSAPrivateKey:
    return new_key()


@pytest.fixture
def jwt_console(
    make_hub: Callable[..., Hub],
    unit_files: list[Path],
    portal: Open311Portal,
    key: rsa.RSAPrivateKey,
) -> Iterator[Console]:
    auth = {
        "required": True,
        "jwt_issuer": ISSUER,
        "jwt_audience": AUDIENCE,
        "jwt_key": public_pem(key),
    }
    with served_console(make_hub, unit_files, portal, auth) as served:
        yield served


def paste(browser: Browser, console: Console, credential: str) -> None:
    browser.open(f"{console.url}/signin")
    browser.find("#token").send_keys(credential)
    browser.find("#signin").click()


def ask(browser: Browser, query: str) -> dict[str, Any]:
    """What the API answers the page, with the browser's cookie, as the console's scripts do."""
    return browser.driver.execute_async_script(ASK, query)


def test_a_commune_officer_signs_in_with_a_jwt_sees_its_pages_only_and_signs_out(
    browser: Browser, jwt_console: Console, key: rsa.RSAPrivateKey
) -> None:
    console = jwt_console
    expires = datetime.now(UTC).replace(microsecond=0) + timedelta(minutes=20)
    token = signed(
        key,
        preferred_username="can.bo.phuong.kontum",
        role="unit_officer",
        units=KON_TUM_WARD,
        exp=expires,
    )
    paste(browser, console, token)
    browser.wait_for(lambda: browser.driver.current_url.rstrip("/") == console.url)
    assert browser.text("#who") == "can.bo.phuong.kontum"
    assert browser.text("#role") == "unit_officer"
    menu = {link.get_attribute("id") for link in browser.all("nav a")}
    assert menu == {"nav-overview", "nav-reports"}
    [cookie] = [c for c in browser.driver.get_cookies() if c["name"] == "iochub_token"]
    assert cookie["httpOnly"] and cookie["sameSite"] == "Strict"
    valid_until = expires.timestamp() + LEEWAY_SECONDS  # the hub's leeway for clocks apart
    assert abs(cookie["expiry"] - valid_until) <= 5  # kept no longer than the JWT is valid

    # What the role allows: its own commune's reports, filled in its name.
    console.graphql(
        "admin", "mutation($d: JSON!) { saveReportTemplate(definition: $d) { code } }", d=FORM
    )
    browser.open(f"{console.url}/reports?template=TEST-01&period=2026-03")
    assert browser.find("#within").get_attribute("value") == KON_TUM_WARD
    own = f"a.open-report[data-unit='{KON_TUM_WARD}'][data-period='2026-03']"
    browser.find(own).click()
    browser.find("#report-table input[data-address='D6']").send_keys("3")
    browser.find("#report-save").click()
    browser.wait_for(lambda: browser.find("#report-status").get_attribute("data-status") == "DRAFT")
    assert ask(browser, OWN_UNIT)["data"]["adminUnit"]["code"] == KON_TUM_WARD
    browser.screenshot("jwt-signed-in")

    # What it does not: the admins' pages, and the API behind them.
    for page in ("connectors", "access"):
        browser.open(f"{console.url}/{page}")
        assert browser.text("#forbidden")
    refused = ask(browser, CONNECTORS)
    assert refused["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    browser.screenshot("jwt-refused")

    browser.open(f"{console.url}/")
    browser.find("#signout").click()
    browser.wait_for(lambda: browser.driver.current_url.endswith("/signin"))
    assert not [c for c in browser.driver.get_cookies() if c["name"] == "iochub_token"]
    assert ask(browser, OWN_UNIT)["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    browser.open(f"{console.url}/reports")
    assert browser.driver.current_url.endswith("/signin")


def test_a_jwt_of_another_signer_or_expired_signs_nobody_in(
    browser: Browser, jwt_console: Console, key: rsa.RSAPrivateKey
) -> None:
    forged = signed(new_key(), preferred_username="lanh.dao", role="leader")
    paste(browser, jwt_console, forged)
    assert "signature" in browser.text("#signin-error").lower()
    expired = signed(key, role="leader", exp=datetime.now(UTC) - timedelta(hours=1))
    paste(browser, jwt_console, expired)
    assert "expired" in browser.text("#signin-error").lower()
    browser.open(f"{jwt_console.url}/")
    assert browser.driver.current_url.endswith("/signin")
