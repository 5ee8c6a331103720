"""From a request's ``Authorization`` header to a principal: hub tokens, then JWTs.

``Bearer ioc_…`` is looked up among the hub's tokens; ``Bearer <header>.<claims>.<signature>``
is checked against the identity provider ``[auth]`` configures. Without a header, the request
is refused when ``[auth] required`` (the default), else it acts as the anonymous principal.

Every request (every GraphQL operation, whichever transport) counts against the principal's
rate. A principal kept for a while (a WebSocket's) is checked again before each operation by
:meth:`Authenticator.check_standing`: its expiry, and whether its token was revoked (read at
most once a second per token). A sign-in that fails is logged and audited, and an address
that fails more than ``[auth] failed_sign_ins`` times a minute is refused unchecked.
The console's pages send the token the person signed in with as the HttpOnly cookie
``iochub_token`` instead (:func:`bearer_of`).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Mapping
from http.cookies import CookieError, SimpleCookie
from typing import Any
from urllib.parse import urlsplit

from hub.auth import audit
from hub.auth.jwt import JwtVerifier, looks_like_jwt
from hub.auth.principal import ANONYMOUS, Principal
from hub.auth.ratelimit import RateLimiter
from hub.auth.tokens import InvalidToken, principal_of_token, token_revoked
from hub.config.settings import AuthSettings
from hub.model.base import utcnow
from hub.model.database import Database

log = logging.getLogger(__name__)

REVOCATION_CHECK_SECONDS = 1.0
"""How long a token's "not revoked" is believed before it is read again."""
TOKEN_COOKIE = "iochub_token"
"""The HttpOnly cookie the console's sign-in sets (SameSite=Strict) with the pasted token."""


class NotAuthenticated(Exception):
    """No usable credentials; the message says what is wrong, never with the secret."""


class RateLimited(Exception):
    """The principal made more requests than ``[auth] rate_limit`` allows a minute."""


class Authenticator:
    """Who a request is, for one hub (its tokens, its identity provider, its rate limits)."""

    def __init__(self, db: Database, settings: AuthSettings) -> None:
        self.db = db
        self.settings = settings
        self.jwt = JwtVerifier.from_settings(settings)
        self.limiter = RateLimiter(settings.rate_limit)
        self.failures = RateLimiter(settings.failed_sign_ins)
        self._standing: dict[int, float] = {}
        """Token id → when it was last read unrevoked (monotonic seconds)."""
        self._revoked: set[int] = set()
        self._lock = threading.Lock()

    def principal(self, authorization: str | None, client: str | None = None) -> Principal:
        """The principal of an ``Authorization`` header value (None: none was sent).

        NotAuthenticated for a missing (when required), malformed, unknown, expired or
        revoked credential; RateLimited past the principal's rate, or past the address's
        failed sign-ins.
        """
        address = f"address:{client}"
        if self.failures.exhausted(address):
            raise RateLimited(
                f"more than {self.settings.failed_sign_ins} failed sign-ins a minute from "
                "this address: wait a minute and retry with a valid token"
            )
        try:
            principal = self._identify(authorization)
        except NotAuthenticated as exc:
            self._refused(credential_kind(authorization), client, str(exc))
            raise
        self.count_request(principal, client)
        return principal

    def count_request(self, principal: Principal, client: str | None) -> None:
        """Take one request from the principal's rate; RateLimited when it is spent."""
        key = (
            f"anonymous:{client}" if principal is ANONYMOUS else f"{principal.via}:{principal.name}"
        )
        if not self.limiter.allow(key):
            raise RateLimited(
                f"more than {self.settings.rate_limit} requests a minute: slow down and retry"
            )

    def check_standing(self, principal: Principal, client: str | None = None) -> None:
        """NotAuthenticated (logged and audited) if the principal's credential has expired
        or was revoked since it was checked."""
        reason = None
        if principal.expires_at is not None and principal.expires_at <= utcnow():
            reason = "the token has expired"
        elif principal.token_id is not None and self._token_revoked(principal.token_id):
            reason = "the token was revoked"
        if reason:
            self._refused(principal.via, client, reason)
            raise NotAuthenticated(reason)

    def _token_revoked(self, token_id: int) -> bool:
        now = time.monotonic()
        with self._lock:
            if token_id in self._revoked:
                return True
            if now - self._standing.get(token_id, -REVOCATION_CHECK_SECONDS) < (
                REVOCATION_CHECK_SECONDS
            ):
                return False
        with self.db.sessions() as session:
            revoked = token_revoked(session, token_id)
        with self._lock:
            if revoked:
                self._revoked.add(token_id)
            else:
                self._standing[token_id] = now
        return revoked

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

    def _refused(self, kind: str, client: str | None, reason: str) -> None:
        """Log and audit a failed sign-in, and count it against the client's address."""
        self.failures.allow(f"address:{client}")
        log.warning("sign-in refused (%s) from %s: %s", kind, client or "unknown address", reason)
        with self.db.session() as session:
            audit.record_refused_sign_in(session, kind, reason, client)


def credential_kind(authorization: str | None) -> str:
    """What a caller presented, as the audit log says it (never the secret itself)."""
    if authorization is None or not authorization.strip():
        return "none"
    scheme, _, credential = authorization.strip().partition(" ")
    if scheme.lower() != "bearer":
        return "other"
    return "jwt" if looks_like_jwt(credential.strip()) else "token"


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
