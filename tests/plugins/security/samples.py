"""Alerts for the security tests, and what the hub should make of them, computed independently.

The reference here folds alerts into incidents the plain way — sort each (rule, host) pair's
alerts by time and cut where two follow each other by the quiet period or more — without any
of the plugin's code, so that the tests compare two computations, not one with itself.
"""

from __future__ import annotations

import json
import random
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

ICT = timezone(timedelta(hours=7))
QUIET = timedelta(minutes=60)
HOSTS = {
    "web01": {"agency": "Sở Tài chính", "unit": "23293"},
    "10.62.101.0/24": {"agency": "UBND phường Đăk Cấm", "unit": "23284"},
}
DEFAULT_OWNER = {"agency": "Sở Khoa học và Công nghệ", "unit": "23293"}
OWNERS = {  # agent name → (agency, unit) as the table above decides
    "web01": ("Sở Tài chính", "23293"),
    "pc-dakcam": ("UBND phường Đăk Cấm", "23284"),
    "gis01": ("Sở Khoa học và Công nghệ", "23293"),
}
AGENTS = {"web01": "10.62.10.11", "pc-dakcam": "10.62.101.21", "gis01": "10.62.60.61"}
HOST_KEYS = {"web01": "web01", "pc-dakcam": "10.62.101.21", "gis01": "gis01"}
RULES = {  # rule id → (level, description)
    "5710": (5, "sshd: Attempt to login using a non-existent user"),
    "5712": (10, "sshd: brute force trying to get access to the system."),
    "31106": (12, "A web attack returned code 200 (success)."),
    "100200": (15, "Ransomware activity"),
}
LABEL = {5: "low", 10: "medium", 12: "high", 15: "critical"}


def security_table(kind: str, **options: Any) -> dict[str, Any]:
    """A ``[connectors.<id>]`` table of the security plugin with the test host table."""
    return {
        "plugin": "security",
        "kind": kind,
        "hosts": HOSTS,
        "default_owner": DEFAULT_OWNER,
        **options,
    }


def wazuh_alert(
    alert_id: str, when: datetime, rule: str, agent: str, **extra: Any
) -> dict[str, Any]:
    level, description = RULES[rule]
    return {
        "timestamp": when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.")
        + f"{when.microsecond // 1000:03d}+0000",
        "rule": {"level": level, "description": description, "id": rule},
        "agent": {"id": agent[-3:], "name": agent, "ip": AGENTS[agent]},
        "manager": {"name": "wazuh-test"},
        "id": alert_id,
        **extra,
    }


def generate_alerts(seed: int, start: datetime, hours: int) -> list[dict[str, Any]]:
    """Bursts and singles of the test rules on the test agents, in time order."""
    rng = random.Random(seed)
    alerts: list[tuple[datetime, str, str]] = []
    for hour in range(hours):
        moment = start + timedelta(hours=hour)
        for _ in range(rng.choice([0, 0, 1, 2])):
            alerts.append(
                (
                    moment + timedelta(seconds=rng.randint(0, 3599)),
                    rng.choice(list(RULES)),
                    rng.choice(list(AGENTS)),
                )
            )
        if rng.random() < 0.15:  # a burst: one rule on one host, many times in a short while
            rule, agent = rng.choice(list(RULES)), rng.choice(list(AGENTS))
            for _ in range(rng.randint(3, 12)):
                alerts.append((moment + timedelta(seconds=rng.randint(0, 2400)), rule, agent))
    stamped = sorted(
        (when.replace(microsecond=n % 1000 * 1000), rule, agent)
        for n, (when, rule, agent) in enumerate(alerts)
    )
    return [
        wazuh_alert(f"{int(when.timestamp())}.{n}", when, rule, agent)
        for n, (when, rule, agent) in enumerate(stamped)
    ]


def json_lines(alerts: list[dict[str, Any]]) -> str:
    return "".join(json.dumps(alert) + "\n" for alert in alerts)


@dataclass
class ExpectedIncident:
    rule: str
    agent: str
    first: datetime
    last: datetime
    count: int
    resolved: bool

    @property
    def level(self) -> int:
        return RULES[self.rule][0]


def alert_time(alert: dict[str, Any]) -> datetime:
    return datetime.fromisoformat(alert["timestamp"])


def expected_incidents(
    alerts: list[dict[str, Any]], quiet: timedelta = QUIET
) -> list[ExpectedIncident]:
    """Alerts of a (rule, agent) pair, cut where the gap is at least ``quiet``; an incident is
    resolved when the last alert of all came at least ``quiet`` after its own last one."""
    end = max(alert_time(alert) for alert in alerts)
    pairs: dict[tuple[str, str], list[datetime]] = defaultdict(list)
    for alert in alerts:
        pairs[(alert["rule"]["id"], alert["agent"]["name"])].append(alert_time(alert))
    incidents = []
    for (rule, agent), times in pairs.items():
        times.sort()
        group = [times[0]]
        for moment in times[1:]:
            if moment - group[-1] >= quiet:
                incidents.append(_incident(rule, agent, group, end, quiet))
                group = []
            group.append(moment)
        incidents.append(_incident(rule, agent, group, end, quiet))
    return incidents


def _incident(
    rule: str, agent: str, times: list[datetime], end: datetime, quiet: timedelta
) -> ExpectedIncident:
    return ExpectedIncident(rule, agent, times[0], times[-1], len(times), end - times[-1] >= quiet)


def local_day(moment: datetime) -> str:
    return moment.astimezone(ICT).date().isoformat()


def expected_alert_counts(alerts: list[dict[str, Any]]) -> Counter[tuple[str, str, str, str]]:
    """(unit, day, severity, agency) → alerts."""
    counts: Counter[tuple[str, str, str, str]] = Counter()
    for alert in alerts:
        agency, unit = OWNERS[alert["agent"]["name"]]
        label = LABEL[alert["rule"]["level"]]
        counts[(unit, local_day(alert_time(alert)), label, agency)] += 1
    return counts


def expected_resolution(
    incidents: list[ExpectedIncident],
) -> tuple[Counter[tuple[str, str]], dict[tuple[str, str], float]]:
    """(unit, day resolved) → incidents resolved, and → the hours they lasted."""
    resolved: Counter[tuple[str, str]] = Counter()
    hours: dict[tuple[str, str], float] = defaultdict(float)
    for incident in incidents:
        if incident.resolved:
            key = (OWNERS[incident.agent][1], local_day(incident.last))
            resolved[key] += 1
            hours[key] += (incident.last - incident.first).total_seconds() / 3600
    return resolved, dict(hours)


def last_day(alerts: list[dict[str, Any]]) -> date:
    return max(alert_time(alert) for alert in alerts).astimezone(ICT).date()
