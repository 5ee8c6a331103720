"""The education plugin's hook implementations.

It brings the education sector's metrics and indicators, the connector kinds ``sql`` (a
school-management database) and ``file`` (CSV / Excel exports), and, for ``iochub demo``, a
connector against the bundled export of Kon Tum's schools (generated, illustrative figures).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from hub.plugins.parts import ConnectorKind, PluginParts

from .metrics import INDICATORS, METRICS

DEMO = Path(__file__).resolve().parent / "demo"


def demo_export_connector() -> dict[str, Any]:
    """The bundled export of Kon Tum's schools, as the province's school software writes it
    (see demo/make_demo.py): schools, pupils by grade and sex at the opening census of two
    school years, teachers, graduation-exam results and the school-age population."""

    def table(file: str, **columns: Any) -> dict[str, Any]:
        return {"location": str(DEMO / file), **columns}

    return {
        "id": "education-kontum-export",
        "plugin": "education",
        "kind": "file",
        "snapshot": "2026-09-30",
        "schools": table(
            "kontum-truong.csv",
            id="Mã trường",
            name="Tên trường",
            commune="Mã xã",
            level="Cấp học",
            active={"Trạng thái": ["Đang hoạt động"]},
            attributes={"ownership": "Loại hình", "address": "Địa chỉ"},
        ),
        "pupils": table(
            "kontum-hoc-sinh.csv",
            school="Mã trường",
            grade="Khối",
            sex="Giới tính",
            count="Số học sinh",
            school_year="Năm học",
            date="Ngày báo cáo",
        ),
        "classes": table(
            "kontum-lop.csv",
            school="Mã trường",
            grade="Khối",
            count="Số lớp",
            school_year="Năm học",
            date="Ngày báo cáo",
        ),
        "teachers": table(
            "kontum-giao-vien.csv",
            school="Mã trường",
            sex="Giới tính",
            count="Số giáo viên",
            date="Ngày báo cáo",
        ),
        "results": table(
            "kontum-ket-qua-thi.csv",
            school="Mã trường",
            year="Năm",
            exam="Kỳ thi",
            sex="Giới tính",
            candidates="Số dự thi",
            passed="Số đỗ",
        ),
        "population": table(
            "kontum-pho-cap.csv",
            commune="Mã xã",
            year="Năm",
            level="Độ tuổi",
            sex="Giới tính",
            count="Số trẻ",
        ),
    }


PLUGIN = PluginParts(
    __name__,
    connector_kinds=[
        ConnectorKind(
            "sql",
            "School-management database, through a table and column mapping",
            "iochub_plugins.education.connectors:SqlConnector",
        ),
        ConnectorKind(
            "file",
            "CSV / Excel exports, through a column mapping",
            "iochub_plugins.education.connectors:FileConnector",
        ),
    ],
    metrics=METRICS,
    indicators=INDICATORS,
    demo_connectors=lambda: [demo_export_connector()],
)
"""The plugin's hooks: the entry point names this object."""
