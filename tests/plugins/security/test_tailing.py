"""Following a file that is appended to, rotated and truncated, with an inode+offset cursor."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from iochub_plugins.security import tailing
from iochub_plugins.security.tailing import FileCursor, appended_lines

from hub.connectors.errors import PermanentSourceError, TransientSourceError


class Follower:
    """Reads the lines appended since the last read, as successive runs would."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.cursor = FileCursor()

    def read(self) -> list[str]:
        lines = []
        for line in appended_lines(self.path, FileCursor.from_state(self.cursor.to_state())):
            lines.append(line.data.decode())
            self.cursor = line.cursor
        return lines


def append(path: Path, text: str) -> None:
    with path.open("a", encoding="utf-8") as handle:
        handle.write(text)


@pytest.fixture
def log(tmp_path: Path) -> Path:
    path = tmp_path / "alerts.json"
    path.write_text("one\ntwo\n", encoding="utf-8")
    return path


def test_reads_what_was_appended_since_the_last_run(log: Path) -> None:
    follower = Follower(log)

    assert follower.read() == ["one", "two"]
    assert follower.read() == []
    append(log, "three\nfour\n")
    assert follower.read() == ["three", "four"]
    assert follower.cursor.offset == log.stat().st_size
    assert follower.cursor.inode == log.stat().st_ino


def test_a_line_still_being_written_waits_for_its_newline(log: Path) -> None:
    follower = Follower(log)
    follower.read()
    append(log, "thr")

    assert follower.read() == []
    append(log, "ee\r\n")
    assert follower.read() == ["three"]


def test_a_rotated_file_is_finished_before_the_new_one(log: Path) -> None:
    follower = Follower(log)
    follower.read()
    append(log, "three\n")  # written after the last run, before the rotation
    log.rename(log.with_name("alerts.json.1"))
    log.write_text("new-one\n", encoding="utf-8")

    assert follower.read() == ["three", "new-one"]
    assert follower.cursor.inode == log.stat().st_ino
    assert follower.read() == []


def test_a_rotation_that_moved_the_old_file_away_starts_the_new_one(
    log: Path, tmp_path: Path
) -> None:
    follower = Follower(log)
    follower.read()
    archive = tmp_path / "2026" / "Nov"
    archive.mkdir(parents=True)
    log.rename(archive / "ossec-alerts-29.json")
    log.write_text("new-one\n", encoding="utf-8")

    assert follower.read() == ["new-one"]


def test_a_truncated_file_is_read_from_its_start(log: Path) -> None:
    follower = Follower(log)
    follower.read()
    os.truncate(log, 0)  # copytruncate
    append(log, "x\n")

    assert follower.read() == ["x"]


def test_a_file_rewritten_past_the_old_offset_is_told_apart_by_its_head(log: Path) -> None:
    follower = Follower(log)
    follower.read()
    inode = log.stat().st_ino
    with log.open("r+b") as handle:  # same inode, longer than before, other content
        handle.truncate(0)
        handle.write(b"uno\ndos\ntres\n")

    assert log.stat().st_ino == inode
    assert follower.read() == ["uno", "dos", "tres"]


def test_an_over_long_line_is_cut_short_and_marked(
    log: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(tailing, "MAX_LINE_BYTES", 8)
    append(log, "a-very-long-line-indeed\nok\n")

    lines = list(appended_lines(log, FileCursor()))
    assert [(line.data, line.oversized) for line in lines] == [
        (b"one", False),
        (b"two", False),
        (b"a-very-l", True),
        (b"ok", False),
    ]
    assert lines[-1].cursor.offset == log.stat().st_size


def test_lines_are_named_by_the_files_head_and_their_offset(log: Path) -> None:
    first, second = appended_lines(log, FileCursor())

    assert (first.offset, second.offset) == (0, 4)
    assert first.position.endswith(":0") and second.position.endswith(":4")
    assert first.position.split(":")[0] == second.position.split(":")[0]


def test_a_missing_file_is_permanent_at_first_and_transient_once_followed(
    tmp_path: Path, log: Path
) -> None:
    with pytest.raises(PermanentSourceError, match="no such file"):
        list(appended_lines(tmp_path / "missing.json", FileCursor()))
    follower = Follower(log)
    follower.read()
    log.unlink()
    with pytest.raises(TransientSourceError, match="being rotated"):
        follower.read()


def test_a_line_keeps_its_name_as_the_file_grows(tmp_path: Path) -> None:
    path = tmp_path / "cef.log"
    path.write_text("first\n", encoding="utf-8")
    (before,) = appended_lines(path, FileCursor())
    append(path, "x" * 5000 + "\n")

    again = next(iter(appended_lines(path, FileCursor())))
    assert again.position == before.position
