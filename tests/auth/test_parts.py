"""The small parts of access control: roles, the rate limiter, the audit summary, config."""

from __future__ import annotations

import pytest

from hub.auth.audit import summarised
from hub.auth.principal import ANONYMOUS, Action, InvalidPrincipal, Principal, Role, parse_role
from hub.auth.ratelimit import RateLimiter
from hub.config import ConfigError, settings_from_dict


def test_roles_allow_what_docs_auth_md_says() -> None:
    officer = Principal("x", Role.UNIT_OFFICER, units=("23293",))
    assert officer.unit_code == "23293" and officer.may(Action.FILE_REPORTS)
    assert not officer.may(Action.CONFIGURE) and not officer.may(Action.READ_CONNECTORS)
    assert Principal("a", Role.ADMIN).may(Action.CONFIGURE)
    assert not Principal("a", Role.ADMIN).may(Action.FILE_REPORTS)
    assert not Principal("s", Role.SERVICE).may(Action.ACKNOWLEDGE_ALERTS)
    assert all(ANONYMOUS.may(action) for action in Action)


@pytest.mark.parametrize(
    ("role", "units", "sectors"),
    [
        (Role.UNIT_OFFICER, (), ()),
        (Role.UNIT_OFFICER, ("1", "2"), ()),
        (Role.SECTOR_OFFICER, (), ()),
        (Role.SECTOR_OFFICER, ("1",), ("health",)),
        (Role.LEADER, ("1",), ()),
        (Role.ADMIN, (), ("health",)),
    ],
)
def test_a_scope_that_does_not_fit_the_role_is_refused(
    role: Role, units: tuple[str, ...], sectors: tuple[str, ...]
) -> None:
    with pytest.raises(InvalidPrincipal):
        Principal("x", role, units, sectors)


def test_roles_are_parsed_leniently_and_unknown_ones_listed() -> None:
    assert parse_role(" Leader ") is Role.LEADER
    with pytest.raises(InvalidPrincipal, match="admin, leader, sector_officer"):
        parse_role("mayor")


def test_the_rate_limiter_refills_with_time_per_key() -> None:
    now = [0.0]
    limiter = RateLimiter(per_minute=2, clock=lambda: now[0])
    assert [limiter.allow("a") for _ in range(3)] == [True, True, False]
    assert limiter.allow("b")
    now[0] = 30.0  # half a minute: one request back
    assert [limiter.allow("a") for _ in range(2)] == [True, False]
    assert all(RateLimiter(0).allow("a") for _ in range(100))


def test_the_audit_keeps_arguments_short_and_leaves_values_out() -> None:
    kept = summarised({"unit": "23293", "values": [1, 2, 3], "reason": "x" * 900, "n": 3})
    assert kept == {"unit": "23293", "values": "<3 items>", "reason": "x" * 500, "n": 3}


def test_auth_settings_are_validated_with_every_problem_listed() -> None:
    with pytest.raises(ConfigError) as refused:
        settings_from_dict({"auth": {"rate_limit": -1, "token_days": 0, "colour": "red"}}, {})
    message = str(refused.value)
    for part in ("auth.rate_limit", "auth.token_days", "auth.colour: unknown setting"):
        assert part in message
    with pytest.raises(ConfigError, match="not both"):
        settings_from_dict(
            {"auth": {"jwt_issuer": "i", "jwt_audience": "a", "jwt_key": "k", "jwt_key_file": "f"}},
            {},
        )
    with pytest.raises(ConfigError, match="production = true needs required = true"):
        settings_from_dict({"auth": {"production": True, "required": False}}, {})
    assert settings_from_dict({}, {}).auth.required is True
