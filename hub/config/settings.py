"""The configuration file's shape (API.md, "Configuration"), validated with pydantic.

Every table has defaults, so ``iochub demo`` needs no file at all.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from hub.auth.clients import check_network
from hub.plugins.definitions import Aggregation
from hub.zone import TIMEZONE

DEFAULT_DATABASE_URL = "sqlite:///iochub.db"
SUPPORTED_DRIVERS = ("sqlite", "sqlite+pysqlite", "postgresql+psycopg")


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class DatabaseSettings(Strict):
    url: str = DEFAULT_DATABASE_URL
    """A SQLite file (``sqlite:///iochub.db``) or a PostgreSQL database
    (``postgresql://user:password@host:5432/name``, driven by psycopg 3)."""
    echo: bool = False

    @field_validator("url")
    @classmethod
    def _supported_url(cls, value: str) -> str:
        try:
            url = make_url(value)
        except ArgumentError:
            raise ValueError(
                "not a database URL (e.g. sqlite:///iochub.db, "
                "postgresql://user:password@host:5432/iochub)"
            ) from None
        if url.drivername == "postgresql":  # SQLAlchemy's default driver would be psycopg2
            return url.set(drivername="postgresql+psycopg").render_as_string(hide_password=False)
        if url.drivername not in SUPPORTED_DRIVERS:
            raise ValueError(
                f"the hub runs on SQLite or PostgreSQL through psycopg 3, not "
                f"{url.drivername!r} (use sqlite:/// or postgresql://)"
            )
        return value


class ServerSettings(Strict):
    host: str = "127.0.0.1"
    port: int = Field(8000, ge=1, le=65535)
    graphiql: bool = True
    introspection: bool = True
    max_depth: int = Field(12, ge=1)
    max_tokens: int = Field(5000, ge=10)
    max_aliases: int = Field(30, ge=1)
    max_cost: int = Field(20_000, ge=0)
    """The most a request may cost, counted before it runs (hub/graphql/cost.py; 0: no limit)."""
    time_budget: float = Field(30.0, gt=0)
    """Seconds a query may run before it is stopped (mutations always finish)."""
    max_body_bytes: int = Field(10_000_000, ge=1000)
    """The largest request body (a GraphQL request, a workbook uploaded): 413 beyond."""
    max_json_depth: int = Field(64, ge=4)
    """How deeply a request's JSON may nest, checked before it is parsed: 400 beyond."""
    header_timeout: float = Field(10.0, gt=0)
    """Seconds a request's head (its line and headers) may take to arrive, else it is closed."""
    body_timeout: float = Field(30.0, gt=0)
    """Seconds a request's body may take to arrive once its head has, else it is closed."""
    cors_origins: list[str] = []
    response_cache: int = Field(256, ge=0)
    """Responses to queries of ``aggregate`` fields kept until the data changes (0: none)."""
    trusted_proxies: list[str] = []
    """Addresses or networks of the reverse proxies whose ``X-Forwarded-For`` is believed."""

    @field_validator("trusted_proxies")
    @classmethod
    def _networks(cls, value: list[str]) -> list[str]:
        return [check_network(item) for item in value]


class AuthSettings(Strict):
    """``[auth]``: who may call the API (docs/auth.md)."""

    required: bool = True
    """Without a token a request is refused; ``false`` (development, the demo) lets it act as
    the anonymous principal, which may do everything. A token given is checked either way."""
    production: bool = False
    """Turns introspection and GraphiQL off, whatever ``[server]`` says."""
    token_days: int = Field(90, ge=1, le=3650)
    """How long a token of ``iochub token create`` lives unless ``--days`` says otherwise."""
    rate_limit: int = Field(600, ge=0)
    """Requests (GraphQL operations, whichever transport) per minute per principal (0: none)."""
    failed_sign_ins: int = Field(10, ge=0)
    """Failed sign-ins a minute from one client address before it is refused (0: no limit)."""
    jwt_issuer: str | None = None
    """With ``jwt_audience`` and a key, signed JWTs of this identity provider are accepted."""
    jwt_audience: str | None = None
    jwt_key: str | None = None
    """The provider's public key (PEM) or, for HS256, the shared secret; e.g. "${IDP_KEY}"."""
    jwt_key_file: str | None = None
    """A PEM public key, or a JWKS document (JSON) holding the provider's keys."""
    jwt_algorithms: list[str] = ["RS256", "ES256"]
    jwt_role_claim: str = "role"
    jwt_units_claim: str = "units"
    jwt_sectors_claim: str = "sectors"
    jwt_name_claim: str = "preferred_username"

    @model_validator(mode="after")
    def _jwt_is_complete(self) -> AuthSettings:
        given = {
            "jwt_issuer": self.jwt_issuer,
            "jwt_audience": self.jwt_audience,
            "jwt_key or jwt_key_file": self.jwt_key or self.jwt_key_file,
        }
        if any(given.values()) and not all(given.values()):
            missing = ", ".join(name for name, value in given.items() if not value)
            raise ValueError(f"JWT sign-in needs jwt_issuer, jwt_audience and a key: set {missing}")
        if self.jwt_key and self.jwt_key_file:
            raise ValueError("give jwt_key or jwt_key_file, not both")
        if self.production and not self.required:
            raise ValueError("production = true needs required = true: every caller signs in")
        return self

    @property
    def jwt_enabled(self) -> bool:
        return bool(self.jwt_issuer and self.jwt_audience and (self.jwt_key or self.jwt_key_file))


class RuntimeSettings(Strict):
    """How connector runs behave: batching, retries, limits."""

    batch_size: int = Field(1000, ge=1)
    retry_attempts: int = Field(5, ge=1)
    retry_initial_wait: float = Field(1.0, ge=0)
    retry_max_wait: float = Field(60.0, ge=0)
    request_retry_seconds: float = Field(600.0, ge=0)
    """How long a run may spend retrying failed requests on the spot (waiting included),
    before a fault fails the attempt and the run is retried from its last checkpoint."""
    http_timeout: float = Field(30.0, gt=0)
    max_state_bytes: int = Field(64 * 1024, ge=256)


class SchedulerSettings(Strict):
    """``[scheduler]``: whether ``serve`` schedules, and how replicas share it (docs/deploy.md)."""

    enabled: bool = True
    """``false``: this ``serve`` only answers the API (it never leads)."""
    leader_retry_seconds: float = Field(30.0, gt=0)
    """How often each replica checks the lead: the others try to take it, the leader checks
    that it still holds it. A dead leader's schedule and streams move within this time."""


class MonitoringSettings(Strict):
    """``[monitoring]``: who may scrape ``/metrics`` (docs/operations.md)."""

    allow: list[str] = ["127.0.0.1", "::1"]
    """Addresses or networks (``10.0.0.0/8``) that may read ``/metrics`` without a token."""

    @field_validator("allow")
    @classmethod
    def _networks(cls, value: list[str]) -> list[str]:
        return [check_network(item) for item in value]


class AggregationSettings(Strict):
    """Limits of the ``aggregate`` query."""

    max_values: int = Field(10_000, ge=1)
    """The most values one answer may hold (units × periods)."""
    default_within: str | None = None
    """The unit (e.g. the deployment's province) whose inside `level` means without `within`;
    by default, every unit of that level."""
    rebuild_after: int = Field(500, ge=0)
    """How many values of one metric a run writes, at least, before it stops updating that
    metric's roll-ups at each checkpoint and rebuilds them once, at its end (0: never). It
    also takes more than a tenth of the values the metric held."""


class ReportsSettings(Strict):
    """``[reports]``: the working days of report deadlines, and the compliance job."""

    public_holidays: bool = True
    """Count Vietnam's public holidays and make-up Saturdays (hub.reports.holidays)."""
    holidays: list[date] = []
    """More days off (a local holiday, a decision the hub's holidays do not know yet)."""
    workdays: list[date] = []
    """Days worked although off (``làm bù`` Saturdays, a weekday the hub thought a holiday)."""
    compliance_schedule: str | None = "30 0 * * *"
    """When the scheduler publishes the on-time rate (cron, the hub's time zone); empty: never."""
    compliance_within: list[str] = []
    """The units whose territories the job publishes (default: the aggregation's
    ``default_within``, else every top-level unit)."""
    compliance_lookback_days: int = Field(100, ge=1, le=3660)
    """Periods whose cut-off lies this many days back are published again (late reports)."""
    separate_duties: bool = False
    """Who filed a report (saved or submitted it) may not approve it too."""

    @field_validator("holidays", "workdays", mode="before")
    @classmethod
    def _dates(cls, value: Any) -> list[date]:
        if not isinstance(value, list):
            raise ValueError('a list of dates, e.g. ["2026-01-01", "2026-02-16"]')
        found, bad = [], []
        for item in value:
            if isinstance(item, date):
                found.append(item)
                continue
            try:
                found.append(date.fromisoformat(str(item)))
            except ValueError:
                bad.append(repr(item))
        if bad:
            raise ValueError(f"not dates (YYYY-MM-DD): {', '.join(bad)}")
        return found

    @field_validator("compliance_schedule")
    @classmethod
    def _cron(cls, value: str | None) -> str | None:
        from hub.scheduler.triggers import make_trigger

        if value and value.strip():
            make_trigger(value, None, TIMEZONE)
            return value.strip()
        return None


class ConnectorSettings(BaseModel):
    """The common part of ``[connectors.<id>]``; the rest goes to the kind's config model."""

    model_config = ConfigDict(extra="allow")

    plugin: str
    kind: str
    enabled: bool = True
    schedule: str | None = None
    every: str | None = None

    @property
    def options(self) -> dict[str, Any]:
        """The kind-specific fields."""
        return dict(self.model_extra or {})


class MetricSettings(Strict):
    name: str
    sector: str
    unit: str | None = None
    aggregation: Aggregation = Aggregation.SUM
    disaggregations: list[str] = []
    carry_forward_months: int | None = Field(None, ge=0)
    description: str | None = None
    levels_add_up: bool = False
    name_vi: str | None = None


class IndicatorSettings(Strict):
    name: str
    numerator: str
    denominator: str | None = None
    factor: float = 1.0
    sector: str | None = None
    unit: str | None = None
    description: str | None = None
    name_vi: str | None = None
    zero_when_missing: bool = False
    """A metric without a value counts as 0 where the denominator has data (see
    :class:`hub.plugins.definitions.IndicatorDefinition`)."""


class AlertSettings(Strict):
    """``[alerts.<code>]``: a deployment's own rule, or ``enabled = false`` to drop a default."""

    enabled: bool = True
    name: str | None = None
    severity: int = Field(3, ge=1, le=4)
    event_kind: str | None = None
    min_severity: int | None = None
    metric: str | None = None
    period_type: str = "WEEK"
    level: str = "COMMUNE"
    above: float | None = None
    below: float | None = None


class Settings(Strict):
    database: DatabaseSettings = DatabaseSettings()
    server: ServerSettings = ServerSettings()
    auth: AuthSettings = AuthSettings()
    runtime: RuntimeSettings = RuntimeSettings()
    scheduler: SchedulerSettings = SchedulerSettings()
    monitoring: MonitoringSettings = MonitoringSettings()
    aggregation: AggregationSettings = AggregationSettings()
    reports: ReportsSettings = ReportsSettings()
    connectors: dict[str, ConnectorSettings] = {}
    metrics: dict[str, MetricSettings] = {}
    indicators: dict[str, IndicatorSettings] = {}
    alerts: dict[str, AlertSettings] = {}

    @field_validator("connectors")
    @classmethod
    def _ids_are_simple(cls, value: dict[str, ConnectorSettings]) -> dict[str, ConnectorSettings]:
        for connector_id in value:
            if not connector_id.replace("-", "").replace("_", "").isalnum():
                raise ValueError(f"connector id {connector_id!r}: use letters, digits, - and _")
        return value
