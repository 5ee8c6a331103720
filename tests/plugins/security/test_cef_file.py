"""The cef-file kind through the hub's runtime: appends, bad lines, skipped messages."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from hub.connectors.runtime import run_sync
from hub.core import Hub
from hub.model import RunStatus
from tests.plugins.security.conftest import events, observed, quarantined, totals
from tests.plugins.security.samples import security_table

HEADER = "CEF:0|Fortinet|FortiWeb|7.4.3|50010001|Known Exploits\\|SQL Injection|8|"


def line(minute: int, extension: str = "dst=10.62.101.21", header: str = HEADER) -> str:
    return f"<134>Nov  2 10:{minute:02d}:00 fwb-dc {header}{extension}\n"


def test_appended_lines_fold_and_a_broken_one_is_quarantined(
    security_hub: Callable[..., Hub], tmp_path: Path
) -> None:
    path = tmp_path / "siem.cef"
    broken = line(3, extension="src=1.2.3.4 src=5.6.7.8").rstrip("\n")
    path.write_text(line(0) + line(1) + broken + "\n", encoding="utf-8")
    hub = security_hub({"cef": security_table("cef-file", path=str(path))})

    first = run_sync(hub, "cef")
    with path.open("a", encoding="utf-8") as handle:
        handle.write("Nov  2 10:04:00 host sshd[1]: not CEF at all\n" + line(20) + line(50))
    second = run_sync(hub, "cef")

    assert (first.status, first.records_quarantined) == (RunStatus.PARTIAL, 1)
    assert (second.status, second.records_quarantined) == (RunStatus.PARTIAL, 1)
    assert [(q.reason, q.payload) for q in quarantined(hub)] == [
        ("broken extension: key 'src' appears twice", broken),
        ("not a CEF message (no 'CEF:' header)", "Nov  2 10:04:00 host sshd[1]: not CEF at all"),
    ]
    (incident,) = events(hub, "security.incident")
    assert (incident.title, incident.status, incident.attributes["count"]) == (
        "Known Exploits|SQL Injection — 10.62.101.21",
        "open",
        4,
    )
    assert (incident.unit_code, incident.attributes["agency"]) == ("23284", "UBND phường Đăk Cấm")
    counts = totals(observed(hub, "security_alerts"), severity="high")
    assert counts == {("23284", "2026-11-02"): 4}


def test_messages_that_are_not_cef_or_below_the_minimum_can_be_skipped(
    security_hub: Callable[..., Hub], tmp_path: Path
) -> None:
    path = tmp_path / "siem.cef"
    low = "CEF:0|Fortinet|FortiGate|7.2.8|13|Policy deny|2|"
    path.write_text("a plain syslog line\n" + line(0, header=low) + line(1), encoding="utf-8")
    table = security_table("cef-file", path=str(path), ignore_non_cef=True, min_severity=4)
    hub = security_hub({"cef": table})

    run = run_sync(hub, "cef")

    assert (run.status, run.records_quarantined) == (RunStatus.SUCCEEDED, 0)
    assert [event.severity for event in events(hub, "security.alert")] == [3]
