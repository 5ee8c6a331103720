"""Relay-style forward pagination: page sizes, opaque cursors and ``PageInfo``.

A cursor is the sort key of the last row seen, so that a page starts right after it
(keyset pagination): rows added or removed meanwhile neither shift nor repeat a page.
Cursors are opaque to callers: base64 of a small JSON array naming what they page through.
"""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any

import strawberry

from hub.graphql.errors import BadUserInput

MAX_PAGE_SIZE = 500


@strawberry.type
class PageInfo:
    has_next_page: bool
    has_previous_page: bool = strawberry.field(
        description="True when the page was asked for after a cursor."
    )
    start_cursor: str | None
    end_cursor: str | None


def page_size(first: int | None, default: int) -> int:
    """The number of rows to return; BAD_USER_INPUT unless 0 ≤ first ≤ MAX_PAGE_SIZE."""
    size = default if first is None else first
    if not 0 <= size <= MAX_PAGE_SIZE:
        raise BadUserInput(f"first must be between 0 and {MAX_PAGE_SIZE}, not {size}")
    return size


def page_info(cursors: list[str], has_next_page: bool, after: str | None) -> PageInfo:
    return PageInfo(
        has_next_page=has_next_page,
        has_previous_page=after is not None,
        start_cursor=cursors[0] if cursors else None,
        end_cursor=cursors[-1] if cursors else None,
    )


def encode_cursor(kind: str, *key: str | int) -> str:
    """An opaque cursor for the row whose sort key is ``key``, in a listing of ``kind``."""
    text = json.dumps([kind, *key], separators=(",", ":"))
    return base64.urlsafe_b64encode(text.encode()).decode()


def decode_cursor(kind: str, cursor: str, size: int) -> list[Any]:
    """The ``size`` values of the key in ``cursor``; BAD_USER_INPUT if it is not one of ours."""
    try:
        values = json.loads(base64.urlsafe_b64decode(cursor.encode()))
    except (binascii.Error, UnicodeError, ValueError):
        values = None
    if not isinstance(values, list) or len(values) != size + 1 or values[0] != kind:
        raise BadUserInput(f"malformed cursor {cursor!r}: pass an endCursor of this listing")
    return values[1:]
