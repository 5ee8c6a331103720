"""Who calls the API: a principal, its role, and what each role may do.

The roles (docs/auth.md):

- ``admin`` configures connectors, report forms and tokens, and reads everything;
- ``leader`` reads everything, reviews reports and acknowledges alerts;
- ``sector_officer`` reads one or more sectors, province-wide, and acknowledges their alerts;
- ``unit_officer`` reads a unit and everything under it, and files its reports (and reviews
  those of the units below it);
- ``service`` is machine access for a purpose: it reads within the units and sectors its
  token names (everything if it names none) and changes nothing.

A principal satisfies :class:`hub.reports.principal.Principal` (``name`` and ``unit_code``), so
the report workflow records and checks it as it is.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum


class Role(StrEnum):
    ADMIN = "admin"
    LEADER = "leader"
    SECTOR_OFFICER = "sector_officer"
    UNIT_OFFICER = "unit_officer"
    SERVICE = "service"


class Action(StrEnum):
    """What a principal may be allowed to do beyond reading its scope."""

    CONFIGURE = "configure"
    """Run and enable connectors, save report forms."""
    READ_AUDIT = "read_audit"
    FILE_REPORTS = "file_reports"
    """Save and submit the reports of the units in one's territory."""
    REVIEW_REPORTS = "review_reports"
    """Approve, return, reopen the reports of the units below one's territory."""
    READ_REPORTS = "read_reports"
    PUBLISH_COMPLIANCE = "publish_compliance"
    ACKNOWLEDGE_ALERTS = "acknowledge_alerts"
    READ_CONNECTORS = "read_connectors"


PERMISSIONS: dict[Role, frozenset[Action]] = {
    Role.ADMIN: frozenset(
        {Action.CONFIGURE, Action.READ_AUDIT, Action.READ_REPORTS, Action.READ_CONNECTORS}
    ),
    Role.LEADER: frozenset(
        {
            Action.READ_REPORTS,
            Action.REVIEW_REPORTS,
            Action.PUBLISH_COMPLIANCE,
            Action.ACKNOWLEDGE_ALERTS,
            Action.READ_CONNECTORS,
        }
    ),
    Role.SECTOR_OFFICER: frozenset({Action.ACKNOWLEDGE_ALERTS, Action.READ_CONNECTORS}),
    Role.UNIT_OFFICER: frozenset(
        {
            Action.READ_REPORTS,
            Action.FILE_REPORTS,
            Action.REVIEW_REPORTS,
            Action.PUBLISH_COMPLIANCE,
            Action.ACKNOWLEDGE_ALERTS,
        }
    ),
    Role.SERVICE: frozenset({Action.READ_REPORTS}),
}


class InvalidPrincipal(ValueError):
    """A role with the wrong kind of scope (e.g. a unit officer without a unit)."""


@dataclass(frozen=True)
class Principal:
    """A person or service, as the API sees them for one request."""

    name: str
    role: Role
    units: tuple[str, ...] = ()
    """Codes of the units whose territory they cover; empty: everywhere."""
    sectors: tuple[str, ...] = ()
    """The sectors they cover; empty: every sector."""
    purpose: str | None = None
    via: str = "token"
    """How they authenticated: ``token:<id>``, ``jwt:<issuer>``, ``anonymous``, ``cli``."""
    unrestricted: bool = False
    """Only the anonymous principal of ``[auth] required = false``: may do everything."""
    expires_at: datetime | None = None
    """When the credential stops being valid (a token's expiry, a JWT's ``exp``)."""

    def __post_init__(self) -> None:
        check_scope_shape(self.role, self.units, self.sectors)

    @property
    def unit_code(self) -> str | None:
        """The unit whose territory they cover (the report workflow's principal); None: all."""
        return self.units[0] if self.units else None

    @property
    def token_id(self) -> int | None:
        """The id of the hub token they signed in with (None for a JWT, the CLI, anonymous)."""
        kind, _, number = self.via.partition(":")
        return int(number) if kind == "token" and number.isdigit() else None

    def may(self, action: Action) -> bool:
        """Whether the role allows ``action`` (within the principal's scope)."""
        return self.unrestricted or action in PERMISSIONS[self.role]


def check_scope_shape(role: Role, units: tuple[str, ...], sectors: tuple[str, ...]) -> None:
    """InvalidPrincipal unless the units and sectors fit the role."""
    if role is Role.UNIT_OFFICER and len(units) != 1:
        raise InvalidPrincipal("a unit_officer covers exactly one unit: give --unit CODE")
    if role is Role.SECTOR_OFFICER and (not sectors or units):
        raise InvalidPrincipal(
            "a sector_officer covers one or more sectors province-wide: give --sector S "
            "(and no --unit)"
        )
    if role in (Role.ADMIN, Role.LEADER) and (units or sectors):
        raise InvalidPrincipal(f"a {role} covers everything: give no --unit or --sector")
    if role is Role.UNIT_OFFICER and sectors:
        raise InvalidPrincipal("a unit_officer covers every sector of its unit: give no --sector")


def parse_role(value: str) -> Role:
    """The role named ``value``, or InvalidPrincipal listing the roles."""
    try:
        return Role(value.strip().lower())
    except ValueError:
        known = ", ".join(role.value for role in Role)
        raise InvalidPrincipal(f"unknown role {value!r} (roles: {known})") from None


ANONYMOUS = Principal("anonymous", Role.ADMIN, via="anonymous", unrestricted=True)
"""Who a request without a token is when ``[auth] required = false``."""
