"""The CEF parser: header escapes, extension escapes and spaces, and broken extensions."""

from __future__ import annotations

import pytest
from iochub_plugins.security.cef import CefError, parse_cef, parse_extension

HEADER = "CEF:0|Fortinet|FortiGate|7.2.8|13056|SQL Injection|8|"


def test_reads_the_seven_header_fields_and_the_extension() -> None:
    event = parse_cef(HEADER + "src=203.0.113.45 dst=10.62.40.41 dpt=443")

    assert (event.version, event.vendor, event.product, event.device_version) == (
        "0",
        "Fortinet",
        "FortiGate",
        "7.2.8",
    )
    assert (event.signature, event.name, event.severity) == ("13056", "SQL Injection", "8")
    assert event.extension == {"src": "203.0.113.45", "dst": "10.62.40.41", "dpt": "443"}


def test_header_pipes_and_backslashes_are_unescaped() -> None:
    event = parse_cef(r"CEF:0|Vendor\|Inc|Prod\\uct|1.0|sig\|1|Path\\to\|x|5|act=blocked")

    assert (event.vendor, event.product, event.signature, event.name) == (
        "Vendor|Inc",
        "Prod\\uct",
        "sig|1",
        "Path\\to|x",
    )
    assert event.extension == {"act": "blocked"}


def test_an_equals_sign_in_the_header_needs_no_escape() -> None:
    assert parse_cef("CEF:0|V|P|1|a=b|x=y|3|").name == "x=y"


def test_a_syslog_prefix_before_cef_is_ignored() -> None:
    event = parse_cef("<134>Nov 10 08:15:22 fw01 " + HEADER + "src=1.2.3.4")

    assert event.extension == {"src": "1.2.3.4"}


def test_a_message_without_extension_or_trailing_pipe() -> None:
    assert parse_cef("CEF:0|V|P|1|sig|name|3").extension == {}
    assert parse_cef("CEF:0|V|P|1|sig|name|3|").severity == "3"


@pytest.mark.parametrize(
    ("extension", "expected"),
    [
        (
            "msg=login failed for user admin act=deny",
            {"msg": "login failed for user admin", "act": "deny"},
        ),
        (
            r"request=https://x.vn/a?q\=1 act=blocked",
            {"request": "https://x.vn/a?q=1", "act": "blocked"},
        ),
        (r"fname=C:\\Windows\\cmd.exe", {"fname": "C:\\Windows\\cmd.exe"}),
        (r"msg=line one\nline two\r cs1=x", {"msg": "line one\nline two\r", "cs1": "x"}),
        (r"msg=a \| pipe", {"msg": "a | pipe"}),
        ("msg=trailing spaces    act=deny  ", {"msg": "trailing spaces", "act": "deny"}),
        ("url=http://x.vn/?a=1&b=2 act=ok", {"url": "http://x.vn/?a=1&b=2", "act": "ok"}),
        ("empty= act=deny", {"empty": "", "act": "deny"}),
        (r"msg=escaped backslash then equals \\=x", {"msg": "escaped backslash then equals \\=x"}),
        (
            "cs1Label=policy cs1=WAF-DVC ad.name=x",
            {"cs1Label": "policy", "cs1": "WAF-DVC", "ad.name": "x"},
        ),
        ("", {}),
    ],
)
def test_extension_values_with_spaces_and_escapes(extension: str, expected: dict[str, str]) -> None:
    assert parse_extension(extension) == expected


@pytest.mark.parametrize(
    ("extension", "reason"),
    [
        ("this is not an extension", "no key=value pair"),
        ("garbage before src=1.2.3.4", "comes before any key"),
        ("=value src=1.2.3.4", "an empty key"),
        ("src=1.2.3.4 =oops", "an empty key"),
        ("src=1.2.3.4 src=5.6.7.8", "key 'src' appears twice"),
        ("msg=ends badly\\", "lone backslash"),
    ],
)
def test_a_broken_extension_says_why(extension: str, reason: str) -> None:
    with pytest.raises(CefError, match="broken extension") as caught:
        parse_cef(HEADER + extension)
    assert reason in str(caught.value)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("Nov 10 08:15:22 fw01 sshd[1]: session opened", "not a CEF message"),
        ("CEF:0|Vendor|Product|1.0", "the CEF header has 4 of its 7 fields"),
        ("CEF:x|V|P|1|s|n|3|", "CEF version 'x' is not a number"),
    ],
)
def test_a_broken_header_says_why(text: str, reason: str) -> None:
    with pytest.raises(CefError, match=reason):
        parse_cef(text)
