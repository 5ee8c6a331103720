"""From a request's ``Authorization`` header to a principal: hub tokens, then JWTs.

``Bearer ioc_…`` is looked up among the hub's tokens; ``Bearer <header>.<claims>.<signature>``
is checked against the identity provider ``[auth]`` configures. Without a header, the request
is refused when ``[auth] required`` (the default), else it acts as the anonymous principal.
The console's pages send the token the person signed in with as the HttpOnly cookie
``iochub_token`` instead (:func:`bearer_of`).
"""

from __future__ import annotations

from collections.abc import Mapping
from http.cookies import CookieError, SimpleCookie
from typing import Any
from urllib.parse import urlsplit

from hub.auth.jwt import JwtVerifier, looks_like_jwt
from hub.auth.principal import ANONYMOUS, Principal
from hub.auth.ratelimit import RateLimiter
from hub.auth.tokens import InvalidToken, principal_of_token
from hub.config.settings import AuthSettings
from hub.model.database import Database

TOKEN_COOKIE = "iochub_token"
"""The HttpOnly cookie the console's sign-in sets (SameSite=Strict) with the pasted token."""


class NotAuthenticated(Exception):
    """No usable credentials; the message says what is wrong, never with the secret."""


class RateLimited(Exception):
    """The principal made more requests than ``[auth] rate_limit`` allows a minute."""


class Authenticator:
    """Who a request is, for one hub (its tokens, its identity provider, its rate limit)."""

    def __init__(self, db: Database, settings: AuthSettings) -> None:
        self.db = db
        self.settings = settings
        self.jwt = JwtVerifier.from_settings(settings)
        self.limiter = RateLimiter(settings.rate_limit)

    def principal(self, authorization: str | None, client: str | None = None) -> Principal:
        """The principal of an ``Authorization`` header value (None: none was sent).

        NotAuthenticated for a missing (when required), malformed, unknown, expired or
        revoked credential; RateLimited past the principal's rate.
        """
        principal = self._identify(authorization)
        key = (
            f"anonymous:{client}" if principal is ANONYMOUS else f"{principal.via}:{principal.name}"
        )
        if not self.limiter.allow(key):
            raise RateLimited(
                f"more than {self.settings.rate_limit} requests a minute: slow down and retry"
            )
        return principal

    def _identify(self, authorization: str | None) -> Principal:
        if authorization is None or not authorization.strip():
            if self.settings.required:
                raise NotAuthenticated(
                    "authentication required: send 'Authorization: Bearer <token>'"
                )
            return ANONYMOUS
        scheme, _, credential = authorization.strip().partition(" ")
        credential = credential.strip()
        if scheme.lower() != "bearer" or not credential:
            raise NotAuthenticated("the Authorization header must be 'Bearer <token>'")
        try:
            if looks_like_jwt(credential):
                if self.jwt is None:
                    raise InvalidToken("this hub accepts no JWTs (no identity provider set)")
                return self.jwt.principal(credential)
            with self.db.session() as session:
                return principal_of_token(session, credential)
        except InvalidToken as exc:
            raise NotAuthenticated(str(exc)) from None


def bearer_of(headers: Mapping[str, str], connection_params: Any = None) -> str | None:
    """The credential of a request: its ``Authorization`` header, else (WebSocket) the
    ``Authorization`` (or ``authorization``, or ``token``) of the connection's init payload,
    else the console's ``iochub_token`` cookie (:func:`cookie_token`)."""
    header = headers.get("authorization")
    if header:
        return header
    if isinstance(connection_params, Mapping):
        for key in ("Authorization", "authorization"):
            value = connection_params.get(key)
            if isinstance(value, str) and value:
                return value
        token = connection_params.get("token")
        if isinstance(token, str) and token:
            return f"Bearer {token}"
    token = cookie_token(headers)
    return f"Bearer {token}" if token else None


def cookie_token(headers: Mapping[str, str]) -> str | None:
    """The token of the ``iochub_token`` cookie, if the request comes from the hub's own pages.

    A browser sends cookies with requests other sites make it send; SameSite=Strict stops most,
    and a request whose ``Origin`` is another site than its ``Host`` gets nothing from the
    cookie (browsers send ``Origin`` with every POST and WebSocket, so a forged mutation or
    subscription is never authenticated by it).
    """
    try:
        morsel = SimpleCookie(headers.get("cookie", "")).get(TOKEN_COOKIE)
    except CookieError:
        return None
    if morsel is None or not morsel.value:
        return None
    origin = headers.get("origin")
    if origin is not None and urlsplit(origin).netloc != headers.get("host"):
        return None
    return morsel.value
