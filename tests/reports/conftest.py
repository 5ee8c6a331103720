"""The reporting tests' fixtures: a small real corner of Kon Tum, a small form, a clock.

Kon Tum (62) until 30 June 2025, with two of its districts and five communes; Quảng Ngãi (51)
from 1 July 2025 with two communes directly under it (the 2-level system). The form is a
monthly one of the Decree 09 calendar, filled in by communes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from hub.core import Hub
from hub.model import AdminLevel, AdminUnit
from hub.reports.assemble import Located, locate
from hub.reports.principal import Actor
from hub.reports.store import save_template
from hub.reports.template import template_from_dict
from hub.reports.workflow import Workflow

LEGACY_END = date(2025, 6, 30)
REFORM = date(2025, 7, 1)

LEGACY = [
    ("62", "Tỉnh Kon Tum", AdminLevel.PROVINCE, None),
    ("608", "Thành phố Kon Tum", AdminLevel.DISTRICT, "62"),
    ("610", "Huyện Đắk Glei", AdminLevel.DISTRICT, "62"),
    ("23281", "Phường Quang Trung", AdminLevel.COMMUNE, "608"),
    ("23284", "Phường Duy Tân", AdminLevel.COMMUNE, "608"),
    ("23287", "Phường Quyết Thắng", AdminLevel.COMMUNE, "608"),
    ("23341", "Thị trấn Đắk Glei", AdminLevel.COMMUNE, "610"),
    ("23353", "Xã Đắk Pék", AdminLevel.COMMUNE, "610"),
]
NEW = [
    ("51", "Tỉnh Quảng Ngãi", AdminLevel.PROVINCE, None),
    ("23293", "Phường Kon Tum", AdminLevel.COMMUNE, "51"),
    ("23341", "Xã Đăk Pék", AdminLevel.COMMUNE, "51"),
]

# A small monthly form: D typed in (summed above), E the previous month, F the change in %,
# G year to date; row 8 is a stock, row 9 a total, row 10 a rate.
FORM: dict[str, Any] = {
    "code": "TEST-01",
    "name": "Báo cáo thử nghiệm",
    "period_type": "MONTH",
    "calendar": "ND09",
    "filling_level": "COMMUNE",
    "deadlines": {"COMMUNE": 2, "DISTRICT": 4, "PROVINCE": 6},
    "opens_days_before_cutoff": 3,
    "layout": {
        "sheet": "Biểu 01",
        "header_row": 4,
        "texts": {
            "A1": "BÁO CÁO THỬ NGHIỆM",
            "A4": "STT",
            "B4": "Chỉ tiêu",
            "C4": "ĐVT",
            "D4": "Kỳ này",
            "E4": "Kỳ trước",
            "F4": "So sánh (%)",
            "G4": "Lũy kế",
        },
    },
    "columns": [
        {"column": "D", "label": "Kỳ này", "kind": "ROLLUP"},
        {"column": "E", "label": "Kỳ trước", "formula": "=PREV(D{r})"},
        {"column": "F", "label": "So sánh (%)", "formula": '=IFERROR(D{r}/E{r}*100,"")'},
        {"column": "G", "label": "Lũy kế", "formula": "=YTD(D{r})"},
    ],
    "rows": [
        {"row": 5, "code": "I", "label": "KINH TẾ", "heading": True},
        {"row": 6, "code": "1", "label": "Diện tích gieo trồng", "unit": "ha", "indent": 1},
        {"row": 7, "code": "2", "label": "Số trẻ em sinh ra", "unit": "người", "indent": 1},
        {
            "row": 8,
            "code": "3",
            "label": "Số hộ nghèo",
            "unit": "hộ",
            "indent": 1,
            "aggregation": "LAST",
            "cells": {"G": "=D8"},
        },
        {
            "row": 9,
            "code": "4",
            "label": "Tổng (1+2)",
            "unit": "",
            "indent": 1,
            "cells": {"D": "=SUM(D6:D7)"},
        },
        {
            "row": 10,
            "code": "5",
            "label": "Tỷ lệ",
            "unit": "%",
            "indent": 1,
            "aggregation": "NONE",
            "cells": {"D": "=D6/D7*100", "E": "=PREV(D10)", "F": None, "G": None},
        },
        {
            "row": 11,
            "code": "6",
            "label": "Ý kiến của đơn vị (số kiến nghị)",
            "unit": "kiến nghị",
            "cells": {"D": "INPUT", "E": None, "F": None, "G": None},
        },
    ],
}


@dataclass
class Corner:
    """The seeded hub, the ids of its units by (code, "legacy" | "new")."""

    hub: Hub
    units: dict[tuple[str, str], int] = field(default_factory=dict)


def local(year: int, month: int, day: int, hour: int = 9) -> datetime:
    """A moment of Vietnam's time, as an aware UTC datetime."""
    return datetime(year, month, day, hour, tzinfo=UTC) - timedelta(hours=7)


@pytest.fixture
def corner(make_hub: Callable[..., Hub]) -> Corner:
    return seed_corner(
        make_hub(
            {
                "metrics": {
                    "births_registered": {
                        "name": "Births registered",
                        "sector": "justice",
                        "aggregation": "SUM",
                    }
                }
            }
        )
    )


def seed_corner(hub: Hub) -> Corner:
    """The units of the corner and the test form, in ``hub``'s database."""
    seeded = Corner(hub)
    with hub.db.session() as session:
        for era, units, start, end in (
            ("legacy", LEGACY, None, LEGACY_END),
            ("new", NEW, REFORM, None),
        ):
            for code, name, level, parent in units:
                row = AdminUnit(
                    identity=f"{code}@{start or ''}",
                    code=code,
                    name=name,
                    level=level,
                    parent_id=seeded.units[(parent, era)] if parent else None,
                    valid_from=start,
                    valid_to=end,
                )
                session.add(row)
                session.flush()
                seeded.units[(code, era)] = row.id
        save_template(session, template_from_dict(FORM), "test", hub.definitions.metrics)
    return seeded


class Desk:
    """Acts on the test form's reports as one principal at one moment, one step a call."""

    def __init__(self, hub: Hub, who: str = "tester", unit: str | None = None) -> None:
        self.hub = hub
        self.actor = Actor(who, unit)

    def located(self, session: Any, unit: str, period: str, form: str = "TEST-01") -> Located:
        return locate(session, form, unit, period)

    def do(
        self, step: str, unit: str, period: str, at: datetime, *args: Any, form: str = "TEST-01"
    ) -> Any:
        with self.hub.db.session() as session:
            workflow = Workflow(session, self.actor, now=at)
            return getattr(workflow, step)(self.located(session, unit, period, form), *args)


def typed_into(content: bytes, **cells: Any) -> bytes:
    """A workbook of the test form with these cells of its sheet set, as typed in Excel."""
    from io import BytesIO

    from openpyxl import load_workbook

    book = load_workbook(BytesIO(content))
    for where, value in cells.items():
        book["Biểu 01"][where] = value
    buffer = BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def file_report(
    hub: Hub,
    unit: str,
    period: str,
    values: dict[str, Any],
    submitted: datetime,
    approved: datetime | None = None,
) -> None:
    """Save, submit and (if ``approved``) approve a commune's report."""
    desk = Desk(hub)
    desk.do("save", unit, period, submitted, values)
    desk.do("submit", unit, period, submitted)
    if approved is not None:
        desk.do("approve", unit, period, approved)
