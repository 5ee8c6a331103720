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
from hub.plugins.definitions import Sector

BILLION_VND = "billion VND"
MILLION_USD = "million USD"
economy, society, finance = Sector("economy"), Sector("society"), Sector("finance")
government = Sector("government")


METRICS: list[MetricDefinition] = [
    # The economy
    economy.count(
        "grdp",
        BILLION_VND,
        "GRDP at current prices",
        "GRDP theo giá hiện hành",
        about="Gross regional domestic product at current prices (GRDP giá hiện hành).",
    ),
    economy.count(
        "grdp_constant",
        BILLION_VND,
        "GRDP at 2010 constant prices",
        "GRDP theo giá so sánh 2010",
        about="GRDP at 2010 comparative prices (giá so sánh 2010), for real growth.",
    ),
    economy.metric(
        "grdp_growth",
        "%",
        "GRDP growth rate",
        "Tốc độ tăng trưởng GRDP",
        Aggregation.NONE,
        about="Growth of GRDP at constant prices over the same period of the previous year, as "
        "published; not aggregated.",
    ),
    economy.count(
        "retail_sales",
        BILLION_VND,
        "Total retail sales of goods and services",
        "Tổng mức bán lẻ hàng hóa và doanh thu dịch vụ",
        about="Tổng mức bán lẻ hàng hóa và doanh thu dịch vụ tiêu dùng.",
    ),
    economy.metric(
        "cpi",
        "index (2019 = 100)",
        "Consumer price index",
        "Chỉ số giá tiêu dùng (CPI)",
        Aggregation.AVERAGE,
        dims=("commodity_group",),
        about="Base year 2019 = 100; the total, or one commodity group by commodity_group.",
    ),
    economy.metric(
        "iip",
        "% (same period last year = 100)",
        "Index of industrial production",
        "Chỉ số sản xuất công nghiệp (IIP)",
        Aggregation.NONE,
        about="Chỉ số sản xuất công nghiệp, against the same period of the previous year.",
    ),
    economy.count(
        "exports", MILLION_USD, "Export turnover of goods", "Kim ngạch xuất khẩu hàng hóa"
    ),
    economy.count(
        "imports", MILLION_USD, "Import turnover of goods", "Kim ngạch nhập khẩu hàng hóa"
    ),
    economy.count(
        "fdi_registered",
        MILLION_USD,
        "FDI capital registered",
        "Vốn FDI đăng ký",
        about="Foreign direct investment capital newly registered and added in the period.",
    ),
    economy.count(
        "enterprises_registered",
        "enterprises",
        "Newly registered enterprises",
        "Số doanh nghiệp thành lập mới",
    ),
    economy.count("tourist_arrivals", "visits", "Tourist arrivals", "Lượt khách du lịch"),
    economy.stock(
        "public_investment_plan",
        BILLION_VND,
        "Public investment capital plan",
        "Kế hoạch vốn đầu tư công",
        about="Kế hoạch vốn đầu tư công giao trong năm (the year's allocated plan).",
    ),
    economy.count(
        "public_investment_disbursed",
        BILLION_VND,
        "Public investment capital disbursed",
        "Vốn đầu tư công đã giải ngân",
        about="Vốn đầu tư công giải ngân in the period (not year-to-date).",
    ),
    society.stock(
        "population",
        "persons",
        "Average population",
        "Dân số trung bình",
        about="Dân số trung bình of the year.",
    ),
    # Public finance
    finance.count(
        "budget_revenue",
        BILLION_VND,
        "State budget revenue collected",
        "Thu ngân sách nhà nước",
        about="Thu ngân sách nhà nước trên địa bàn.",
    ),
    finance.stock(
        "budget_revenue_estimate",
        BILLION_VND,
        "State budget revenue estimate",
        "Dự toán thu ngân sách nhà nước",
        about="Dự toán thu ngân sách giao trong năm.",
    ),
    finance.count(
        "budget_expenditure",
        BILLION_VND,
        "Local budget expenditure",
        "Chi ngân sách địa phương",
        about="Chi ngân sách địa phương.",
    ),
    # Government performance: administrative procedures (the one-stop shop)
    government.count(
        "admin_dossiers_received",
        "dossiers",
        "Administrative procedure dossiers received",
        "Số hồ sơ thủ tục hành chính tiếp nhận",
        about="Hồ sơ thủ tục hành chính tiếp nhận in the period.",
    ),
    government.count(
        "admin_dossiers_received_online",
        "dossiers",
        "Dossiers received online",
        "Số hồ sơ tiếp nhận trực tuyến",
        about="Hồ sơ tiếp nhận trực tuyến (online public services).",
    ),
    government.count(
        "admin_dossiers_resolved_on_time",
        "dossiers",
        "Dossiers resolved on time",
        "Số hồ sơ giải quyết đúng hạn",
        about="Hồ sơ giải quyết đúng hạn.",
    ),
    government.count(
        "admin_dossiers_resolved_late",
        "dossiers",
        "Dossiers resolved late",
        "Số hồ sơ giải quyết quá hạn",
        about="Hồ sơ giải quyết quá hạn.",
    ),
]


INDICATORS: list[IndicatorDefinition] = [
    economy.ratio(
        "grdp_per_capita",
        "grdp",
        "population",
        "million VND per person",
        "GRDP per capita",
        "GRDP bình quân đầu người",
        factor=1000,
        about="Meaningful for a year: GRDP of a shorter period gives that period's share.",
    ),
    economy.percent(
        "public_investment_disbursement_rate",
        "public_investment_disbursed",
        "public_investment_plan",
        "Public investment disbursement rate",
        "Tỷ lệ giải ngân vốn đầu tư công",
        about="Capital disbursed in the period as a share of the year's plan.",
    ),
    finance.ratio(
        "budget_revenue_per_capita",
        "budget_revenue",
        "population",
        "million VND per person",
        "Budget revenue per capita",
        "Thu ngân sách bình quân đầu người",
        factor=1000,
    ),
    finance.percent(
        "budget_revenue_vs_estimate",
        "budget_revenue",
        "budget_revenue_estimate",
        "Budget revenue against the year's estimate",
        "Thu ngân sách so với dự toán năm",
    ),
    economy.ratio(
        "trade_balance",
        "exports - imports",
        None,
        MILLION_USD,
        "Trade balance",
        "Cán cân thương mại",
    ),
    government.percent(
        "admin_on_time_rate",
        "admin_dossiers_resolved_on_time",
        "admin_dossiers_resolved_on_time + admin_dossiers_resolved_late",
        "Dossiers resolved on time",
        "Tỷ lệ hồ sơ giải quyết đúng hạn",
        about="Tỷ lệ hồ sơ giải quyết đúng hạn: on time over all dossiers resolved.",
    ),
    government.percent(
        "admin_online_rate",
        "admin_dossiers_received_online",
        "admin_dossiers_received",
        "Dossiers received online",
        "Tỷ lệ hồ sơ tiếp nhận trực tuyến",
    ),
]
