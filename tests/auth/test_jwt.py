"""Signed JWTs of an external identity provider: real RS256 signatures with generated keys."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from litestar.testing import TestClient

from hub.config import ConfigError, settings_from_dict
from hub.core import Hub
from hub.graphql.app import create_app
from tests.auth.conftest import AUTH_CONFIG, World, codes, post
from tests.auth.support import bearer

ISSUER, AUDIENCE = "https://sso.kontum.gov.vn/realms/ioc", "iochub"
EVENTS = "{ events(first: 500) { edges { node { sourceId sector } } } }"


def new_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def public_pem(key: rsa.RSAPrivateKey) -> str:
    return (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )


def signed(key: rsa.RSAPrivateKey, kid: str | None = None, **claims: Any) -> str:
    now = datetime.now(UTC)
    body = {
        "iss": ISSUER,
        "aud": AUDIENCE,
        "sub": "u-1",
        "iat": now,
        "exp": now + timedelta(minutes=5),
        **claims,
    }
    return jwt.encode(body, key, algorithm="RS256", headers={"kid": kid} if kid else None)


@pytest.fixture
def key() -> rsa.RSAPrivateKey:
    return new_key()


@pytest.fixture
def jwt_client(make_hub: Callable[..., Hub], world: World, key: rsa.RSAPrivateKey) -> TestClient:
    auth = {
        "required": True,
        "rate_limit": 0,
        "jwt_issuer": ISSUER,
        "jwt_audience": AUDIENCE,
        "jwt_key": public_pem(key),
    }
    other = make_hub({**AUTH_CONFIG, "auth": auth}, with_plugins=world.hub.plugins)
    with TestClient(create_app(other)) as client:
        yield client


def test_a_signed_jwt_gives_its_role_and_scope(
    jwt_client: TestClient, world: World, key: rsa.RSAPrivateKey
) -> None:
    token = signed(key, preferred_username="can.bo.dakpek", role="unit_officer", units="23341")
    body = post(jwt_client, EVENTS, bearer(token))
    assert "errors" not in body, body
    found = {edge["node"]["sourceId"] for edge in body["data"]["events"]["edges"]}
    assert found and all(
        source.split("-")[0] in {"23341", "23353"}
        for source in found  # Xã Đăk Pék and before
    )
    sector = signed(key, role="sector_officer", sectors=["health"])
    body = post(jwt_client, EVENTS, bearer(sector))
    assert {edge["node"]["sector"] for edge in body["data"]["events"]["edges"]} == {"health"}


@pytest.mark.parametrize(
    ("change", "why"),
    [
        ({"exp": datetime.now(UTC) - timedelta(minutes=5)}, "expired"),
        ({"aud": "another-app"}, "audience"),
        ({"iss": "https://evil.example"}, "issuer"),
        ({"role": "emperor"}, "unknown role"),
        ({"role": "unit_officer"}, "exactly one unit"),
    ],
)
def test_a_wrong_jwt_is_unauthenticated(
    jwt_client: TestClient,
    world: World,
    key: rsa.RSAPrivateKey,
    change: dict[str, Any],
    why: str,
) -> None:
    token = signed(key, **{"role": "leader", **change})
    body = post(jwt_client, EVENTS, bearer(token))
    assert codes(body) == ["UNAUTHENTICATED"], body
    assert why in body["errors"][0]["message"].lower()


def test_a_jwt_signed_by_another_key_or_unsigned_is_refused(
    jwt_client: TestClient, world: World
) -> None:
    forged = signed(new_key(), role="leader")
    unsigned = jwt.encode(
        {
            "iss": ISSUER,
            "aud": AUDIENCE,
            "sub": "x",
            "role": "leader",
            "exp": datetime.now(UTC) + timedelta(minutes=5),
        },
        None,
        algorithm="none",
    )
    for token in (forged, unsigned):
        assert codes(post(jwt_client, EVENTS, bearer(token))) == ["UNAUTHENTICATED"]


def test_keys_from_a_jwks_file_by_kid(
    make_hub: Callable[..., Hub], world: World, tmp_path: Path
) -> None:
    first, second = new_key(), new_key()
    keys = []
    for kid, key in (("k1", first), ("k2", second)):
        jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(key.public_key()))
        keys.append({**jwk, "kid": kid, "alg": "RS256", "use": "sig"})
    jwks = tmp_path / "jwks.json"
    jwks.write_text(json.dumps({"keys": keys}))
    auth = {"jwt_issuer": ISSUER, "jwt_audience": AUDIENCE, "jwt_key_file": str(jwks)}
    other = make_hub({**AUTH_CONFIG, "auth": auth}, with_plugins=world.hub.plugins)
    with TestClient(create_app(other)) as client:
        good = signed(second, kid="k2", role="leader")
        assert "errors" not in post(client, EVENTS, bearer(good))
        mismatched = signed(first, kid="k2", role="leader")
        assert codes(post(client, EVENTS, bearer(mismatched))) == ["UNAUTHENTICATED"]


def test_an_incomplete_jwt_config_is_refused_with_a_clear_message() -> None:
    with pytest.raises(ConfigError) as refused:
        settings_from_dict({"auth": {"jwt_issuer": ISSUER}}, {})
    assert "jwt_audience" in str(refused.value) and "jwt_key" in str(refused.value)


def test_a_jwt_of_another_kind_of_key_is_refused_in_the_apis_words(
    jwt_client: TestClient, world: World
) -> None:
    now = datetime.now(UTC)
    claims = {"iss": ISSUER, "aud": AUDIENCE, "sub": "x", "role": "leader"}
    ec = jwt.encode({**claims, "exp": now + timedelta(minutes=5)}, ec_key(), algorithm="ES256")
    body = post(jwt_client, EVENTS, bearer(ec))
    assert codes(body) == ["UNAUTHENTICATED"]
    message = body["errors"][0]["message"]
    assert (
        message == "the JWT is not valid: it is signed for another kind of key than the provider's"
    )


@pytest.mark.parametrize(
    ("claims", "why"),
    [
        (
            {"role": "sector_officer", "sectors": ["healht"]},
            "a sector this hub does not have: 'healht'",
        ),
        ({"role": "unit_officer", "units": "99999"}, "a unit this hub does not have: '99999'"),
    ],
)
def test_a_jwt_naming_a_sector_or_unit_the_hub_does_not_have_is_refused(
    jwt_client: TestClient, world: World, key: rsa.RSAPrivateKey, claims: dict[str, Any], why: str
) -> None:
    body = post(jwt_client, EVENTS, bearer(signed(key, **claims)))
    assert codes(body) == ["UNAUTHENTICATED"] and why in body["errors"][0]["message"]


def ec_key() -> ec.EllipticCurvePrivateKey:
    return ec.generate_private_key(ec.SECP256R1())
