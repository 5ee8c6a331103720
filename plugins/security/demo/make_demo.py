"""Write the security plugin's demo sources for the government systems of Kon Tum.

    python plugins/security/demo/make_demo.py

writes, next to this script:

- ``kontum-wazuh-alerts.json``: two weeks (2 to 15 November 2026) of Wazuh alerts as the
  manager appends them to ``alerts.json`` (one JSON object per line), from the agents of the
  provincial departments' servers and of ward and commune offices;
- ``kontum-siem.cef``: the same fortnight of CEF messages from the provincial data centre's
  firewall (FortiGate) and web application firewall (FortiWeb), as rsyslog writes them to a
  file: RFC 3164 and RFC 5424 headers, some messages bare.

NOTE: the data are illustrative, not a record of real incidents. The rule ids, levels and
descriptions are those of Wazuh's default ruleset (one custom rule, 100200); the addresses
are private (10.62.x.x) or reserved for documentation (203.0.113.x, 198.51.100.x). Besides
the background of routine alerts there are bursts that fold into incidents: an SSH brute force
and SQL injection against the public-service portal, Windows logon failures on the health
department's server, malware on a ward's workstation, ransomware activity on a commune's
server, and a brute force still going on when the fortnight ends (an open incident). A seeded
generator makes the same files, byte for byte, on every run.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
WAZUH_FILE = HERE / "kontum-wazuh-alerts.json"
CEF_FILE = HERE / "kontum-siem.cef"
ICT = timezone(timedelta(hours=7))
START = datetime(2026, 11, 2, tzinfo=ICT)
DAYS = 14
MANAGER = "wazuh-kontum"
FIREWALL = "FGT-KONTUM-DC"


@dataclass(frozen=True)
class Agent:
    id: str
    name: str
    ip: str
    windows: bool = False


AGENTS = [
    Agent("001", "stc-web01", "10.62.10.11"),
    Agent("002", "stc-db01", "10.62.10.12"),
    Agent("003", "syt-his01", "10.62.20.21", windows=True),
    Agent("004", "sgddt-portal", "10.62.30.31"),
    Agent("005", "hcc-dvc01", "10.62.40.41"),
    Agent("006", "skhcn-mail01", "10.62.50.51"),
    Agent("007", "dakcam-pc01", "10.62.101.21", windows=True),
    Agent("008", "mangden-pc01", "10.62.102.21", windows=True),
    Agent("009", "sathay-srv01", "10.62.103.10", windows=True),
    Agent("010", "dakha-pc01", "10.62.104.21", windows=True),
    Agent("011", "tnmt-gis01", "10.62.60.61"),
]
BY_NAME = {agent.name: agent for agent in AGENTS}

# id, level, description, groups, decoder, location
LINUX_ROUTINE = [
    (
        "5501",
        3,
        "PAM: Login session opened.",
        ["pam", "syslog", "authentication_success"],
        "pam",
        "/var/log/auth.log",
    ),
    (
        "5402",
        3,
        "Successful sudo to ROOT executed.",
        ["syslog", "sudo"],
        "sudo",
        "/var/log/auth.log",
    ),
    (
        "31101",
        5,
        "Web server 400 error code.",
        ["web", "accesslog", "attack"],
        "web-accesslog",
        "/var/log/nginx/access.log",
    ),
    (
        "550",
        7,
        "Integrity checksum changed.",
        ["ossec", "syscheck"],
        "syscheck_integrity",
        "syscheck",
    ),
    (
        "554",
        5,
        "File added to the system.",
        ["ossec", "syscheck"],
        "syscheck_new_entry",
        "syscheck",
    ),
    (
        "533",
        7,
        "Listened ports status (netstat) changed (new port opened or closed).",
        ["ossec"],
        "ossec",
        "netstat listening ports",
    ),
]
WINDOWS_ROUTINE = [
    (
        "60106",
        3,
        "Windows Logon Success.",
        ["windows", "authentication_success"],
        "windows_eventchannel",
        "EventChannel",
    ),
    (
        "60122",
        5,
        "Logon Failure - Unknown user or bad password.",
        ["windows", "authentication_failed"],
        "windows_eventchannel",
        "EventChannel",
    ),
    (
        "61138",
        5,
        "New Windows Service Created.",
        ["windows", "policy_changed"],
        "windows_eventchannel",
        "EventChannel",
    ),
]
BURST_RULES = {
    "5710": (
        5,
        "sshd: Attempt to login using a non-existent user",
        ["syslog", "sshd", "authentication_failed", "invalid_login"],
        "sshd",
        "/var/log/auth.log",
        ["T1110.001"],
        ["Credential Access"],
    ),
    "5712": (
        10,
        "sshd: brute force trying to get access to the system. Non existent user.",
        ["syslog", "sshd", "authentication_failures"],
        "sshd",
        "/var/log/auth.log",
        ["T1110"],
        ["Credential Access"],
    ),
    "31103": (
        7,
        "SQL injection attempt.",
        ["web", "accesslog", "attack", "sql_injection"],
        "web-accesslog",
        "/var/log/nginx/access.log",
        ["T1190"],
        ["Initial Access"],
    ),
    "31106": (
        12,
        "A web attack returned code 200 (success).",
        ["web", "accesslog", "attack"],
        "web-accesslog",
        "/var/log/nginx/access.log",
        ["T1190"],
        ["Initial Access"],
    ),
    "60204": (
        10,
        "Multiple Windows Logon Failures.",
        ["windows", "authentication_failures"],
        "windows_eventchannel",
        "EventChannel",
        ["T1110"],
        ["Credential Access"],
    ),
    "87105": (
        12,
        "VirusTotal: Alert - C:\\Users\\Public\\Downloads\\hoadon.exe - "
        "14 engines detected this file",
        ["virustotal"],
        "json",
        "virustotal",
        ["T1204.002"],
        ["Execution"],
    ),
    "100200": (
        15,
        "Ransomware activity: files renamed with an encrypted extension",
        ["syscheck", "ransomware"],
        "syscheck_integrity",
        "syscheck",
        ["T1486"],
        ["Impact"],
    ),
}
ATTACKERS = ["203.0.113.45", "203.0.113.77", "198.51.100.23", "198.51.100.140"]


class WazuhWriter:
    """Alerts as the manager writes them: local time with offset, id ``epoch.offset``."""

    def __init__(self) -> None:
        self.alerts: list[tuple[datetime, dict[str, Any]]] = []

    def add(self, when: datetime, agent: Agent, rule: tuple[Any, ...], **extra: Any) -> None:
        rule_id, level, description, groups, decoder, location, *mitre = rule
        rule_part: dict[str, Any] = {
            "level": level,
            "description": description,
            "id": rule_id,
            "groups": groups,
        }
        if mitre:
            rule_part["mitre"] = {"id": mitre[0], "tactic": mitre[1]}
        alert = {
            "timestamp": when.strftime("%Y-%m-%dT%H:%M:%S.")
            + f"{when.microsecond // 1000:03d}"
            + when.strftime("%z"),
            "rule": rule_part,
            "agent": {"id": agent.id, "name": agent.name, "ip": agent.ip},
            "manager": {"name": MANAGER},
            "decoder": {"name": decoder},
            "location": location,
            **extra,
        }
        self.alerts.append((when, alert))

    def write(self, path: Path) -> int:
        offset = 0
        lines = []
        for when, alert in sorted(self.alerts, key=lambda item: item[0]):
            alert = {"id": f"{int(when.timestamp())}.{offset}", **alert}
            line = json.dumps(alert, ensure_ascii=False, separators=(",", ":"))
            lines.append(line)
            offset += len(line.encode()) + 1
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        return len(lines)


def burst_rule(rule_id: str) -> tuple[Any, ...]:
    return (rule_id, *BURST_RULES[rule_id])


def routine(rng: random.Random, wazuh: WazuhWriter) -> None:
    """Routine alerts: a few an hour across the agents, more in office hours."""
    for hour in range(DAYS * 24):
        moment = START + timedelta(hours=hour)
        busy = 7 <= moment.hour < 17 and moment.weekday() < 5
        for _ in range(rng.randint(1, 3) if busy else rng.randint(0, 1)):
            agent = rng.choice(AGENTS)
            rule = rng.choice(WINDOWS_ROUTINE if agent.windows else LINUX_ROUTINE)
            when = moment + timedelta(
                seconds=rng.randint(0, 3599), milliseconds=rng.randint(0, 999)
            )
            wazuh.add(when, agent, rule, full_log=f"{rule[2]} ({agent.name})")


def burst(
    rng: random.Random,
    wazuh: WazuhWriter,
    agent: str,
    rule_id: str,
    start: datetime,
    count: int,
    spread_minutes: float,
    **extra: Any,
) -> None:
    """``count`` alerts of one rule on one agent within ``spread_minutes``."""
    for _ in range(count):
        when = start + timedelta(seconds=rng.uniform(0, spread_minutes * 60))
        wazuh.add(when, BY_NAME[agent], burst_rule(rule_id), **extra)


def day(number: int, hour: int, minute: int = 0) -> datetime:
    """The time ``hour:minute`` on the fortnight's day ``number`` (0 is 2 November)."""
    return START + timedelta(days=number, hours=hour, minutes=minute)


def attacks(rng: random.Random, wazuh: WazuhWriter) -> None:
    ssh = {
        "data": {"srcip": ATTACKERS[0], "srcuser": "admin"},
        "full_log": f"Invalid user admin from {ATTACKERS[0]} port 52144",
    }
    burst(rng, wazuh, "hcc-dvc01", "5710", day(1, 2, 10), 36, 40, **ssh)
    burst(rng, wazuh, "hcc-dvc01", "5712", day(1, 2, 15), 6, 35, **ssh)
    sqli = {"data": {"srcip": ATTACKERS[1], "url": "/tra-cuu?ma=1%27%20OR%20%271%27=%271"}}
    burst(rng, wazuh, "hcc-dvc01", "31103", day(3, 14, 5), 18, 50, **sqli)
    burst(rng, wazuh, "hcc-dvc01", "31106", day(3, 14, 40), 2, 10, **sqli)
    burst(
        rng,
        wazuh,
        "syt-his01",
        "60204",
        day(5, 9, 30),
        8,
        90,
        data={"srcip": "10.62.20.88", "dstuser": "administrator"},
    )
    burst(rng, wazuh, "dakcam-pc01", "87105", day(7, 10, 12), 3, 20)
    burst(
        rng,
        wazuh,
        "sathay-srv01",
        "100200",
        day(10, 22, 47),
        7,
        12,
        full_log="File renamed: D:\\HoSo\\2026\\baocao.docx -> baocao.docx.lockbit",
    )
    burst(
        rng,
        wazuh,
        "stc-web01",
        "5710",
        day(8, 1, 0),
        22,
        25,
        data={"srcip": ATTACKERS[2], "srcuser": "oracle"},
    )
    # Still going on when the fortnight ends: an open incident in the demo.
    burst(
        rng,
        wazuh,
        "stc-web01",
        "5712",
        day(13, 23, 10),
        5,
        45,
        data={"srcip": ATTACKERS[3], "srcuser": "root"},
    )


@dataclass(frozen=True)
class Signature:
    vendor: str
    product: str
    version: str
    id: str
    name: str
    severity: int


PORT_SCAN = Signature("Fortinet", "FortiGate", "7.2.8", "18432", "IPS: TCP.Port.Scan", 5)
SQL_INJECTION = Signature(
    "Fortinet", "FortiWeb", "7.4.3", "50010001", "Known Exploits\\|SQL Injection", 8
)
BOTNET = Signature("Fortinet", "FortiGate", "7.2.8", "7208", "Botnet C&C: Trickbot", 9)
DENIED = Signature("Fortinet", "FortiGate", "7.2.8", "0000000013", "Policy deny", 2)


def cef_line(rng: random.Random, when: datetime, sig: Signature, extension: str) -> str:
    header = f"CEF:0|{sig.vendor}|{sig.product}|{sig.version}|{sig.id}|{sig.name}|{sig.severity}|"
    millis = int(when.timestamp() * 1000)
    body = f"{header}rt={millis} dvchost={FIREWALL} {extension}"
    style = rng.random()
    if style < 0.5:  # RFC 3164, as rsyslog writes it by default
        return f"<134>{when:%b} {when.day:2d} {when:%H:%M:%S} {FIREWALL.lower()} {body}"
    if style < 0.85:  # RFC 5424
        stamp = when.isoformat(timespec="milliseconds")
        return f"<134>1 {stamp} {FIREWALL.lower()} fortigate - - - {body}"
    return body  # bare CEF, as a product writes to its own file


def cef_events(rng: random.Random) -> list[tuple[datetime, str]]:
    lines: list[tuple[datetime, str]] = []

    def add(when: datetime, sig: Signature, extension: str) -> None:
        lines.append((when, cef_line(rng, when, sig, extension)))

    for hour in range(DAYS * 24):
        moment = START + timedelta(hours=hour)
        for _ in range(rng.randint(0, 1)):
            when = moment + timedelta(seconds=rng.randint(0, 3599))
            target = rng.choice(AGENTS)
            add(
                when,
                DENIED,
                f"src={rng.choice(ATTACKERS)} spt={rng.randint(1024, 65535)} "
                f"dst={target.ip} dpt={rng.choice([22, 3389, 445])} proto=6 act=deny",
            )
    scan_start = START + timedelta(days=2, hours=3)
    for n in range(24):
        when = scan_start + timedelta(seconds=n * 40 + rng.randint(0, 30))
        add(
            when,
            PORT_SCAN,
            f"src={ATTACKERS[2]} dst=10.62.10.11 dpt={1000 + n * 7} proto=6 "
            "act=dropped msg=port scan from a single source",
        )
    portal_attack = START + timedelta(days=3, hours=14, minutes=8)
    for n in range(12):
        when = portal_attack + timedelta(seconds=n * 150 + rng.randint(0, 90))
        add(
            when,
            SQL_INJECTION,
            f"src={ATTACKERS[1]} spt={40000 + n} dst=10.62.40.41 dpt=443 "
            "act=blocked cs1Label=policy cs1=WAF-DVC "
            "request=https://dichvucong.kontum.gov.vn/tra-cuu?ma\\=1' OR '1'\\='1 "
            "msg=SQL injection in parameter ma blocked",
        )
    beacon = START + timedelta(days=9, hours=8, minutes=30)
    for n in range(9):
        when = beacon + timedelta(minutes=n * 6, seconds=rng.randint(0, 50))
        add(
            when,
            BOTNET,
            "src=10.62.102.21 spt=49731 dst=198.51.100.200 dpt=443 proto=6 "
            "act=blocked msg=connection to a known Trickbot C&C server blocked",
        )
    return lines


def main() -> None:
    rng = random.Random(20261102)
    wazuh = WazuhWriter()
    routine(rng, wazuh)
    attacks(rng, wazuh)
    alerts = wazuh.write(WAZUH_FILE)
    cef = sorted(cef_events(rng), key=lambda item: item[0])
    CEF_FILE.write_text("".join(line + "\n" for _, line in cef), encoding="utf-8")
    print(
        f"{WAZUH_FILE.name}: {alerts} alerts; {CEF_FILE.name}: {len(cef)} messages "
        f"({DAYS} days from {START:%Y-%m-%d})"
    )


if __name__ == "__main__":
    main()
