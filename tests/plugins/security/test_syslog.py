"""Syslog headers (RFC 5424, RFC 3164) and TCP framing (RFC 6587)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from iochub_plugins.security.framing import Frame, TcpFramer
from iochub_plugins.security.syslog import parse_syslog

ICT = timezone(timedelta(hours=7))
NOW = datetime(2026, 11, 29, 9, 0, tzinfo=ICT)
CEF = "CEF:0|V|P|1|sig|name|5|src=1.2.3.4"


def test_rfc5424_with_structured_data() -> None:
    text = (
        "<134>1 2026-11-29T08:15:22.311+07:00 fw01 fortigate 1234 ID47 "
        '[origin ip="10.0.0.1" note="a \\"quoted\\] value"][meta seq="7"] ' + CEF
    )
    message = parse_syslog(text, ICT, NOW)

    assert message.message == CEF
    assert message.hostname == "fw01"
    assert message.app == "fortigate"
    assert message.timestamp == datetime(2026, 11, 29, 1, 15, 22, 311000, tzinfo=UTC)


def test_rfc5424_with_nil_values_and_a_bom() -> None:
    message = parse_syslog("<14>1 - - - - - - \ufeff" + CEF, ICT, NOW)

    assert (message.message, message.hostname, message.timestamp) == (CEF, None, None)


def test_rfc3164_with_host() -> None:
    message = parse_syslog("<134>Nov  9 08:15:22 fw01 " + CEF, ICT, NOW)

    assert message.message == CEF
    assert message.hostname == "fw01"
    assert message.timestamp == datetime(2026, 11, 9, 8, 15, 22, tzinfo=ICT)


def test_rfc3164_year_is_the_one_before_now() -> None:
    message = parse_syslog("<134>Dec 31 23:59:59 fw01 " + CEF, ICT, NOW.replace(month=1, day=2))

    assert message.timestamp == datetime(2025, 12, 31, 23, 59, 59, tzinfo=ICT)


def test_rfc3164_with_a_tag_and_no_host() -> None:
    assert parse_syslog("<134>Nov 29 08:00:00 " + CEF, ICT, NOW).hostname is None
    tagged = parse_syslog("<134>Nov 29 08:00:00 fw01 CEF: " + CEF, ICT, NOW)
    assert (tagged.hostname, tagged.message) == ("fw01", "CEF: " + CEF)


def test_rsyslog_iso_timestamp() -> None:
    message = parse_syslog("2026-11-29T08:00:00+07:00 fw01 " + CEF, ICT, NOW)

    assert (message.hostname, message.message) == ("fw01", CEF)
    assert message.timestamp == datetime(2026, 11, 29, 8, tzinfo=ICT)


def test_a_message_without_header_is_all_message() -> None:
    message = parse_syslog(CEF + "\r\n", ICT, NOW)

    assert (message.message, message.hostname, message.timestamp) == (CEF, None, None)


def payloads(frames: list[Frame]) -> list[bytes | str]:
    return [frame.problem or frame.payload for frame in frames]


def test_newline_framing_across_reads() -> None:
    framer = TcpFramer(1024)

    assert framer.feed(b"<134>first\n<134>sec") == [Frame(b"<134>first")]
    assert payloads(framer.feed(b"ond\r\n\n<134>third\n")) == [b"<134>second", b"<134>third"]
    assert framer.close() == []


def test_octet_counting_across_reads_and_mixed_with_newlines() -> None:
    framer = TcpFramer(1024)
    message = b"<134>1 - h a - - - hello\nworld"  # a counted frame may hold a newline

    assert framer.feed(b"%d " % len(message) + message[:10]) == []
    assert payloads(framer.feed(message[10:] + b"<13>plain line\n3 abc")) == [
        message,
        b"<13>plain line",
        b"abc",
    ]


def test_the_last_line_without_newline_counts_when_the_sender_closes() -> None:
    framer = TcpFramer(1024)
    framer.feed(b"<134>last words")

    assert framer.close() == [Frame(b"<134>last words")]


def test_a_counted_frame_cut_short_by_the_close_is_a_problem() -> None:
    framer = TcpFramer(1024)
    framer.feed(b"100 <134>only a part")

    assert payloads(framer.close()) == ["the connection closed inside a frame of 100 bytes"]


@pytest.mark.parametrize("chunk", [1, 7, 4096])
def test_over_long_frames_are_skipped_and_the_stream_goes_on(chunk: int) -> None:
    framer = TcpFramer(16)
    stream = b"40 " + b"x" * 40 + b"<1>ok\n" + b"y" * 50 + b"\n<2>fine\n"
    frames: list[Frame] = []
    for start in range(0, len(stream), chunk):
        frames += framer.feed(stream[start : start + chunk])

    assert payloads(frames) == [
        "a frame of 40 bytes is over the limit of 16",
        b"<1>ok",
        "a line over the limit of 16 bytes",
        b"<2>fine",
    ]
