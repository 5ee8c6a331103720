"""The ArcSight Common Event Format (CEF), parsed by hand.

A CEF message is seven header fields and an extension::

    CEF:0|Vendor|Product|1.0|SignatureID|Name|Severity|key1=value one key2=value\\=2

**Header**: fields are separated by ``|``; inside a field ``\\|`` is a pipe and ``\\\\`` a
backslash. Any other backslash is kept as written (senders are careless with Windows paths).

**Extension**: ``key=value`` pairs separated by spaces. A value runs until the space before
the next key, so it may hold spaces; inside it ``\\=`` is ``=``, ``\\\\`` a backslash, ``\\n``
and ``\\r`` a line break, ``\\|`` a pipe. A key is letters, digits and ``_ . - [ ]`` right
after a space (or at the start). An ``=`` that does not follow such a key (``?a=b`` in a URL) is
taken as part of the value, as most real senders forget to escape it. Trailing spaces of a
value are dropped.

An extension is **broken**, and the message rejected with :class:`CefError`, when it does not
start with a key, has an empty key, repeats a key, or ends in a lone backslash: each makes the
message ambiguous, and a guess would put wrong data in front of the operations room.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

CEF_MARK = "CEF:"
HEADER_FIELDS = ("version", "vendor", "product", "device_version", "signature", "name", "severity")
KEY_CHARACTERS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-[]")
HEADER_ESCAPES = {"|": "|", "\\": "\\"}
VALUE_ESCAPES = {"=": "=", "\\": "\\", "n": "\n", "r": "\r", "|": "|"}
SEPARATOR_OR_ESCAPE = re.compile(r"[=\\]")


class CefError(ValueError):
    """The text is not a well-formed CEF message; the message says why."""


@dataclass(frozen=True)
class CefEvent:
    """One CEF message: its header fields (unescaped) and its extension as a dict."""

    version: str
    vendor: str
    product: str
    device_version: str
    signature: str
    name: str
    severity: str
    extension: dict[str, str] = field(default_factory=dict)


def find_cef(text: str) -> int:
    """Where the CEF message starts in ``text`` (after a syslog header, say), or -1."""
    return text.find(CEF_MARK)


def parse_cef(text: str) -> CefEvent:
    """Parse a CEF message; the text may carry a prefix (a syslog header) before ``CEF:``."""
    start = find_cef(text)
    if start < 0:
        raise CefError("not a CEF message (no 'CEF:' header)")
    fields, extension = split_header(text[start + len(CEF_MARK) :])
    if len(fields) < len(HEADER_FIELDS):
        raise CefError(f"the CEF header has {len(fields)} of its {len(HEADER_FIELDS)} fields")
    if not fields[0].strip().isdigit():
        raise CefError(f"CEF version {fields[0]!r} is not a number")
    header = dict(zip(HEADER_FIELDS, fields, strict=True))
    return CefEvent(**header, extension=parse_extension(extension))


def split_header(text: str) -> tuple[list[str], str]:
    """The header fields (unescaped) and the raw extension after the seventh ``|``."""
    parts = text.split("|", len(HEADER_FIELDS))
    if len(parts) > len(HEADER_FIELDS) and "\\" not in text[: -len(parts[-1]) or None]:
        return parts[:-1], parts[-1]  # the usual header: nothing escaped, seven fields
    fields: list[str] = []
    current: list[str] = []
    i = 0
    while i < len(text) and len(fields) < len(HEADER_FIELDS):
        char = text[i]
        if char == "\\" and i + 1 < len(text) and text[i + 1] in HEADER_ESCAPES:
            current.append(HEADER_ESCAPES[text[i + 1]])
            i += 2
            continue
        if char == "|":
            fields.append("".join(current))
            current = []
        else:
            current.append(char)
        i += 1
    if len(fields) < len(HEADER_FIELDS) and current:
        fields.append("".join(current))  # the last field of a message with no extension
    return fields, text[i:]


def parse_extension(text: str) -> dict[str, str]:
    """The extension's pairs, values unescaped; CefError when the extension is broken."""
    if not text.strip():
        return {}
    pairs = _key_spans(text)
    if not pairs:
        raise CefError(f"broken extension: no key=value pair in {_excerpt(text)!r}")
    first_key = pairs[0][0]
    if text[:first_key].strip():
        raise CefError(f"broken extension: {_excerpt(text[:first_key])!r} comes before any key")
    extension: dict[str, str] = {}
    for index, (key_start, equals) in enumerate(pairs):
        key = text[key_start:equals]
        end = pairs[index + 1][0] if index + 1 < len(pairs) else len(text)
        if key in extension:
            raise CefError(f"broken extension: key {key!r} appears twice")
        extension[key] = _unescape_value(text[equals + 1 : end].rstrip(" "))
    return extension


def _key_spans(text: str) -> list[tuple[int, int]]:
    """(start of key, position of its ``=``) for every key in the extension, in order."""
    spans: list[tuple[int, int]] = []
    escaped: set[int] = set()  # positions of characters that follow a backslash
    after = 0  # the first position not consumed by an escape
    for special in SEPARATOR_OR_ESCAPE.finditer(text):  # only these two characters matter
        i = special.start()
        if i < after:
            continue  # an escaped character is never a separator
        if text[i] == "\\":
            if i + 1 == len(text):
                raise CefError("broken extension: it ends in a lone backslash")
            escaped.add(i + 1)
            after = i + 2
            continue
        start = _key_start(text, i, escaped)
        at_boundary = start == 0 or (text[start - 1] == " " and start - 1 not in escaped)
        if at_boundary and start == i:
            raise CefError(f"broken extension: an empty key at {_excerpt(text[i:])!r}")
        if at_boundary:
            spans.append((start, i))
    return spans


def _key_start(text: str, equals: int, escaped: set[int]) -> int:
    start = equals
    while start > 0 and text[start - 1] in KEY_CHARACTERS and start - 1 not in escaped:
        start -= 1
    return start


def _unescape_value(raw: str) -> str:
    if "\\" not in raw:
        return raw
    out: list[str] = []
    i = 0
    while i < len(raw):
        char = raw[i]
        if char == "\\" and i + 1 < len(raw):
            following = raw[i + 1]
            out.append(VALUE_ESCAPES.get(following, char + following))
            i += 2
            continue
        out.append(char)
        i += 1
    return "".join(out)


def _excerpt(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
