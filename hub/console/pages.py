"""The console's routes: sign-in and sign-out, one page per area, and the static assets.

A page is rendered for whoever the request's credential names (the ``iochub_token`` cookie,
or anyone when ``[auth] required = false``): its menu lists only the pages their role may
open, and a page they may not open answers 403. The data itself comes from the GraphQL API,
which checks every read and change again.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import anyio.to_thread
from jinja2 import Environment, PackageLoader, select_autoescape
from litestar import Request, Response, get, post
from litestar.datastructures import Cookie
from litestar.enums import RequestEncodingType
from litestar.params import Body
from litestar.response import Redirect
from litestar.static_files import create_static_files_router

from hub.auth.authenticate import (
    TOKEN_COOKIE,
    Authenticator,
    NotAuthenticated,
    RateLimited,
    bearer_of,
)
from hub.auth.principal import Action, Principal
from hub.console.strings import LANGUAGE_COOKIE, LANGUAGES, strings

if TYPE_CHECKING:
    from litestar.handlers import HTTPRouteHandler
    from litestar.router import Router

    from hub.core import Hub

STATIC = Path(__file__).parent / "static"
TEMPLATES = Environment(
    loader=PackageLoader("hub.console", "templates"), autoescape=select_autoescape()
)
TOKEN_LIFETIME_S = 7 * 24 * 3600
"""How long the browser keeps the cookie at most; sooner when the credential expires sooner
(a JWT lives minutes or hours)."""


@dataclass(frozen=True)
class Page:
    """One page of the console: its path, its title's key, and who may open it."""

    name: str
    path: str
    needs: Action | None = None


PAGES = (
    Page("overview", "/"),
    Page("reports", "/reports", Action.READ_REPORTS),
    Page("connectors", "/connectors", Action.READ_CONNECTORS),
    Page("access", "/access", Action.READ_AUDIT),
)


def console_handlers(hub: Hub, authenticator: Authenticator) -> list[HTTPRouteHandler | Router]:
    """The console's routes (see the module's docstring)."""

    async def viewer(request: Request[Any, Any, Any]) -> Principal | None:
        """Who the request's credential names; None when it names nobody valid."""
        client = request.client.host if request.client else None
        try:
            return await anyio.to_thread.run_sync(
                authenticator.principal, bearer_of(request.headers), client
            )
        except (NotAuthenticated, RateLimited):
            return None

    def page_handler(page: Page) -> HTTPRouteHandler:
        @get(page.path, name=f"console-{page.name}", include_in_schema=False)
        async def show(request: Request[Any, Any, Any]) -> Response[Any]:
            principal = await viewer(request)
            if principal is None:
                return Redirect("/signin", status_code=303)
            language = language_of(request)
            allowed = page.needs is None or principal.may(page.needs)
            html = render(
                "forbidden.html" if not allowed else f"{page.name}.html",
                request,
                language,
                page=page.name,
                principal=principal,
                signed_in=bearer_of(request.headers) is not None,
                pages=[p for p in PAGES if p.needs is None or principal.may(p.needs)],
                may={action.value: principal.may(action) for action in Action},
                within=principal.unit_code or hub.settings.aggregation.default_within,
            )
            status = 200 if allowed else 403
            return with_language(html_response(html, status), request, language)

        return show

    @get("/signin", name="console-signin", include_in_schema=False)
    async def signin_form(request: Request[Any, Any, Any]) -> Response[Any]:
        language = language_of(request)
        return with_language(signin_page(request, language), request, language)

    @post("/signin", name="console-signin-post", include_in_schema=False)
    async def signin(
        request: Request[Any, Any, Any],
        data: dict[str, str] = Body(media_type=RequestEncodingType.URL_ENCODED),
    ) -> Response[Any]:
        language = language_of(request)
        if not same_origin(request):
            return signin_page(request, language, error="bad_origin", status=403)
        token = (data.get("token") or "").strip()
        if not token:
            return signin_page(request, language, error="empty_token", status=400)
        client = request.client.host if request.client else None
        try:
            principal = await anyio.to_thread.run_sync(
                authenticator.principal, f"Bearer {token}", client
            )
        except (NotAuthenticated, RateLimited) as exc:
            return signin_page(request, language, message=str(exc), status=401)
        response = Redirect("/", status_code=303)
        response.cookies.append(token_cookie(request, token, cookie_lifetime(principal)))
        return response

    @post("/signout", name="console-signout", include_in_schema=False, status_code=303)
    async def signout(request: Request[Any, Any, Any]) -> Response[Any]:
        if not same_origin(request):
            return Response("the sign-out did not come from the hub's own page", status_code=403)
        response = Redirect("/signin", status_code=303)
        response.delete_cookie(TOKEN_COOKIE, path="/")
        return response

    static = create_static_files_router(
        path="/console/static",
        directories=[STATIC],
        name="console-static",
        include_in_schema=False,
        cache_control=None,
    )
    return [*map(page_handler, PAGES), signin_form, signin, signout, static]


def render(template: str, request: Request[Any, Any, Any], language: str, **values: Any) -> str:
    """A template rendered with the language's phrases (``t``), also given to the scripts."""
    words = strings(language)
    return TEMPLATES.get_template(template).render(
        t=words,
        strings_json=json.dumps(words, ensure_ascii=False),
        language=language,
        other_language=next(code for code in LANGUAGES if code != language),
        path=request.url.path,
        **values,
    )


def signin_page(
    request: Request[Any, Any, Any],
    language: str,
    error: str | None = None,
    message: str | None = None,
    status: int = 200,
) -> Response[Any]:
    words = strings(language)
    html = render(
        "signin.html",
        request,
        language,
        page="signin",
        error=words[error] if error else message,
        pages=[],
        principal=None,
    )
    return html_response(html, status)


def html_response(html: str, status: int = 200) -> Response[str]:
    """A page, never kept by the browser: it shows what one signed-in person may see."""
    return Response(
        html, media_type="text/html", status_code=status, headers={"Cache-Control": "no-store"}
    )


def language_of(request: Request[Any, Any, Any]) -> str:
    """The language asked for (``?lang=``), else the one chosen before, else Vietnamese."""
    asked = request.query_params.get("lang") or request.cookies.get(LANGUAGE_COOKIE)
    return asked if asked in LANGUAGES else "vi"


def with_language(
    response: Response[Any], request: Request[Any, Any, Any], language: str
) -> Response[Any]:
    """Remember a language chosen with ``?lang=`` for the next pages."""
    if request.query_params.get("lang") == language:
        response.cookies.append(
            Cookie(
                key=LANGUAGE_COOKIE, value=language, path="/", samesite="strict", max_age=31536000
            )
        )
    return response


def cookie_lifetime(principal: Principal, now: datetime | None = None) -> int:
    """Seconds the cookie is kept: :data:`TOKEN_LIFETIME_S`, or until the credential expires."""
    if principal.expires_at is None:
        return TOKEN_LIFETIME_S
    left = (principal.expires_at - (now or datetime.now(UTC))).total_seconds()
    return max(0, min(TOKEN_LIFETIME_S, int(left)))


def token_cookie(request: Request[Any, Any, Any], token: str, max_age: int) -> Cookie:
    """The HttpOnly, SameSite=Strict cookie holding the token (Secure over HTTPS)."""
    return Cookie(
        key=TOKEN_COOKIE,
        value=token,
        path="/",
        max_age=max_age,
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
    )


def same_origin(request: Request[Any, Any, Any]) -> bool:
    """Whether a form was posted from the hub's own pages (its Origin names its Host)."""
    origin = request.headers.get("origin")
    return origin is not None and urlsplit(origin).netloc == request.headers.get("host")
