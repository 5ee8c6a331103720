"""``iochub token create|list|revoke`` and ``iochub audit``, as a user runs them."""

from __future__ import annotations

from pathlib import Path

from litestar.testing import TestClient
from sqlalchemy import select

from hub.auth.tokens import hash_secret
from hub.core import Hub
from hub.graphql.app import create_app
from hub.model import ApiToken
from tests.auth.conftest import codes, post
from tests.auth.support import bearer
from tests.cli.test_cli import iochub, write_config
from tests.graphql.conftest import Seed

UNITS = "{ adminUnits(level: COMMUNE) { code } }"


def test_a_token_is_shown_once_stored_hashed_and_works_until_revoked(
    hub: Hub, seed: Seed, db_url: str, tmp_path: Path
) -> None:
    config = write_config(tmp_path, db_url)
    created = iochub(
        "token",
        "create",
        "--role",
        "unit_officer",
        "--unit",
        "23293",
        "--name",
        "can.bo.kontum",
        config=config,
    )
    assert created.returncode == 0, created.stderr
    secret = created.stdout.split()[-1]
    assert secret.startswith("ioc_") and "shown this once" in created.stderr
    with hub.db.sessions() as session:
        row = session.scalars(select(ApiToken)).one()
        assert (row.name, row.role, row.units) == ("can.bo.kontum", "unit_officer", ["23293"])
        assert row.secret_hash == hash_secret(secret) and secret not in row.prefix + "…"
    with TestClient(create_app(hub)) as client:
        body = post(client, UNITS, bearer(secret))
        assert body["data"]["adminUnits"] == [{"code": "23293"}]
        listed = iochub("token", "list", config=config)
        assert listed.returncode == 0 and secret not in listed.stdout
        assert "can.bo.kontum" in listed.stdout and "active" in listed.stdout
        revoked = iochub("token", "revoke", str(row.id), config=config)
        assert revoked.returncode == 0, revoked.stderr
        assert codes(post(client, UNITS, bearer(secret))) == ["UNAUTHENTICATED"]
    audit = iochub("audit", config=config)
    assert "createToken" in audit.stdout and "revokeToken" in audit.stdout


def test_mistakes_get_one_clear_line(hub: Hub, seed: Seed, db_url: str, tmp_path: Path) -> None:
    config = write_config(tmp_path, db_url)
    for args, message in [
        (["--role", "mayor"], "unknown role 'mayor'"),
        (["--role", "unit_officer"], "exactly one unit"),
        (["--role", "sector_officer"], "give --sector"),
        (["--role", "sector_officer", "--sector", "helth"], "unknown sector 'helth'"),
        (["--role", "leader", "--unit", "51"], "covers everything"),
        (["--role", "unit_officer", "--unit", "99999"], "no administrative unit has the code"),
        (["--role", "unit_officer", "--unit", "23281"], "no longer exists"),
    ]:
        result = iochub("token", "create", *args, config=config)
        assert result.returncode == 2, (args, result.stdout)
        assert result.stderr.startswith("error: ") and message in result.stderr, result.stderr
        assert "Traceback" not in result.stderr and len(result.stderr.splitlines()) == 1
    merged = iochub("token", "create", "--role", "unit_officer", "--unit", "23281", config=config)
    assert "it became 23293" in merged.stderr
    bad = write_config(tmp_path, db_url, '[auth]\nrequired = "maybe"\nrate = 3\n')
    result = iochub("token", "list", config=bad)
    assert result.returncode == 2 and "auth.required" in result.stderr
    assert "auth.rate: unknown setting" in result.stderr and "Traceback" not in result.stderr
