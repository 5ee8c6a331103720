"""The province's core socio-economic and government-performance metrics and indicators.

Units follow the province's reports: money in billion VND (tỷ đồng) unless foreign trade or
investment (million USD). Flows (GRDP, revenue, sales, disbursement, dossiers) are values *of
the period*, not year-to-date totals ("lũy kế"): a connector reading cumulative figures must
difference them first, or the sums over time double count.

Choices of aggregation that need a word:

- **Growth rates and year-on-year indexes** (``grdp_growth``, ``iip``) are ``NONE``: a rate
  cannot be summed, and its mean over districts or months is not the rate of the total (that
  needs weights). Ask for them at the level and period they are published; for an aggregate,
  use the level metrics (``grdp_constant``) and compare periods.
- **CPI** (``cpi``, index with 2019 = 100, GSO's current base) is ``AVERAGE``. Over time the
  GSO's quarterly and yearly CPI is the mean of the months' indexes ("CPI bình quân"), which
  is what a day-weighted mean of monthly values gives (within a few hundredths of a point);
  ``LAST`` would give the end-of-period index instead, a different figure. Across units a
  plain mean is only an approximation — the national CPI weights provinces by consumption —
  but the GSO computes CPI per province, so the hub rarely needs to combine units.
- **Plans and estimates** (``public_investment_plan``, ``budget_revenue_estimate``) and
  **population** are stocks: ``LAST`` (the latest value in the period, summed over units),
  carried forward 12 months since they are set once a year.
"""

from __future__ import annotations

from hub.plugins import Aggregation, IndicatorDefinition, MetricDefinition

BILLION_VND = "billion VND"
MILLION_USD = "million USD"


METRICS: list[MetricDefinition] = [
    # The economy
    MetricDefinition(
        code="grdp",
        name="GRDP at current prices",
        name_vi="GRDP theo giá hiện hành",
        sector="economy",
        unit=BILLION_VND,
        aggregation=Aggregation.SUM,
        description="Gross regional domestic product at current prices (GRDP giá hiện hành).",
    ),
    MetricDefinition(
        code="grdp_constant",
        name="GRDP at 2010 constant prices",
        name_vi="GRDP theo giá so sánh 2010",
        sector="economy",
        unit=BILLION_VND,
        aggregation=Aggregation.SUM,
        description="GRDP at 2010 comparative prices (giá so sánh 2010), for real growth.",
    ),
    MetricDefinition(
        code="grdp_growth",
        name="GRDP growth rate",
        name_vi="Tốc độ tăng trưởng GRDP",
        sector="economy",
        unit="%",
        aggregation=Aggregation.NONE,
        description=(
            "Growth of GRDP at constant prices over the same period of the previous year, as "
            "published; not aggregated."
        ),
    ),
    MetricDefinition(
        code="retail_sales",
        name="Total retail sales of goods and services",
        name_vi="Tổng mức bán lẻ hàng hóa và doanh thu dịch vụ",
        sector="economy",
        unit=BILLION_VND,
        aggregation=Aggregation.SUM,
        description="Tổng mức bán lẻ hàng hóa và doanh thu dịch vụ tiêu dùng.",
    ),
    MetricDefinition(
        code="cpi",
        name="Consumer price index",
        name_vi="Chỉ số giá tiêu dùng (CPI)",
        sector="economy",
        unit="index (2019 = 100)",
        aggregation=Aggregation.AVERAGE,
        disaggregations=("commodity_group",),
        description="Base year 2019 = 100; the total, or one commodity group by commodity_group.",
    ),
    MetricDefinition(
        code="iip",
        name="Index of industrial production",
        name_vi="Chỉ số sản xuất công nghiệp (IIP)",
        sector="economy",
        unit="% (same period last year = 100)",
        aggregation=Aggregation.NONE,
        description="Chỉ số sản xuất công nghiệp, against the same period of the previous year.",
    ),
    MetricDefinition(
        code="exports",
        name="Export turnover of goods",
        name_vi="Kim ngạch xuất khẩu hàng hóa",
        sector="economy",
        unit=MILLION_USD,
        aggregation=Aggregation.SUM,
    ),
    MetricDefinition(
        code="imports",
        name="Import turnover of goods",
        name_vi="Kim ngạch nhập khẩu hàng hóa",
        sector="economy",
        unit=MILLION_USD,
        aggregation=Aggregation.SUM,
    ),
    MetricDefinition(
        code="fdi_registered",
        name="FDI capital registered",
        name_vi="Vốn FDI đăng ký",
        sector="economy",
        unit=MILLION_USD,
        aggregation=Aggregation.SUM,
        description="Foreign direct investment capital newly registered and added in the period.",
    ),
    MetricDefinition(
        code="enterprises_registered",
        name="Newly registered enterprises",
        name_vi="Số doanh nghiệp thành lập mới",
        sector="economy",
        unit="enterprises",
        aggregation=Aggregation.SUM,
    ),
    MetricDefinition(
        code="tourist_arrivals",
        name="Tourist arrivals",
        name_vi="Lượt khách du lịch",
        sector="economy",
        unit="visits",
        aggregation=Aggregation.SUM,
    ),
    MetricDefinition(
        code="public_investment_plan",
        name="Public investment capital plan",
        name_vi="Kế hoạch vốn đầu tư công",
        sector="economy",
        unit=BILLION_VND,
        aggregation=Aggregation.LAST,
        carry_forward_months=12,
        description="Kế hoạch vốn đầu tư công giao trong năm (the year's allocated plan).",
    ),
    MetricDefinition(
        code="public_investment_disbursed",
        name="Public investment capital disbursed",
        name_vi="Vốn đầu tư công đã giải ngân",
        sector="economy",
        unit=BILLION_VND,
        aggregation=Aggregation.SUM,
        description="Vốn đầu tư công giải ngân in the period (not year-to-date).",
    ),
    MetricDefinition(
        code="population",
        name="Average population",
        name_vi="Dân số trung bình",
        sector="society",
        unit="persons",
        aggregation=Aggregation.LAST,
        carry_forward_months=12,
        description="Dân số trung bình of the year.",
    ),
    # Public finance
    MetricDefinition(
        code="budget_revenue",
        name="State budget revenue collected",
        name_vi="Thu ngân sách nhà nước",
        sector="finance",
        unit=BILLION_VND,
        aggregation=Aggregation.SUM,
        description="Thu ngân sách nhà nước trên địa bàn.",
    ),
    MetricDefinition(
        code="budget_revenue_estimate",
        name="State budget revenue estimate",
        name_vi="Dự toán thu ngân sách nhà nước",
        sector="finance",
        unit=BILLION_VND,
        aggregation=Aggregation.LAST,
        carry_forward_months=12,
        description="Dự toán thu ngân sách giao trong năm.",
    ),
    MetricDefinition(
        code="budget_expenditure",
        name="Local budget expenditure",
        name_vi="Chi ngân sách địa phương",
        sector="finance",
        unit=BILLION_VND,
        aggregation=Aggregation.SUM,
        description="Chi ngân sách địa phương.",
    ),
    # Government performance: administrative procedures (the one-stop shop)
    MetricDefinition(
        code="admin_dossiers_received",
        name="Administrative procedure dossiers received",
        name_vi="Số hồ sơ thủ tục hành chính tiếp nhận",
        sector="government",
        unit="dossiers",
        aggregation=Aggregation.SUM,
        description="Hồ sơ thủ tục hành chính tiếp nhận in the period.",
    ),
    MetricDefinition(
        code="admin_dossiers_received_online",
        name="Dossiers received online",
        name_vi="Số hồ sơ tiếp nhận trực tuyến",
        sector="government",
        unit="dossiers",
        aggregation=Aggregation.SUM,
        description="Hồ sơ tiếp nhận trực tuyến (online public services).",
    ),
    MetricDefinition(
        code="admin_dossiers_resolved_on_time",
        name="Dossiers resolved on time",
        name_vi="Số hồ sơ giải quyết đúng hạn",
        sector="government",
        unit="dossiers",
        aggregation=Aggregation.SUM,
        description="Hồ sơ giải quyết đúng hạn.",
    ),
    MetricDefinition(
        code="admin_dossiers_resolved_late",
        name="Dossiers resolved late",
        name_vi="Số hồ sơ giải quyết quá hạn",
        sector="government",
        unit="dossiers",
        aggregation=Aggregation.SUM,
        description="Hồ sơ giải quyết quá hạn.",
    ),
]


INDICATORS: list[IndicatorDefinition] = [
    IndicatorDefinition(
        code="grdp_per_capita",
        name="GRDP per capita",
        name_vi="GRDP bình quân đầu người",
        numerator="grdp",
        denominator="population",
        factor=1000,  # billion VND / persons → million VND per person
        sector="economy",
        unit="million VND per person",
        description="Meaningful for a year: GRDP of a shorter period gives that period's share.",
    ),
    IndicatorDefinition(
        code="public_investment_disbursement_rate",
        name="Public investment disbursement rate",
        name_vi="Tỷ lệ giải ngân vốn đầu tư công",
        numerator="public_investment_disbursed",
        denominator="public_investment_plan",
        factor=100,
        sector="economy",
        unit="%",
        description="Capital disbursed in the period as a share of the year's plan.",
    ),
    IndicatorDefinition(
        code="budget_revenue_per_capita",
        name="Budget revenue per capita",
        name_vi="Thu ngân sách bình quân đầu người",
        numerator="budget_revenue",
        denominator="population",
        factor=1000,  # billion VND / persons → million VND per person
        sector="finance",
        unit="million VND per person",
    ),
    IndicatorDefinition(
        code="budget_revenue_vs_estimate",
        name="Budget revenue against the year's estimate",
        name_vi="Thu ngân sách so với dự toán năm",
        numerator="budget_revenue",
        denominator="budget_revenue_estimate",
        factor=100,
        sector="finance",
        unit="%",
    ),
    IndicatorDefinition(
        code="trade_balance",
        name="Trade balance",
        name_vi="Cán cân thương mại",
        numerator="exports - imports",
        sector="economy",
        unit=MILLION_USD,
    ),
    IndicatorDefinition(
        code="admin_on_time_rate",
        name="Dossiers resolved on time",
        name_vi="Tỷ lệ hồ sơ giải quyết đúng hạn",
        numerator="admin_dossiers_resolved_on_time",
        denominator="admin_dossiers_resolved_on_time + admin_dossiers_resolved_late",
        factor=100,
        sector="government",
        unit="%",
        description="Tỷ lệ hồ sơ giải quyết đúng hạn: on time over all dossiers resolved.",
    ),
    IndicatorDefinition(
        code="admin_online_rate",
        name="Dossiers received online",
        name_vi="Tỷ lệ hồ sơ tiếp nhận trực tuyến",
        numerator="admin_dossiers_received_online",
        denominator="admin_dossiers_received",
        factor=100,
        sector="government",
        unit="%",
    ),
]
