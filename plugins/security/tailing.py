"""Reading what was appended to a file since the last run, across rotation and truncation.

A Wazuh manager appends to ``alerts.json`` and rotates it every night; a syslog daemon does the
same with its CEF file (logrotate renames it, or copies and truncates it). The cursor that
follows such a file is three things:

- **inode**: *which* file. A rotation renames the file and creates a new one under the same
  path, so the path alone would send us into the new file at the old file's offset;
- **offset**: how many bytes were consumed, always up to the end of a complete line;
- **head**: a digest of the file's first line (up to 1 KiB). A file truncated and written
  again past the old offset (``copytruncate``), or a new file that was given a freed inode
  number, has the same inode and enough bytes; only its first line tells it apart. An
  append-only file's first line never changes, so the digest also names the file for good
  (with a line's offset, it identifies a line: see :attr:`Line.position`).

Each run then decides:

1. same inode and head, and at least ``offset`` bytes: read on from ``offset``;
2. another inode: the file was rotated. If the old file is still in the same directory under
   another name (``alerts.json.1``), its rest is read first; then the new file from its start.
   (A rotation that moves the old file away — Wazuh's own, into ``logs/alerts/<year>/<month>/``
   — loses what was appended after the last run: schedule the connector often.)
3. shorter than ``offset``, or another head: truncated or replaced; read from the start.

Only complete lines are read: a line still being written (no newline yet) waits for the next
run. A line over :data:`MAX_LINE_BYTES` is handed over cut short, marked ``oversized``.
"""

from __future__ import annotations

import hashlib
import logging
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from hub.connectors.errors import PermanentSourceError, TransientSourceError

log = logging.getLogger(__name__)

HEAD_BYTES = 1024
MAX_LINE_BYTES = 1024 * 1024


@dataclass(frozen=True)
class FileCursor:
    """Where reading a file stopped: its inode, the offset, and its head's digest."""

    inode: int | None = None
    offset: int = 0
    head: str = ""
    head_size: int = 0

    def to_state(self) -> dict[str, Any]:
        return {
            "inode": self.inode,
            "offset": self.offset,
            "head": self.head,
            "head_size": self.head_size,
        }

    @classmethod
    def from_state(cls, state: dict[str, Any] | None) -> FileCursor:
        if not state:
            return cls()
        return cls(
            state.get("inode"),
            int(state.get("offset", 0)),
            state.get("head", ""),
            int(state.get("head_size", 0)),
        )


@dataclass(frozen=True)
class Line:
    """One complete line (without its line end) and the cursor just after it."""

    data: bytes
    offset: int
    cursor: FileCursor
    oversized: bool = False

    @property
    def position(self) -> str:
        """Names the line for good: the file's head digest and the line's offset."""
        return f"{self.cursor.head[:12]}:{self.offset}"


def appended_lines(path: Path, cursor: FileCursor) -> Iterator[Line]:
    """The complete lines appended to ``path`` since ``cursor`` (see the module's rules)."""
    with _open(path, cursor) as handle:
        inode = os.fstat(handle.fileno()).st_ino
        head, head_size = _head(handle)
        if cursor.inode is not None and inode != cursor.inode:
            yield from _rest_of_rotated(path, cursor)
            start = 0
        elif _continues(handle, cursor):
            start = cursor.offset
        else:
            start = 0
        yield from _lines(handle, start, FileCursor(inode, start, head, head_size))


def _rest_of_rotated(path: Path, cursor: FileCursor) -> Iterator[Line]:
    rotated = _find_inode(path.parent, cursor.inode, path)
    if rotated is None:
        log.warning(
            "%s was rotated away; lines appended to it after offset %d are not read",
            path,
            cursor.offset,
        )
        return
    with _open(rotated, cursor) as handle:
        if _continues(handle, cursor):
            yield from _lines(handle, cursor.offset, cursor)


def _continues(handle: BinaryIO, cursor: FileCursor) -> bool:
    """Is this the file the cursor was in, at least as long as its offset?"""
    if os.fstat(handle.fileno()).st_size < cursor.offset:
        return False
    handle.seek(0)
    return _digest(handle.read(cursor.head_size)) == cursor.head if cursor.head_size else True


def _lines(handle: BinaryIO, start: int, cursor: FileCursor) -> Iterator[Line]:
    offset = start
    handle.seek(offset)
    while True:
        line = handle.readline(MAX_LINE_BYTES)
        if line.endswith(b"\n"):
            end = offset + len(line)
            yield Line(line.rstrip(b"\r\n"), offset, _moved(cursor, end))
        elif len(line) == MAX_LINE_BYTES:
            rest = _rest_of_line(handle)
            if rest is None:
                return  # the over-long line is still being written
            end = offset + len(line) + rest
            yield Line(line, offset, _moved(cursor, end), oversized=True)
        else:
            return  # the end of the file, or a line still being written
        offset = end


def _rest_of_line(handle: BinaryIO) -> int | None:
    """Bytes up to and including the next newline; None when the file ends first."""
    skipped = 0
    while True:
        chunk = handle.readline(MAX_LINE_BYTES)
        skipped += len(chunk)
        if chunk.endswith(b"\n"):
            return skipped
        if not chunk:
            return None


def _moved(cursor: FileCursor, offset: int) -> FileCursor:
    return FileCursor(cursor.inode, offset, cursor.head, cursor.head_size)


def _head(handle: BinaryIO) -> tuple[str, int]:
    """The digest and size of the first line (or of what there is of it so far)."""
    handle.seek(0)
    data = handle.readline(HEAD_BYTES)
    return _digest(data), len(data)


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _find_inode(folder: Path, inode: int | None, besides: Path) -> Path | None:
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return None
    for entry in entries:
        if entry.path != str(besides) and entry.is_file() and entry.inode() == inode:
            return Path(entry.path)
    return None


def _open(path: Path, cursor: FileCursor) -> BinaryIO:
    try:
        return path.open("rb")
    except FileNotFoundError:
        if cursor.inode is None:
            raise PermanentSourceError(f"{path}: no such file") from None
        raise TransientSourceError(f"{path}: missing for now (being rotated?)") from None
    except IsADirectoryError:
        raise PermanentSourceError(f"{path}: is a directory, not a file") from None
    except PermissionError:
        raise PermanentSourceError(f"{path}: permission denied") from None
    except OSError as exc:
        raise TransientSourceError(f"{path}: {exc.strerror or exc}") from None
