"""Request bodies and WebSocket messages, checked before they are parsed.

JSON nested deeper than ``[server] max_json_depth`` is refused (400 over HTTP; the socket is
closed with 4400) without being parsed: a parser that recurses would otherwise fail inside.
The size of a body is limited by ``[server] max_body_bytes`` (413), before it is read whole.
A text holding the NUL character is refused too: PostgreSQL cannot store it, in a column or
in JSON, so it would fail deep inside a write instead of here with a reason.
"""

from __future__ import annotations

import json
import re
from typing import Any

from cross_web import HTTPException

STRINGS = re.compile(rb'"(?:[^"\\]|\\.)*"', re.DOTALL)
NUL = "\x00"
NUL_REFUSED = "a text holds the NUL character (\\u0000), which the hub cannot store"
BRACKETS = re.compile(rb"[\[\]{}]")


class RefusedJson(json.JSONDecodeError):
    """JSON refused before parsing; the message says why (strawberry handles it as bad JSON)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason, "", 0)


def nesting(data: bytes) -> int:
    """How deeply the arrays and objects of a JSON text nest (strings left aside)."""
    depth = deepest = 0
    for bracket in BRACKETS.findall(STRINGS.sub(b"", data)):
        depth += 1 if bracket in (b"[", b"{") else -1
        deepest = max(deepest, depth)
    return deepest


def decode_json(data: str | bytes, max_depth: int) -> Any:
    """Parse a JSON body or message; RefusedJson if it nests deeper than ``max_depth`` or a
    text in it holds the NUL character."""
    raw = data.encode() if isinstance(data, str) else data
    opened = raw.count(b"[") + raw.count(b"{")
    if opened > max_depth and nesting(raw) > max_depth:
        raise RefusedJson(
            f"the JSON nests deeper than {max_depth} levels ([server] max_json_depth)"
        )
    try:
        decoded = json.loads(raw)
    except json.JSONDecodeError:
        raise
    except ValueError as exc:  # e.g. an integer of more digits than Python converts
        raise RefusedJson(f"the JSON holds a value the hub cannot read ({exc})") from None
    if b"\\u0000" in raw and holds_nul(decoded):
        raise RefusedJson(NUL_REFUSED)
    return decoded


def holds_nul(value: Any) -> bool:
    """Whether a text anywhere in decoded JSON (keys included) holds the NUL character."""
    if isinstance(value, str):
        return NUL in value
    if isinstance(value, dict):
        return any(holds_nul(key) or holds_nul(item) for key, item in value.items())
    if isinstance(value, list):
        return any(holds_nul(item) for item in value)
    return False


def parse_json(data: str | bytes, max_depth: int) -> Any:
    """Like :func:`decode_json`, but a refusal or bad JSON is an HTTP 400 saying why."""
    try:
        return decode_json(data, max_depth)
    except RefusedJson as exc:
        raise HTTPException(400, exc.msg) from None
    except json.JSONDecodeError:
        raise HTTPException(400, "the request body is not JSON") from None
