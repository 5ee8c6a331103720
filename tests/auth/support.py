"""Minting real tokens for tests: stored hashed in the hub's database, as ``token create`` does.

``issue_token`` refuses units that no longer exist today; the tests' seeded corners are
often the retired units of before the 2025 reform, so :func:`mint` writes the row itself.
"""

from __future__ import annotations

import secrets
from datetime import timedelta

from hub.auth.principal import Principal, Role
from hub.auth.tokens import SHOWN_PREFIX, TOKEN_PREFIX, hash_secret
from hub.core import Hub
from hub.model import ApiToken
from hub.model.base import utcnow


def mint(
    hub: Hub,
    name: str,
    role: Role | str,
    units: tuple[str, ...] = (),
    sectors: tuple[str, ...] = (),
    days: float = 1,
    revoked: bool = False,
) -> str:
    """A token's secret, its row stored (``days`` may be negative: already expired)."""
    role = Role(role)
    Principal(name, role, units, sectors)  # the same checks as token create
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    now = utcnow()
    with hub.db.session() as session:
        session.add(
            ApiToken(
                name=name,
                role=role.value,
                units=list(units),
                sectors=list(sectors),
                prefix=secret[:SHOWN_PREFIX],
                secret_hash=hash_secret(secret),
                created_at=now,
                expires_at=now + timedelta(days=days),
                revoked_at=now if revoked else None,
            )
        )
    return secret


def bearer(secret: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}"}
