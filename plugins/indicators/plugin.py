"""The indicators plugin's hook implementations.

It brings the province's socio-economic and government-performance metrics, the connector
kinds ``sdmx-json``, ``sdmx-csv`` and ``excel``, and, for ``iochub demo``, two connectors
against the bundled Kon Tum sample sources (illustrative data, not official statistics).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from hub.plugins.parts import ConnectorKind, PluginParts

from .metrics import INDICATORS, METRICS

DEMO = Path(__file__).resolve().parent / "demo"
DEMO_WORKBOOK = DEMO / "kontum-kt-xh.xlsx"
DEMO_CPI = DEMO / "kontum-cpi.json"


def demo_workbook_connector() -> dict[str, Any]:
    """The bundled workbook of Kon Tum's district tables (see demo/make_demo.py)."""

    def sheet(name: str, metric: str | None = None, **layout: Any) -> dict[str, Any]:
        table = {"name": name, "header_row": 4, "unit_column": "A", "first_data_column": "C"}
        return {**table, **({"metric": metric} if metric else {}), **layout}

    return {
        "id": "indicators-kontum-excel",
        "plugin": "indicators",
        "kind": "excel",
        "location": str(DEMO_WORKBOOK),
        "metrics": {
            "TN": "admin_dossiers_received",
            "TT": "admin_dossiers_received_online",
            "DH": "admin_dossiers_resolved_on_time",
            "QH": "admin_dossiers_resolved_late",
        },
        "sheets": [
            sheet("Bán lẻ", "retail_sales"),
            sheet("Thu NS", "budget_revenue"),
            sheet("GRDP", "grdp"),
            sheet("Dân số", "population"),
            sheet("KH vốn ĐTC", "public_investment_plan"),
            sheet("Giải ngân ĐTC", "public_investment_disbursed"),
            sheet("TTHC", metric_column="C", first_data_column="E"),
            sheet("Tăng trưởng GRDP", "grdp_growth"),
        ],
    }


def demo_cpi_connector() -> dict[str, Any]:
    """The bundled SDMX-JSON message of Kon Tum's monthly CPI."""
    return {
        "id": "indicators-kontum-cpi",
        "plugin": "indicators",
        "kind": "sdmx-json",
        "location": str(DEMO_CPI),
        "metric_dimension": "INDICATOR",
        "metrics": {"CPI": "cpi"},
        "unit_dimension": "REF_AREA",
        "units": {"VN-KT": "62"},
        "dim_names": {"COMMODITY": "commodity_group"},
        "dim_values": {
            "COMMODITY": {
                "CP01": "food_catering",
                "CP04": "housing_utilities",
                "CP07": "transport",
            }
        },
    }


PLUGIN = PluginParts(
    __name__,
    connector_kinds=[
        ConnectorKind(
            "sdmx-json",
            "SDMX-JSON data message (statistics exchange)",
            "iochub_plugins.indicators.connectors:SdmxJsonConnector",
        ),
        ConnectorKind(
            "sdmx-csv",
            "SDMX-CSV file (statistics exchange)",
            "iochub_plugins.indicators.connectors:SdmxCsvConnector",
        ),
        ConnectorKind(
            "excel",
            "Excel workbook: units down, periods across",
            "iochub_plugins.indicators.connectors:ExcelConnector",
        ),
    ],
    metrics=METRICS,
    indicators=INDICATORS,
    demo_connectors=lambda: [demo_workbook_connector(), demo_cpi_connector()],
)
"""The plugin's hooks: the entry point names this object."""
