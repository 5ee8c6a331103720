"""Vietnam's public holidays: the days off of state agencies, bundled for the years covered.

Report deadlines count working days (Monday to Friday) and skip these days. Each year's days
off are fixed by the Labour Code 2019 (art. 112: New Year's Day 1 January, five days of Tết,
the Hùng Kings' day 10/3 of the lunar calendar, 30 April, 1 May, 2 September and a day next to
it; art. 111(3): a holiday on a weekly day off is taken on the next working day) and, for Tết
and the long weekends, by the Prime Minister's decision each autumn. The bundled list holds the
weekdays off announced for officials and public employees:

- 2025: Tết 27–31 January, 30 April – 2 May, 1–2 September — the Government Office's letter
  8726/VPCP-KGVX of 26 November 2024 (Viet Nam News, "PM approves proposal for 9-day
  continuous Tết holiday in 2025", 27 November 2024,
  https://vietnamnews.vn/society/1687874/pm-approves-proposal-for-9-day-continuous-tet-holiday-in-2025.html);
  New Year's Day and the Hùng Kings' day (7 April) by the Labour Code.
- 2026: Tết 16–20 February (the break runs Saturday 14 – Sunday 22 February) and National
  Day 31 August – 2 September (29 August – 2 September) — the Prime Minister's approval of
  the Ministry of Home Affairs' proposal (Government portal, "Prime Minister approves 9-day
  Lunar New Year holiday in 2026", 14 October 2025,
  https://en.baochinhphu.vn/prime-minister-approves-9-day-lunar-new-year-holiday-in-2026-111251014090102864.htm;
  SGGP, https://en.sggp.org.vn/prime-minister-approves-9-day-tet-break-for-2026-post120979.html);
  New Year's Day, 30 April, 1 May and the Hùng Kings' day (10/3 of the lunar calendar is
  Sunday 26 April, so Monday 27 April is off: Thanh Niên, 23 February 2026,
  https://thanhnien.vn/gio-to-hung-vuong-304-15-quoc-khanh-29-nam-2026-duoc-nghi-may-ngay-185260223083506397.htm)
  by the Labour Code.

Later years, make-up working Saturdays (the extra National Day 2026 weekday is one day more
than the Labour Code's two, so one Saturday may be worked instead: list it in ``workdays``
once announced) and local days off come from the configuration
(``[reports] holidays`` and ``workdays``; ``public_holidays = false`` drops this list).
"""

from __future__ import annotations

from datetime import date

SOURCE = "Labour Code 2019 art. 112 and the Prime Minister's yearly decisions (see module docs)"

VIETNAM_HOLIDAYS: dict[date, str] = {
    date(2025, 1, 1): "Tết Dương lịch",
    date(2025, 1, 27): "Tết Nguyên đán Ất Tỵ",
    date(2025, 1, 28): "Tết Nguyên đán Ất Tỵ",
    date(2025, 1, 29): "Tết Nguyên đán Ất Tỵ",
    date(2025, 1, 30): "Tết Nguyên đán Ất Tỵ",
    date(2025, 1, 31): "Tết Nguyên đán Ất Tỵ",
    date(2025, 4, 7): "Giỗ Tổ Hùng Vương",
    date(2025, 4, 30): "Ngày Giải phóng miền Nam, thống nhất đất nước",
    date(2025, 5, 1): "Ngày Quốc tế Lao động",
    date(2025, 5, 2): "Nghỉ lễ 30/4 – 1/5",
    date(2025, 9, 1): "Quốc khánh",
    date(2025, 9, 2): "Quốc khánh",
    date(2026, 1, 1): "Tết Dương lịch",
    date(2026, 2, 16): "Tết Nguyên đán Bính Ngọ",
    date(2026, 2, 17): "Tết Nguyên đán Bính Ngọ",
    date(2026, 2, 18): "Tết Nguyên đán Bính Ngọ",
    date(2026, 2, 19): "Tết Nguyên đán Bính Ngọ",
    date(2026, 2, 20): "Tết Nguyên đán Bính Ngọ",
    date(2026, 4, 27): "Giỗ Tổ Hùng Vương (nghỉ bù cho Chủ nhật 26/4)",
    date(2026, 4, 30): "Ngày Giải phóng miền Nam, thống nhất đất nước",
    date(2026, 5, 1): "Ngày Quốc tế Lao động",
    date(2026, 8, 31): "Quốc khánh",
    date(2026, 9, 1): "Quốc khánh",
    date(2026, 9, 2): "Quốc khánh",
}
"""Weekdays off for state agencies, by date (weekends are off anyway and are not listed)."""

YEARS = frozenset(day.year for day in VIETNAM_HOLIDAYS)
"""The years the bundled list covers."""
