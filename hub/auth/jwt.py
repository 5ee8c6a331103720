"""Signed JWTs of an external identity provider, when ``[auth]`` configures one.

The token must be signed with the configured key (a PEM public key, an HS256 secret, or a
key of a JWKS file, chosen by the token's ``kid``), be issued by ``jwt_issuer`` for
``jwt_audience``, and be unexpired. Its claims give the principal: ``jwt_role_claim`` the
role, ``jwt_units_claim`` and ``jwt_sectors_claim`` the scope (a string or a list each),
``jwt_name_claim`` (else ``sub``) the name.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import jwt as pyjwt

from hub.auth.principal import InvalidPrincipal, Principal, parse_role
from hub.auth.tokens import InvalidToken
from hub.config import ConfigError
from hub.config.settings import AuthSettings

LEEWAY_SECONDS = 30


@dataclass(frozen=True)
class JwtVerifier:
    """Checks JWTs against one identity provider's issuer, audience and keys."""

    settings: AuthSettings
    keys: dict[str | None, Any]
    """The verification keys by ``kid`` (None: the one key, whatever the kid)."""

    @classmethod
    def from_settings(cls, settings: AuthSettings) -> JwtVerifier | None:
        """The verifier ``[auth]`` configures, or None when JWTs are not accepted."""
        if not settings.jwt_enabled:
            return None
        if settings.jwt_key:
            return cls(settings, {None: settings.jwt_key})
        return cls(settings, _read_key_file(Path(str(settings.jwt_key_file))))

    def principal(self, token: str) -> Principal:
        """The principal of a presented JWT; InvalidToken with the reason if it is not valid."""
        try:
            header = pyjwt.get_unverified_header(token)
            key = self.keys.get(header.get("kid"), self.keys.get(None))
            if key is None:
                raise InvalidToken("the JWT is signed with a key this hub does not know")
            claims = pyjwt.decode(
                token,
                key=key,
                algorithms=self.settings.jwt_algorithms,
                audience=self.settings.jwt_audience,
                issuer=self.settings.jwt_issuer,
                leeway=LEEWAY_SECONDS,
                options={"require": ["exp", "iss", "aud"]},
            )
        except pyjwt.ExpiredSignatureError:
            raise InvalidToken("the JWT has expired") from None
        except pyjwt.PyJWTError as exc:
            raise InvalidToken(f"the JWT is not valid: {_reason(exc)}") from None
        return self._principal_of(claims)

    def _principal_of(self, claims: dict[str, Any]) -> Principal:
        s = self.settings
        name = claims.get(s.jwt_name_claim) or claims.get("sub")
        if not isinstance(name, str) or not name:
            raise InvalidToken(f"the JWT names nobody (no {s.jwt_name_claim!r} or 'sub' claim)")
        try:
            return Principal(
                name=name,
                role=parse_role(str(claims.get(s.jwt_role_claim, ""))),
                units=_strings(claims.get(s.jwt_units_claim)),
                sectors=_strings(claims.get(s.jwt_sectors_claim)),
                purpose=claims.get("purpose") if isinstance(claims.get("purpose"), str) else None,
                via=f"jwt:{s.jwt_issuer}"[:60],
                expires_at=_expiry(claims["exp"]),
            )
        except InvalidPrincipal as exc:
            raise InvalidToken(f"the JWT's claims do not make a principal: {exc}") from None


def _expiry(exp: Any) -> datetime | None:
    """When a JWT stops being accepted (its ``exp`` and the leeway); None: beyond the calendar."""
    try:
        return datetime.fromtimestamp(float(exp), UTC) + timedelta(seconds=LEEWAY_SECONDS)
    except (OverflowError, OSError, ValueError):
        return None


def looks_like_jwt(token: str) -> bool:
    """Whether a bearer token has the three dot-separated parts of a JWT."""
    return token.count(".") == 2


def _strings(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return tuple(part for part in value.replace(",", " ").split() if part)
    if isinstance(value, list):
        return tuple(str(item) for item in value)
    raise InvalidToken("the JWT's unit and sector claims are strings or lists of strings")


def _reason(exc: Exception) -> str:
    """PyJWT's message, which names the failed check (never the key)."""
    return str(exc) or type(exc).__name__


def _read_key_file(path: Path) -> dict[str | None, Any]:
    """A PEM file (one key) or a JWKS document (its keys by ``kid``)."""
    try:
        text = path.read_text()
    except OSError as exc:
        raise ConfigError([f"auth.jwt_key_file: cannot read {path}: {exc.strerror}"]) from None
    if text.lstrip().startswith("{"):
        try:
            document = json.loads(text)
            return {jwk.get("kid"): pyjwt.PyJWK(jwk).key for jwk in document.get("keys", [])}
        except (ValueError, pyjwt.PyJWTError) as exc:
            raise ConfigError([f"auth.jwt_key_file: {path} is not a usable JWKS ({exc})"]) from None
    return {None: text}
