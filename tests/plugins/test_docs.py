"""docs/plugins.md quotes the worked example from its real files, word for word."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs" / "plugins.md"
QUOTE = re.compile(r"<!-- quoted from (\S+) -->\n```\w*\n(.*?)```", re.DOTALL)
QUOTES = QUOTE.findall(DOCS.read_text(encoding="utf-8"))


def test_the_worked_example_is_quoted_whole() -> None:
    quoted = {path for path, _ in QUOTES}
    assert "examples/air_quality/iochub_air_quality/connector.py" in quoted
    assert "examples/air_quality/iochub_air_quality/plugin.py" in quoted


@pytest.mark.parametrize(("path", "block"), QUOTES, ids=[path for path, _ in QUOTES])
def test_a_quoted_block_is_the_file_as_it_is(path: str, block: str) -> None:
    text = (ROOT / path).read_text(encoding="utf-8")
    if path.endswith(".py"):
        assert block == text  # a module is quoted whole
    else:
        assert block in text
