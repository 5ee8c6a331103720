"""Splitting a TCP syslog stream into messages (RFC 6587), frame by frame.

Two framings share one port, and a sender may even mix them:

- **octet counting** (3.4.1): ``MSG-LEN SP SYSLOG-MSG``, e.g. ``53 <134>1 2026-...``; a frame
  that starts with a digit is read this way (a syslog message starts with ``<``, a bare CEF
  message with ``C``, never with a digit);
- **non-transparent** (3.4.2): the message ends at a line feed (a trailing CR or NUL is
  dropped).

A frame over the size limit becomes a :class:`Frame` with a problem instead of a message, and
the stream goes on after it: one bad sender's message never stops the listener.
"""

from __future__ import annotations

from dataclasses import dataclass

LENGTH_DIGITS = 9  # an octet count of up to 999 MB: longer is not a count


@dataclass(frozen=True)
class Frame:
    """One message from the stream, or why there is none where one was expected."""

    payload: bytes = b""
    problem: str | None = None


class TcpFramer:
    """Feeds on the bytes of one TCP connection and hands back complete frames."""

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self._buffer = bytearray()
        self._skip = 0  # bytes of an over-long counted frame still to drop
        self._skip_line = False  # drop until the next line feed (an over-long line)

    def feed(self, data: bytes) -> list[Frame]:
        """The frames completed by ``data``."""
        self._buffer += data
        frames: list[Frame] = []
        while self._buffer:
            frame = self._next_frame()
            if frame is None:
                break
            if frame.payload or frame.problem:
                frames.append(frame)
        return frames

    def close(self) -> list[Frame]:
        """The sender closed: what is left is a last line, or a counted frame cut short."""
        rest, self._buffer = bytes(self._buffer), bytearray()
        if self._skip or self._skip_line or not rest.strip():
            return []
        counted = _octet_count(rest)
        if counted is not None:
            return [Frame(problem=f"the connection closed inside a frame of {counted[0]} bytes")]
        return [Frame(_trimmed(rest))]

    def _next_frame(self) -> Frame | None:
        if self._skip:
            return self._drop_counted()
        if self._skip_line:
            return self._drop_line()
        counted = _octet_count(self._buffer)
        if counted is not None:
            return self._counted(*counted)
        return self._line()

    def _counted(self, length: int, header: int) -> Frame | None:
        if length > self.max_bytes:
            del self._buffer[:header]
            self._skip = length
            return Frame(problem=f"a frame of {length} bytes is over the limit of {self.max_bytes}")
        if len(self._buffer) < header + length:
            return None
        payload = bytes(self._buffer[header : header + length])
        del self._buffer[: header + length]
        return Frame(_trimmed(payload))

    def _line(self) -> Frame | None:
        end = self._buffer.find(b"\n")
        if end < 0 and len(self._buffer) <= self.max_bytes:
            return None  # the rest of the line is still on its way
        if end < 0 or end > self.max_bytes:
            self._skip_line = True
            return Frame(problem=f"a line over the limit of {self.max_bytes} bytes")
        payload = bytes(self._buffer[:end])
        del self._buffer[: end + 1]
        return Frame(_trimmed(payload))

    def _drop_counted(self) -> Frame:
        dropped = min(self._skip, len(self._buffer))
        del self._buffer[:dropped]
        self._skip -= dropped
        return Frame()

    def _drop_line(self) -> Frame:
        end = self._buffer.find(b"\n")
        if end < 0:
            self._buffer.clear()
        else:
            del self._buffer[: end + 1]
            self._skip_line = False
        return Frame()


def _octet_count(buffer: bytes | bytearray) -> tuple[int, int] | None:
    """(length, header size) when the buffer starts with ``DIGITS SP``; else None."""
    if not buffer[:1].isdigit():
        return None
    space = buffer.find(b" ", 0, LENGTH_DIGITS + 1)
    if space <= 0 or not bytes(buffer[:space]).isdigit():
        return None
    return int(buffer[:space]), space + 1


def _trimmed(payload: bytes) -> bytes:
    return payload.rstrip(b"\r\n\x00")
