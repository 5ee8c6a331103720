"""The demo reports: Kon Tum's communes file the shipped monthly form through the workflow."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select

from hub.core import Hub
from hub.model import Metric, Observation
from hub.periods import parse_period
from hub.reports.assemble import locate, view
from hub.reports.demo import FORM, demo_values, load_demo_reports
from hub.reports.schedule import WorkingDays
from hub.reports.store import shipped_forms
from hub.reports.template import template_from_dict
from hub.units import load_units
from tests.units.reference import QUANG_NGAI, SUCCESSION, number, rows, write_subset

TODAY = date(2026, 11, 29)  # the last closed reporting month is 2026-11 (due 18 November)


def kon_tum_communes_in_the_files() -> set[str]:
    return {row["newWardCode"] for row in rows(SUCCESSION) if number(row["provinceCode"]) == 62}


def test_the_shipped_forms_are_valid_and_vietnamese() -> None:
    (form,) = shipped_forms()
    template = template_from_dict(form)
    assert template.code == FORM and template.name.startswith("Báo cáo tình hình kinh tế")
    assert template.layout.texts["B6"] == "Chỉ tiêu" and len(template.cells) == 200
    assert set(demo_values("23293", parse_period("2026-11", "ND09"))) <= set(template.cells)


def test_the_demo_files_reports_for_kon_tums_communes(
    make_hub: Callable[..., Hub], tmp_path: Path
) -> None:
    hub = make_hub()
    load_units(hub.db, write_subset(tmp_path / "units", {QUANG_NGAI}))
    stages: list[str] = []
    loaded = load_demo_reports(hub, TODAY, progress=lambda stage, *_: stages.append(stage))
    communes = kon_tum_communes_in_the_files()
    assert loaded.communes == len(communes) == 40
    assert loaded.filed == {"2025-11": 40, "2026-10": 40, "2026-11": 36}
    assert loaded.province == "51" and set(stages) == {f"reports {m}" for m in loaded.filed}

    with hub.db.sessions() as session:
        province = view(session, locate(session, FORM, "51", "2026-11"), WorkingDays(), TODAY)
    included = [each.unit.code for each in province.lower if each.included]
    assert len(included) == 36 - 2  # two communes' reports await approval
    assert set(included) <= communes
    period = parse_period("2026-11", "ND09")
    expected = sum(demo_values(code, period)["D10"] for code in included)
    assert province.values["D10"] == pytest.approx(expected)
    households = sum(demo_values(code, period)["D37"] for code in included)
    poor = sum(demo_values(code, period)["D38"] for code in included)
    assert province.values["D39"] == pytest.approx(round(poor / households * 100, 2))
    assert isinstance(province.values["F10"], float)  # last year's report is there

    with hub.db.sessions() as session:
        published = session.execute(
            select(Metric.code, Observation.value)
            .join(Metric, Metric.id == Observation.metric_id)
            .where(Observation.period == "2026-11")
        ).all()
    due = [value for code, value in published if code == "report_forms_due"]
    on_time = [value for code, value in published if code == "report_forms_on_time"]
    assert len(due) == len(on_time) == 40
    assert sum(on_time) == 40 - 3 - 4  # three late, four missing
    with hub.db.sessions() as session:
        october = session.execute(
            select(Metric.code, Observation.value)
            .join(Metric, Metric.id == Observation.metric_id)
            .where(Observation.period == "2026-10")
        ).all()
    assert sorted({code for code, _ in october}) == [
        "report_forms_due",
        "report_forms_on_time",
        "report_forms_submitted",
    ]
    assert sum(value for _, value in october) == 3 * 40  # every commune filed October on time
