"""Opaque API tokens: ``ioc_`` and 43 random characters, stored as a SHA-256 hash.

The secret is returned once, by :func:`issue_token`; the database keeps its hash, a prefix to
recognise it, who it is for, its scope, its expiry and when it was revoked.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.auth.principal import Principal, Role, check_scope_shape
from hub.model import AdminUnit, ApiToken, Succession
from hub.model.base import utcnow
from hub.units.queries import valid_on

TOKEN_PREFIX = "ioc_"
SHOWN_PREFIX = 12
"""How many characters of a secret listings show (``ioc_`` and 8 more)."""
LAST_USED_PRECISION = timedelta(minutes=1)
"""``last_used_at`` is written at most this often, not on every request."""


class TokenError(LookupError):
    """A token that cannot be issued or found; the message says why."""


class InvalidToken(Exception):
    """A presented token that is unknown, expired or revoked (the message says which)."""


@dataclass(frozen=True)
class IssuedToken:
    """A new token: the secret (shown once) and its stored row."""

    secret: str
    row: ApiToken


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def issue_token(
    session: Session,
    name: str,
    role: Role,
    units: tuple[str, ...] = (),
    sectors: tuple[str, ...] = (),
    purpose: str | None = None,
    days: int = 90,
    now: datetime | None = None,
) -> IssuedToken:
    """Store a new token and return its secret; TokenError for an unknown or retired unit."""
    check_scope_shape(role, units, sectors)
    if not name.strip():
        raise TokenError("a token needs the name of who holds it: give --name")
    if days < 1:
        raise TokenError("a token lives at least one day: give --days 1 or more")
    moment = now or utcnow()
    for code in units:
        _require_current_unit(session, code, moment)
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    row = ApiToken(
        name=name.strip(),
        role=role.value,
        units=list(units),
        sectors=sorted({sector.strip() for sector in sectors}),
        purpose=purpose,
        prefix=secret[:SHOWN_PREFIX],
        secret_hash=hash_secret(secret),
        created_at=moment,
        expires_at=moment + timedelta(days=days),
    )
    session.add(row)
    session.flush()
    return IssuedToken(secret, row)


def _require_current_unit(session: Session, code: str, moment: datetime) -> None:
    """TokenError unless a unit has ``code`` today; a retired code names what it became."""
    day = moment.date()
    if session.scalars(select(AdminUnit.id).where(AdminUnit.code == code, valid_on(day))).first():
        return
    records = list(session.scalars(select(AdminUnit).where(AdminUnit.code == code)))
    if not records:
        raise TokenError(f"no administrative unit has the code {code!r} (load the units first?)")
    successors = sorted(
        session.scalars(
            select(AdminUnit.code)
            .join(Succession, Succession.successor_id == AdminUnit.id)
            .where(Succession.predecessor_id.in_([record.id for record in records]))
        )
    )
    became = f"; it became {', '.join(successors)}" if successors else ""
    raise TokenError(f"the unit {code!r} no longer exists on {day.isoformat()}{became}")


def principal_of_token(session: Session, secret: str, now: datetime | None = None) -> Principal:
    """The principal a presented secret stands for; InvalidToken if it does not stand."""
    if not secret.startswith(TOKEN_PREFIX) or len(secret) > 200:
        raise InvalidToken("not a token of this hub")
    digest = hash_secret(secret)
    row = session.scalars(select(ApiToken).where(ApiToken.secret_hash == digest)).first()
    if row is None or not hmac.compare_digest(row.secret_hash, digest):
        raise InvalidToken("unknown token")
    moment = now or utcnow()
    if row.revoked_at is not None:
        raise InvalidToken("the token was revoked")
    if row.expires_at <= moment:
        raise InvalidToken("the token has expired")
    if row.last_used_at is None or moment - row.last_used_at > LAST_USED_PRECISION:
        row.last_used_at = moment
    return Principal(
        name=row.name,
        role=Role(row.role),
        units=tuple(row.units),
        sectors=tuple(row.sectors),
        purpose=row.purpose,
        via=f"token:{row.id}",
        expires_at=row.expires_at,
    )


def token_revoked(session: Session, token_id: int) -> bool:
    """Whether the token with this id was revoked (or no longer exists)."""
    row = session.execute(select(ApiToken.revoked_at).where(ApiToken.id == token_id)).first()
    return row is None or row.revoked_at is not None


def list_tokens(session: Session) -> list[ApiToken]:
    """Every token, newest first."""
    return list(session.scalars(select(ApiToken).order_by(ApiToken.id.desc())))


def revoke_token(session: Session, key: str, now: datetime | None = None) -> ApiToken:
    """Revoke the token with this id or prefix; TokenError if none or several match."""
    key = key.strip()
    if key.isdigit():
        found = [row] if (row := session.get(ApiToken, int(key))) else []
    else:
        matching = ApiToken.prefix.startswith(key, autoescape=True)
        found = list(session.scalars(select(ApiToken).where(matching)))
    if not found:
        raise TokenError(f"no token has the id or prefix {key!r} (see iochub token list)")
    if len(found) > 1:
        raise TokenError(f"{len(found)} tokens start with {key!r}: give its id")
    row = found[0]
    if row.revoked_at is None:
        row.revoked_at = now or utcnow()
    return row
