"""The console's routes without a browser: the sign-in cookie and its guards, the pages each
role may open, GraphiQL and every asset served from the package, the Vietnamese names."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from litestar.testing import TestClient

from hub.auth.principal import Role
from hub.console.pages import STATIC
from hub.core import Hub
from hub.graphql.app import create_app
from hub.plugins.manager import Plugins
from tests.auth.support import mint

HOST = "http://testserver.local"
VIEWER = "{ connectors { id } }"
TEMPLATES = Path(STATIC).parent / "templates"


@pytest.fixture
def hub(make_hub: Callable[..., Hub]) -> Hub:
    return make_hub(
        {
            "auth": {"required": True},
            "metrics": {
                "beds": {"name": "Hospital beds", "name_vi": "Giường bệnh", "sector": "health"}
            },
            "indicators": {
                "beds_per_bed": {"name": "Beds per bed", "numerator": "beds", "name_vi": "Tỷ lệ"}
            },
        }
    )


@pytest.fixture
def client(hub: Hub) -> Iterator[TestClient]:
    with TestClient(create_app(hub), base_url=HOST) as test_client:
        yield test_client


def sign_in(client: TestClient, token: str, origin: str | None = HOST) -> object:
    headers = {"origin": origin} if origin else {}
    return client.post("/signin", data={"token": token}, headers=headers, follow_redirects=False)


def test_signing_in_keeps_the_token_in_an_httponly_strict_cookie(
    client: TestClient, hub: Hub
) -> None:
    token = mint(hub, "lanh.dao", Role.LEADER)
    response = sign_in(client, token)
    assert response.status_code == 303 and response.headers["location"] == "/"
    cookie = response.headers["set-cookie"]
    assert cookie.startswith(f"iochub_token={token};")
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie and "Path=/" in cookie
    page = client.get("/")
    assert page.status_code == 200 and "lanh.dao" in page.text
    assert page.headers["cache-control"] == "no-store"


def test_a_bad_token_or_a_sign_in_from_another_site_sets_no_cookie(
    client: TestClient, hub: Hub
) -> None:
    refused = sign_in(client, "ioc_unknown")
    assert refused.status_code == 401 and "set-cookie" not in refused.headers
    assert "signin-error" in refused.text
    forged = sign_in(client, mint(hub, "a", Role.ADMIN), origin="http://evil.example")
    assert forged.status_code == 403 and "set-cookie" not in forged.headers
    assert sign_in(client, mint(hub, "b", Role.ADMIN), origin=None).status_code == 403


def test_the_api_takes_the_cookie_only_from_the_hubs_own_pages(
    client: TestClient, hub: Hub
) -> None:
    client.cookies.set("iochub_token", mint(hub, "quan.tri", Role.ADMIN))
    same_site = client.post("/graphql", json={"query": VIEWER}, headers={"origin": HOST})
    assert same_site.json() == {"data": {"connectors": []}}
    forged = client.post(
        "/graphql", json={"query": VIEWER}, headers={"origin": "http://evil.example"}
    )
    assert forged.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert client.get("/reports/templates/NONE.xlsx").status_code == 404  # authenticated


def test_a_page_the_role_may_not_open_answers_403_and_is_not_in_its_menu(
    client: TestClient, hub: Hub
) -> None:
    sign_in(client, mint(hub, "can.bo", Role.UNIT_OFFICER, ("23293",)))
    overview = client.get("/")
    assert 'href="/reports"' in overview.text and 'href="/connectors"' not in overview.text
    for path in ("/connectors", "/access"):
        assert client.get(path).status_code == 403
    assert client.get("/reports").status_code == 200


def test_without_a_credential_a_page_sends_to_the_sign_in(client: TestClient) -> None:
    response = client.get("/connectors", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/signin"


def test_english_is_a_choice_remembered(client: TestClient) -> None:
    assert "Đăng nhập" in client.get("/signin").text
    english = client.get("/signin?lang=en")
    assert "Sign in" in english.text and 'lang="en"' in english.text
    assert "Sign in" in client.get("/signin").text


def test_graphiql_and_every_page_load_only_what_the_package_serves(
    client: TestClient, hub: Hub
) -> None:
    sign_in(client, mint(hub, "quan.tri", Role.ADMIN))
    pages = [client.get(path).text for path in ("/", "/reports", "/connectors", "/access")]
    graphiql = client.get("/graphql", headers={"accept": "text/html"}).text
    assert "GraphiQL" in graphiql
    for html in [*pages, graphiql]:
        assert not re.search(r"""(src|href)=["']?(https?:)?//""", html)
        for asset in re.findall(r"""(?:src|href)=["'](/console/static/[^"']+)""", html):
            assert client.get(asset).status_code == 200, asset
    modules = list((STATIC / "js").glob("*.js"))
    for module in modules:
        for imported in re.findall(r'from "\./([^"]+)"', module.read_text()):
            assert (STATIC / "js" / imported).exists(), (module.name, imported)
        code = module.read_text().replace("http://www.w3.org/2000/svg", "")  # a name, not a URL
        assert "http://" not in code and "https://" not in code


def test_metrics_and_indicators_have_a_vietnamese_name_set_in_config(
    client: TestClient, hub: Hub
) -> None:
    client.cookies.set("iochub_token", mint(hub, "lanh.dao", Role.LEADER))
    body = client.post(
        "/graphql", json={"query": "{ metrics { code nameVi } indicators { code nameVi } }"}
    ).json()["data"]
    assert {"code": "beds", "nameVi": "Giường bệnh"} in body["metrics"]
    assert {"code": "beds_per_bed", "nameVi": "Tỷ lệ"} in body["indicators"]


def test_every_built_in_metric_and_indicator_has_a_vietnamese_name(plugins: Plugins) -> None:
    unnamed = [d.code for _, d in [*plugins.metrics(), *plugins.indicators()] if not d.name_vi]
    assert unnamed == []
