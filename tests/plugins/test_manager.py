"""Plugin discovery: entry points, failures that stay contained, every hook documented."""

from __future__ import annotations

import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

from hub.plugins import hookspecs
from hub.plugins.manager import Plugins

DOCS = Path(__file__).resolve().parents[2] / "docs" / "plugins.md"
HOOKS = [name for name in dir(hookspecs) if name.startswith("register_")]


@pytest.mark.parametrize("hook", HOOKS)
def test_every_hook_is_documented_in_its_spec_and_in_the_docs(hook: str) -> None:
    assert (getattr(hookspecs, hook).__doc__ or "").strip()
    assert f"### {hook}\n" in DOCS.read_text(encoding="utf-8")


def test_the_built_in_indicators_plugin_is_found_through_its_entry_point() -> None:
    plugins = Plugins.load()
    assert "indicators" in plugins.info
    assert plugins.info["indicators"].version


@pytest.fixture
def fake_distribution(tmp_path: Path) -> Iterator[Path]:
    """A real installed distribution (a .dist-info on sys.path) with three plugins."""
    (tmp_path / "good_plugin.py").write_text(
        textwrap.dedent("""
        from hub.plugins import MetricDefinition, hookimpl

        @hookimpl
        def register_metrics():
            return [MetricDefinition("good_metric", "Good", "test")]
    """)
    )
    (tmp_path / "raising_plugin.py").write_text(
        textwrap.dedent("""
        from hub.plugins import hookimpl

        @hookimpl
        def register_metrics():
            raise RuntimeError("the plugin's hook is broken")
    """)
    )
    info = tmp_path / "fake_plugins-1.2.3.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: fake-plugins\nVersion: 1.2.3\n")
    (info / "entry_points.txt").write_text(
        "[iochub.plugins]\n"
        "good = good_plugin\n"
        "missing = no_such_module_anywhere\n"
        "raising = raising_plugin\n"
    )
    sys.path.insert(0, str(tmp_path))
    yield tmp_path
    sys.path.remove(str(tmp_path))
    for module in ("good_plugin", "raising_plugin"):
        sys.modules.pop(module, None)


def test_a_broken_plugin_is_reported_by_name_and_the_others_still_load(
    fake_distribution: Path,
) -> None:
    plugins = Plugins.load()
    assert {"good", "raising", "indicators"} <= set(plugins.info)
    assert plugins.info["good"].version == "1.2.3"
    metric_codes = {metric.code for _, metric in plugins.metrics()}
    assert "good_metric" in metric_codes
    failures = {failure.name: failure.reason for failure in plugins.failures}
    assert "no_such_module_anywhere" in failures["missing"]
    assert "the plugin's hook is broken" in failures["raising"]
