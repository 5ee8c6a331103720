"""The worked example of docs/plugins.md is a real package whose own tests pass."""

from __future__ import annotations

import ast
from pathlib import Path

from tests.support.plugin_packages import run_package_tests

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "air_quality"
CONNECTOR = EXAMPLE / "iochub_air_quality" / "connector.py"


def test_the_air_quality_plugin_passes_its_tests_and_the_acceptance_suite(tmp_path: Path) -> None:
    done = run_package_tests(EXAMPLE, tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert " passed" in done.stdout and "skipped" not in done.stdout


def test_the_connector_is_at_most_40_lines_of_code() -> None:
    assert code_lines(CONNECTOR) <= 40


def code_lines(path: Path) -> int:
    """Lines that hold code: not blank, not a comment, not a docstring."""
    source = path.read_text(encoding="utf-8")
    docstrings = set()
    for node in ast.walk(ast.parse(source)):
        body = getattr(node, "body", None)
        first = body[0] if isinstance(body, list) and body else None
        if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
            docstrings.update(range(first.lineno, (first.end_lineno or first.lineno) + 1))
    return sum(
        1
        for number, line in enumerate(source.splitlines(), start=1)
        if line.strip() and not line.strip().startswith("#") and number not in docstrings
    )
