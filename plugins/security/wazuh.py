"""Wazuh alerts (one JSON object per alert, as in ``alerts.json`` or the indexer) → alerts.

The fields read::

    {"timestamp": "2026-11-10T08:15:22.311+0700", "id": "1762737322.1045",
     "rule": {"id": "5712", "level": 10, "description": "sshd: brute force ...",
              "groups": [...], "mitre": {"id": [...], "tactic": [...]}, "firedtimes": 8},
     "agent": {"id": "003", "name": "stc-web01", "ip": "10.62.10.11"},
     "manager": {"name": "wazuh-kontum"}, "data": {"srcip": "...", "srcuser": "..."},
     "location": "/var/log/auth.log", "decoder": {"name": "sshd"}, "full_log": "..."}

``timestamp``, ``rule.id`` and ``rule.level`` (0–16) are required; an alert without them is
quarantined with the reason. ``id`` is the manager's unique alert id; an alert without one is
identified by a digest of its text.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from typing import Any

from hub.connectors.errors import BadInput
from hub.connectors.records import json_value
from hub.timestamps import TimestampError, parse_timestamp

from .alerts import Alert, AlertError, compact
from .severity import from_wazuh_level


def parse_wazuh_line(line: bytes) -> Alert:
    """One line of alert JSON; AlertError when it is not a usable Wazuh alert."""
    try:
        data = json_value(line)
    except BadInput as exc:
        raise AlertError(exc.reason) from None
    return wazuh_alert(data, fallback_id=_digest(line))


def wazuh_alert(data: Any, fallback_id: str) -> Alert:
    """An alert from a Wazuh alert object."""
    if not isinstance(data, dict):
        raise AlertError("a Wazuh alert is a JSON object")
    rule = data.get("rule")
    if not isinstance(rule, dict) or rule.get("id") in (None, ""):
        raise AlertError("the alert has no rule.id")
    level = _level(rule.get("level"))
    agent = _object(data.get("agent"))
    return Alert(
        id=str(data.get("id") or fallback_id),
        occurred_at=alert_time(data),
        rule=f"wazuh:{rule['id']}",
        title=str(rule.get("description") or f"Wazuh rule {rule['id']}"),
        level=level,
        severity=from_wazuh_level(level),
        hosts=tuple(str(name) for name in (agent.get("name"), agent.get("ip")) if name),
        origin="wazuh",
        details=_details(data, rule, agent),
    )


def alert_time(data: dict[str, Any]) -> datetime:
    """The alert's ``timestamp`` (or the indexer's ``@timestamp``), as an aware time."""
    stamp = data.get("timestamp") or data.get("@timestamp")
    if not isinstance(stamp, str) or not stamp:
        raise AlertError("the alert has no timestamp")
    try:
        return parse_timestamp(stamp, UTC)  # Wazuh writes UTC
    except TimestampError:
        raise AlertError(f"timestamp {stamp!r} is not an ISO 8601 time") from None


def _level(value: Any) -> int:
    if isinstance(value, bool) or value in (None, ""):
        raise AlertError("the alert has no rule.level")
    try:
        level = int(value)
    except (TypeError, ValueError):
        raise AlertError(f"rule.level {value!r} is not a number") from None
    if not 0 <= level <= 16:
        raise AlertError(f"rule.level {level} is outside Wazuh's 0–16")
    return level


def _details(data: dict[str, Any], rule: dict[str, Any], agent: dict[str, Any]) -> dict[str, Any]:
    source = _object(data.get("data"))
    mitre = _object(rule.get("mitre"))
    return compact(
        {
            "agent_id": agent.get("id"),
            "agent_name": agent.get("name"),
            "agent_ip": agent.get("ip"),
            "manager": _object(data.get("manager")).get("name"),
            "groups": rule.get("groups"),
            "mitre_ids": mitre.get("id"),
            "mitre_tactics": mitre.get("tactic"),
            "src_ip": source.get("srcip"),
            "src_user": source.get("srcuser") or source.get("dstuser"),
            "location": data.get("location"),
            "decoder": _object(data.get("decoder")).get("name"),
            "full_log": data.get("full_log"),
        }
    )


def _object(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _digest(raw: bytes) -> str:
    return "sha256:" + hashlib.sha256(raw).hexdigest()[:32]
