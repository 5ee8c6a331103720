"""Source records → alerts: severities, Wazuh alerts, CEF alerts, and who owns the host."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone

import pytest
from iochub_plugins.security.alerts import AlertError
from iochub_plugins.security.cef_alerts import cef_alert, cef_time
from iochub_plugins.security.config import CefOptions, HostOwner
from iochub_plugins.security.hosts import HostDirectory
from iochub_plugins.security.severity import (
    Severity,
    cef_level,
    from_cef_level,
    from_wazuh_level,
)
from iochub_plugins.security.wazuh import parse_wazuh_line

ICT = timezone(timedelta(hours=7))
NOW = datetime(2026, 11, 29, 9, 0, tzinfo=ICT)
LOW, MEDIUM, HIGH, CRITICAL = Severity


def test_wazuh_levels_fall_in_the_dashboard_bands() -> None:
    bands = [from_wazuh_level(level) for level in range(17)]

    assert bands == [LOW] * 7 + [MEDIUM] * 5 + [HIGH] * 3 + [CRITICAL] * 2


def test_cef_levels_fall_in_the_arcsight_bands() -> None:
    bands = [from_cef_level(level) for level in range(11)]

    assert bands == [LOW] * 4 + [MEDIUM] * 3 + [HIGH] * 2 + [CRITICAL] * 2
    assert [
        from_cef_level(cef_level(word))
        for word in ("Unknown", "low", "Medium", "HIGH", "Very-High")
    ] == [
        LOW,
        LOW,
        MEDIUM,
        HIGH,
        CRITICAL,
    ]


@pytest.mark.parametrize("value", ["11", "-1", "severe", ""])
def test_cef_levels_outside_the_scale_are_refused(value: str) -> None:
    with pytest.raises(ValueError, match="CEF severity"):
        cef_level(value)


def wazuh_line(**changes: object) -> bytes:
    alert = {
        "timestamp": "2026-11-10T08:15:22.311+0700",
        "id": "1762737322.1045",
        "rule": {
            "id": "5712",
            "level": 10,
            "description": "sshd: brute force",
            "groups": ["sshd"],
            "mitre": {"id": ["T1110"], "tactic": ["Credential Access"]},
        },
        "agent": {"id": "003", "name": "stc-web01", "ip": "10.62.10.11"},
        "data": {"srcip": "203.0.113.45"},
        "full_log": "x" * 600,
    }
    alert.update(changes)
    return json.dumps(alert).encode()


def test_a_wazuh_alert() -> None:
    alert = parse_wazuh_line(wazuh_line())

    assert alert.id == "1762737322.1045"
    assert alert.occurred_at == datetime(2026, 11, 10, 1, 15, 22, 311000, tzinfo=UTC)
    assert (alert.rule, alert.level, alert.severity) == ("wazuh:5712", 10, MEDIUM)
    assert alert.hosts == ("stc-web01", "10.62.10.11")
    assert alert.details["src_ip"] == "203.0.113.45"
    assert alert.details["mitre_ids"] == ["T1110"]
    assert len(alert.details["full_log"]) == 500  # long text is clipped


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        (b"{not json", "not JSON"),
        (b"\xff\xfe{}", "not UTF-8"),
        (b"[1, 2]", "a JSON object"),
        (wazuh_line(rule={"level": 3}), "no rule.id"),
        (wazuh_line(rule={"id": "1"}), "no rule.level"),
        (wazuh_line(rule={"id": "1", "level": 17}), "outside Wazuh's 0–16"),
        (wazuh_line(rule={"id": "1", "level": "high"}), "is not a number"),
        (wazuh_line(timestamp="yesterday"), "not an ISO 8601 time"),
        (wazuh_line(timestamp=None), "no timestamp"),
    ],
)
def test_a_bad_wazuh_line_says_why(line: bytes, reason: str) -> None:
    with pytest.raises(AlertError, match=reason):
        parse_wazuh_line(line)


def test_a_wazuh_alert_without_id_is_named_by_its_text() -> None:
    first = parse_wazuh_line(wazuh_line(id=None))

    assert first.id.startswith("sha256:")
    assert parse_wazuh_line(wazuh_line(id=None)).id == first.id


CEF_OPTIONS = CefOptions()
FIREWALL = "CEF:0|Fortinet|FortiGate|7.2.8|13056|SQL Injection|8|"


def test_a_cef_alert_in_syslog() -> None:
    text = (
        "<134>Nov 10 08:15:22 fw01 "
        + FIREWALL
        + "rt=1762737322311 src=203.0.113.45 dst=10.62.40.41 dvchost=FGT"
    )
    alert = cef_alert(text, "file:1", CEF_OPTIONS, ICT, NOW)

    assert alert.occurred_at == datetime(2025, 11, 10, 1, 15, 22, 311000, tzinfo=UTC)
    assert (alert.rule, alert.title, alert.level, alert.severity) == (
        "Fortinet|FortiGate|13056",
        "SQL Injection",
        8,
        HIGH,
    )
    assert alert.hosts == ("10.62.40.41", "203.0.113.45", "FGT", "fw01")
    assert alert.details["cef"]["src"] == "203.0.113.45"


def test_a_cef_alert_takes_the_syslog_time_then_the_arrival() -> None:
    in_syslog = cef_alert("<134>Nov 10 08:15:22 fw01 " + FIREWALL, "p", CEF_OPTIONS, ICT, NOW)
    arrived = cef_alert(FIREWALL, "p", CEF_OPTIONS, ICT, NOW, received_at=NOW)

    assert in_syslog.occurred_at == datetime(2026, 11, 10, 8, 15, 22, tzinfo=ICT)
    assert arrived.occurred_at == NOW
    with pytest.raises(AlertError, match="no time"):
        cef_alert(FIREWALL, "p", CEF_OPTIONS, ICT, NOW)


def test_cef_identity_is_the_external_id_or_the_message_and_its_place() -> None:
    external = cef_alert(FIREWALL + "externalId=77 rt=1762737322311", "a", CEF_OPTIONS, ICT, NOW)
    here = cef_alert(FIREWALL + "rt=1762737322311", "file:10", CEF_OPTIONS, ICT, NOW)
    there = cef_alert(FIREWALL + "rt=1762737322311", "file:99", CEF_OPTIONS, ICT, NOW)

    assert external.id == "Fortinet|FortiGate|77"
    assert here.id != there.id
    assert cef_alert(FIREWALL + "rt=1762737322311", "file:10", CEF_OPTIONS, ICT, NOW).id == here.id


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1762737322311", datetime(2025, 11, 10, 1, 15, 22, 311000, tzinfo=UTC)),
        ("Nov 10 2026 08:15:22", datetime(2026, 11, 10, 8, 15, 22, tzinfo=ICT)),
        ("Nov 10 2026 08:15:22.250 UTC", datetime(2026, 11, 10, 8, 15, 22, 250000, tzinfo=UTC)),
        ("Nov 10 08:15:22 +0000", datetime(2026, 11, 10, 8, 15, 22, tzinfo=UTC)),
        ("Nov 10 08:15:22.5 Asia/Bangkok", datetime(2026, 11, 10, 8, 15, 22, 500000, tzinfo=ICT)),
        ("Dec 31 23:00:00", datetime(2025, 12, 31, 23, tzinfo=ICT)),
        ("2026-11-10T08:15:22+07:00", datetime(2026, 11, 10, 8, 15, 22, tzinfo=ICT)),
    ],
)
def test_cef_times(text: str, expected: datetime) -> None:
    assert cef_time(text, ICT, NOW) == expected


@pytest.mark.parametrize(
    ("text", "reason"), [("soon", "not a CEF time"), ("Nov 10 08:15:22 ICT", "ambiguous")]
)
def test_unreadable_cef_times(text: str, reason: str) -> None:
    with pytest.raises(AlertError, match=reason):
        cef_time(text, ICT, NOW)


FINANCE = HostOwner(agency="Sở Tài chính", unit="23293")
WARD = HostOwner(agency="UBND phường Đăk Cấm", unit="23284")
WARD_SERVER = HostOwner(agency="UBND phường Đăk Cấm (máy chủ)", unit="23284")
FALLBACK = HostOwner(agency="Sở Khoa học và Công nghệ", unit="23293")


@pytest.fixture
def directory() -> HostDirectory:
    return HostDirectory(
        {
            "STC-Web01": FINANCE,
            "10.62.101.0/24": WARD,
            "10.62.101.0/28": WARD_SERVER,
            "10.62.10.12": FINANCE,
        },
        default=FALLBACK,
    )


@pytest.mark.parametrize(
    ("names", "host", "owner"),
    [
        (["stc-web01", "10.62.10.11"], "stc-web01", FINANCE),  # by name, whatever the case
        (["db01", "10.62.10.12"], "10.62.10.12", FINANCE),  # by address, after the name
        (["pc-dakcam", "10.62.101.200"], "10.62.101.200", WARD),  # by network
        (["srv-dakcam", "10.62.101.5"], "10.62.101.5", WARD_SERVER),  # the narrower network
        (["198.51.100.7", "10.62.10.12"], "10.62.10.12", FINANCE),  # first known, not first
        (["gis01", "10.62.60.61"], "gis01", FALLBACK),  # nobody's: the default owner
        ([None, ""], "unknown", FALLBACK),
    ],
)
def test_hosts_are_found_by_name_address_or_network(
    directory: HostDirectory, names: list[str | None], host: str, owner: HostOwner
) -> None:
    found = directory.identify(names)

    assert (found.host, found.owner) == (host, owner)
    assert directory.owner_of(found.host) == owner


def test_the_units_the_table_names(directory: HostDirectory) -> None:
    assert directory.units() == {"23293", "23284"}
    assert HostDirectory({}).identify(["x"]).owner is None


def test_times_that_cannot_be_are_refused_not_raised() -> None:
    with pytest.raises(AlertError, match="out of range"):
        cef_time("9" * 30, ICT, NOW)


def test_a_leap_day_from_a_year_ahead_goes_back_a_year() -> None:
    from iochub_plugins.security.syslog import parse_syslog

    now = datetime(2028, 1, 2, tzinfo=ICT)
    message = parse_syslog("<134>Feb 29 10:00:00 fw01 " + FIREWALL, ICT, now)

    assert message.timestamp == datetime(2027, 2, 28, 10, tzinfo=ICT)
