"""docs/operations.md documents every setting, and the sample dashboard asks only for metrics
the hub exposes."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path

from prometheus_client.parser import text_string_to_metric_families
from pydantic import BaseModel

from hub.config.settings import (
    AlertSettings,
    ConnectorSettings,
    IndicatorSettings,
    MetricSettings,
    Settings,
)
from hub.core import Hub
from hub.observability import metrics

DOCS = Path(__file__).resolve().parents[2] / "docs"
TABLES = {
    "connectors": ConnectorSettings,
    "metrics": MetricSettings,
    "indicators": IndicatorSettings,
    "alerts": AlertSettings,
}
SAMPLE_SUFFIXES = re.compile(r"_(total|bucket|count|sum|created)$")


def test_operations_md_documents_every_setting_of_every_section() -> None:
    text = (DOCS / "operations.md").read_text(encoding="utf-8")
    for section, field in Settings.model_fields.items():
        model = TABLES.get(section) or field.annotation
        assert isinstance(model, type) and issubclass(model, BaseModel)
        heading = f"### `[{section}]`" if section not in TABLES else f"`[{section}.<"
        assert heading in text, section
        part = text[text.index(heading) :].split("\n### ", 1)[0]
        for name in model.model_fields:
            assert f"`{name}`" in part or f"`{name}" in part, f"[{section}] {name}"


def test_the_sample_dashboard_asks_only_for_metrics_the_hub_exposes(
    make_hub: Callable[..., Hub],
) -> None:
    exposed = {
        family.name
        for family in text_string_to_metric_families(
            metrics.exposition(metrics.hub_registry(make_hub())).decode()
        )
    }
    dashboard = json.loads((DOCS / "grafana-dashboard.json").read_text(encoding="utf-8"))
    asked = {
        SAMPLE_SUFFIXES.sub("", name)
        for panel in dashboard["panels"]
        for target in panel["targets"]
        for name in re.findall(r"\biochub_[a-z_]+", target["expr"])
    }
    assert len(asked) >= 10 and asked <= exposed, asked - exposed
    documented = set(re.findall(r"`(iochub_[a-z_]+)`", (DOCS / "operations.md").read_text()))
    assert {SAMPLE_SUFFIXES.sub("", name) for name in documented} == {
        name for name in exposed if name.startswith("iochub_")
    }
