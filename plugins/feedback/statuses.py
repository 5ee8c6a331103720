"""Portal statuses → the hub's five: received, in_progress, resolved, closed, rejected.

GeoReport v2 knows only ``open`` and ``closed``; portals add their own (``acknowledged``,
``in progress``, ``duplicate``, Vietnamese labels such as ``Đang xử lý``). A connector's
``statuses`` table adds to or overrides :data:`DEFAULT_STATUSES`. Labels match whatever their
case, spacing, ``_``/``-`` separators and Unicode form; a status found in neither is not
guessed at: its request is quarantined, naming the status, until the mapping is completed.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from enum import StrEnum


class CaseStatus(StrEnum):
    """The normalised status of a feedback case."""

    RECEIVED = "received"
    IN_PROGRESS = "in_progress"
    RESOLVED = "resolved"
    CLOSED = "closed"
    REJECTED = "rejected"

    @property
    def is_open(self) -> bool:
        return self in (CaseStatus.RECEIVED, CaseStatus.IN_PROGRESS)

    @property
    def is_done(self) -> bool:
        """Handled to the end: the case counts as resolved."""
        return self in (CaseStatus.RESOLVED, CaseStatus.CLOSED)


DONE = tuple(status.value for status in CaseStatus if status.is_done)

_R, _P, _D, _C, _X = (
    CaseStatus.RECEIVED,
    CaseStatus.IN_PROGRESS,
    CaseStatus.RESOLVED,
    CaseStatus.CLOSED,
    CaseStatus.REJECTED,
)
DEFAULT_STATUSES: dict[str, CaseStatus] = {
    # GeoReport v2
    "open": _R,
    "closed": _C,
    # common extensions (SeeClickFix, Mark-a-Spot, FixMyStreet, city portals)
    "new": _R,
    "submitted": _R,
    "received": _R,
    "pending": _R,
    "unconfirmed": _R,
    "confirmed": _R,
    "acknowledged": _P,
    "assigned": _P,
    "in progress": _P,
    "investigating": _P,
    "action scheduled": _P,
    "planned": _P,
    "reopened": _P,
    "processing": _P,
    "resolved": _D,
    "fixed": _D,
    "completed": _D,
    "done": _D,
    "archived": _C,
    "rejected": _X,
    "duplicate": _X,
    "invalid": _X,
    "declined": _X,
    "not actionable": _X,
    "wont fix": _X,
    "won't fix": _X,
    "not responsible": _X,
    "spam": _X,
    # Vietnamese citizen-feedback portals
    "mới": _R,
    "mới tiếp nhận": _R,
    "đã tiếp nhận": _R,
    "chờ xử lý": _R,
    "chờ tiếp nhận": _R,
    "đang xử lý": _P,
    "đã chuyển xử lý": _P,
    "đã phân công": _P,
    "đang giải quyết": _P,
    "đã xử lý": _D,
    "đã giải quyết": _D,
    "hoàn thành": _D,
    "đã hoàn thành": _D,
    "đã đóng": _C,
    "đóng": _C,
    "lưu trữ": _C,
    "từ chối": _X,
    "không tiếp nhận": _X,
    "không xử lý": _X,
    "trùng lặp": _X,
    "trùng": _X,
    "không hợp lệ": _X,
}


def status_key(label: str) -> str:
    """A status label as it is matched: NFC, case-folded, separators as single spaces."""
    text = unicodedata.normalize("NFC", label).casefold()
    return re.sub(r"[\s_\-]+", " ", text).strip()


class StatusMap:
    """Maps a portal's status labels to :class:`CaseStatus`."""

    def __init__(self, overrides: Mapping[str, str] | None = None) -> None:
        merged: dict[str, str] = {**DEFAULT_STATUSES, **(overrides or {})}
        self._by_key = {status_key(label): CaseStatus(value) for label, value in merged.items()}

    def normalise(self, label: str) -> CaseStatus | None:
        """The status a label means; None when the mapping does not know it."""
        return self._by_key.get(status_key(label))
