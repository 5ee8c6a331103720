"""Write the feedback plugin's demo export: Kon Tum's citizen-feedback portal, in GeoReport v2.

    python plugins/feedback/demo/make_demo.py

writes, next to this script, what the ``open311`` connector reads from a folder:

- ``services.json``: the portal's categories (road damage, street lighting, waste collection,
  construction order, land, pollution, …), with their groups;
- ``requests.json``: about 600 reports and petitions filed from 1 July 2025 (the first day of
  the two-level administration, when Kon Tum's territory became 40 communes of Quảng Ngãi) to
  31 October 2026, one per line, with their status at the end of October 2026;
- ``communes.json``: those 40 communes (GSO code, name, centre), read from the hub's unit list
  ``hub/units/data/communes_2025_with_location.csv`` and its succession table.

How the requests are placed, as on a real portal: most carry the commune's code in the
portal's own field ``commune_code``, some only an address naming the commune, a few only the
point the citizen's phone gave (the hub places those in the nearest commune).

NOTE: the cases are illustrative, not real petitions. They are drawn from a seeded random
generator, so the same script always writes byte-identical files.
"""

from __future__ import annotations

import csv
import json
import math
import random
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

HERE = Path(__file__).resolve().parent
UNITS = HERE.parents[2] / "hub" / "units" / "data"
ZONE = ZoneInfo("Asia/Ho_Chi_Minh")
FIRST_DAY, LAST_DAY = date(2025, 7, 1), date(2026, 10, 31)
EXPORTED_AT = datetime.combine(LAST_DAY, time(23, 59), ZONE)
KON_TUM = 62
CASES_PER_DAY = 1.2
SEED = 20250701
STUCK_SHARE = 0.08

CITY_ENVIRONMENT = "Công ty CP Môi trường đô thị Kon Tum"
COMMUNE_COMMITTEE = "UBND cấp xã"
# code, name, group, agency, days to handle, descriptions
SERVICES: list[tuple[str, str, str, str, int, list[str]]] = [
    (
        "DUONG_HU",
        "Hư hỏng đường, cầu cống",
        "Hạ tầng giao thông",
        "Sở Xây dựng",
        15,
        [
            "Mặt đường sụt lún, nhiều ổ gà gây nguy hiểm cho người đi xe máy.",
            "Cống thoát nước qua đường bị vỡ, nước tràn mặt đường.",
            "Cầu tràn hư hỏng lan can, đề nghị sửa chữa trước mùa mưa.",
        ],
    ),
    (
        "CHIEU_SANG",
        "Chiếu sáng công cộng",
        "Hạ tầng đô thị",
        CITY_ENVIRONMENT,
        7,
        [
            "Cụm đèn đường không sáng nhiều đêm liền.",
            "Cột đèn chiếu sáng bị nghiêng, có nguy cơ đổ.",
            "Đèn đường bật sáng cả ban ngày, lãng phí điện.",
        ],
    ),
    (
        "RAC_THAI",
        "Thu gom rác thải",
        "Môi trường",
        CITY_ENVIRONMENT,
        5,
        [
            "Rác thải tồn đọng nhiều ngày chưa được thu gom.",
            "Điểm tập kết rác tự phát bên đường, bốc mùi hôi.",
            "Xe thu gom rác không đến theo lịch.",
        ],
    ),
    (
        "TT_XAY_DUNG",
        "Trật tự xây dựng",
        "Xây dựng – Đất đai",
        COMMUNE_COMMITTEE,
        20,
        [
            "Công trình xây dựng không phép lấn ra hành lang đường.",
            "Nhà dân xây dựng sai giấy phép, vượt số tầng.",
            "Vật liệu xây dựng để tràn lòng đường.",
        ],
    ),
    (
        "DAT_DAI",
        "Đất đai",
        "Xây dựng – Đất đai",
        "Sở Nông nghiệp và Môi trường",
        30,
        [
            "Tranh chấp ranh giới đất giữa hai hộ dân.",
            "Đề nghị xem xét việc cấp giấy chứng nhận quyền sử dụng đất chậm.",
            "San lấp đất nông nghiệp trái phép.",
        ],
    ),
    (
        "O_NHIEM",
        "Ô nhiễm môi trường",
        "Môi trường",
        "Sở Nông nghiệp và Môi trường",
        15,
        [
            "Cơ sở chăn nuôi xả nước thải ra suối.",
            "Xưởng chế biến gỗ gây tiếng ồn và bụi vào ban đêm.",
            "Khói đốt rác gây ô nhiễm khu dân cư.",
        ],
    ),
    (
        "CAP_NUOC",
        "Cấp nước, thoát nước",
        "Hạ tầng đô thị",
        "Công ty CP Cấp nước Kon Tum",
        7,
        [
            "Mất nước sinh hoạt nhiều ngày không báo trước.",
            "Đường ống nước bị vỡ, nước chảy lênh láng.",
            "Mương thoát nước bị tắc gây ngập khi mưa.",
        ],
    ),
    (
        "TT_DO_THI",
        "Trật tự đô thị, lấn chiếm vỉa hè",
        "Trật tự",
        COMMUNE_COMMITTEE,
        10,
        [
            "Hàng quán lấn chiếm vỉa hè, người đi bộ phải xuống lòng đường.",
            "Biển quảng cáo treo sai quy định.",
            "Đỗ xe ô tô trên vỉa hè gây cản trở.",
        ],
    ),
    (
        "AN_TOAN_GT",
        "An toàn giao thông",
        "Trật tự",
        "Công an tỉnh",
        10,
        [
            "Thanh thiếu niên tụ tập đua xe vào ban đêm.",
            "Biển báo giao thông bị che khuất tại ngã ba.",
            "Xe tải chở quá tải làm hư đường liên xã.",
        ],
    ),
    (
        "AN_TOAN_TP",
        "An toàn thực phẩm",
        "Y tế",
        "Sở Y tế",
        15,
        [
            "Cơ sở kinh doanh thực phẩm không đảm bảo vệ sinh.",
            "Bán thực phẩm không rõ nguồn gốc tại chợ.",
        ],
    ),
    (
        "CAY_XANH",
        "Cây xanh",
        "Hạ tầng đô thị",
        CITY_ENVIRONMENT,
        7,
        [
            "Cây xanh gãy cành đè lên đường dây điện.",
            "Cây cổ thụ nghiêng có nguy cơ đổ vào nhà dân.",
        ],
    ),
    (
        "HANH_CHINH",
        "Thủ tục hành chính",
        "Hành chính",
        COMMUNE_COMMITTEE,
        10,
        [
            "Hồ sơ chứng thực quá hạn chưa được trả kết quả.",
            "Thái độ cán bộ tiếp dân chưa đúng mực.",
        ],
    ),
]
SERVICE_WEIGHTS = [16, 10, 14, 9, 7, 8, 8, 9, 6, 3, 5, 5]
URBAN = {"23284", "23293", "23302"}  # the three wards of the former city of Kon Tum
STREETS = [
    "Trần Hưng Đạo",
    "Phan Đình Phùng",
    "Lê Hồng Phong",
    "Nguyễn Huệ",
    "Bà Triệu",
    "Hùng Vương",
    "Phạm Văn Đồng",
    "Trường Chinh",
]


def kon_tum_communes() -> list[dict[str, Any]]:
    """The 2025 communes that Kon Tum's legacy communes became, with their centres."""
    with (UNITS / "succession_legacy_to_2025.csv").open(encoding="utf-8") as handle:
        codes = {
            int(r["newWardCode"])
            for r in csv.DictReader(handle)
            if int(float(r["provinceCode"])) == KON_TUM
        }
    with (UNITS / "communes_2025_with_location.csv").open(encoding="utf-8") as handle:
        rows = [r for r in csv.DictReader(handle) if int(r["wardCode"]) in codes]
    return sorted(
        (
            {
                "code": f"{int(r['wardCode']):05d}",
                "name": r["ward"],
                "lat": float(r["wardLat"]),
                "lon": float(r["wardLon"]),
            }
            for r in rows
        ),
        key=lambda commune: commune["code"],
    )


def services_document() -> list[dict[str, Any]]:
    return [
        {
            "service_code": code,
            "service_name": name,
            "description": name,
            "metadata": False,
            "type": "realtime",
            "keywords": "",
            "group": group,
        }
        for code, name, group, _, _, _ in SERVICES
    ]


class Generator:
    """Draws the requests, day after day."""

    def __init__(self, communes: list[dict[str, Any]]) -> None:
        self.random = random.Random(SEED)
        self.communes = communes
        self.commune_weights = [6 if c["code"] in URBAN else 1 for c in communes]
        self.count = 0

    def requests(self) -> list[dict[str, Any]]:
        cases = []
        day = FIRST_DAY
        while day <= LAST_DAY:
            for _ in range(self._poisson(CASES_PER_DAY)):
                cases.append(self.request(day))
            day += timedelta(days=1)
        return cases

    def request(self, day: date) -> dict[str, Any]:
        self.count += 1
        code, name, _, agency, days, descriptions = self.random.choices(SERVICES, SERVICE_WEIGHTS)[
            0
        ]
        commune = self.random.choices(self.communes, self.commune_weights)[0]
        requested = datetime.combine(day, time(6), ZONE) + timedelta(
            minutes=self.random.randrange(15 * 60)
        )
        deadline = requested + timedelta(days=days)
        status, updated, notes = self.outcome(requested, deadline)
        request = {
            "service_request_id": f"KT-{day.year}-{self.count:06d}",
            "status": status,
            "status_notes": notes,
            "service_name": name,
            "service_code": code,
            "description": self.random.choice(descriptions),
            "agency_responsible": agency,
            "requested_datetime": _w3c(requested),
            "updated_datetime": _w3c(updated),
            "expected_datetime": _w3c(deadline),
        }
        request.update(self.place(commune))
        return request

    def outcome(self, requested: datetime, deadline: datetime) -> tuple[str, datetime, str]:
        """Status at export time, when it was last updated, and the agency's note."""
        draw = self.random.random()
        if draw < 0.05:
            when = requested + timedelta(hours=self.random.randrange(4, 72))
            if when <= EXPORTED_AT:
                label = self.random.choice(["rejected", "duplicate"])
                return label, when, "Phản ánh không thuộc thẩm quyền hoặc đã được xử lý trước đó."
        allowed = (deadline - requested).total_seconds()
        factor = self.random.lognormvariate(math.log(0.7), 0.5)
        if self.random.random() < STUCK_SHARE:  # forgotten in a drawer for a while
            factor *= self.random.uniform(2, 8)
        resolved = requested + timedelta(seconds=allowed * factor)
        if resolved <= EXPORTED_AT:
            label = "closed" if self.random.random() < 0.5 else "resolved"
            return label, resolved, "Đơn vị đã xử lý xong và phản hồi người dân."
        touched = requested + (EXPORTED_AT - requested) * self.random.random()
        if touched - requested < timedelta(days=1):
            return "open", requested, ""
        label = self.random.choice(["acknowledged", "in_progress"])
        return label, touched, "Đơn vị đã tiếp nhận và đang xử lý."

    def place(self, commune: dict[str, Any]) -> dict[str, Any]:
        """commune_code (most), an address naming the commune (some), a point only (a few)."""
        draw = self.random.random()
        street = self._street(commune)
        fields: dict[str, Any] = {}
        if draw < 0.8:
            fields["commune_code"] = commune["code"]
            fields["address"] = street
        elif draw < 0.95:
            fields["address"] = f"{street}, {commune['name']}, tỉnh Quảng Ngãi"
        else:
            fields["address"] = street
        if draw >= 0.95 or self.random.random() < 0.6:
            fields["lat"] = round(commune["lat"] + self.random.uniform(-0.01, 0.01), 5)
            fields["long"] = round(commune["lon"] + self.random.uniform(-0.01, 0.01), 5)
        return fields

    def _street(self, commune: dict[str, Any]) -> str:
        if commune["code"] in URBAN:
            return f"{self.random.randrange(1, 400)} {self.random.choice(STREETS)}"
        return f"Thôn {self.random.randrange(1, 12)}"

    def _poisson(self, mean: float) -> int:
        limit, count, product = math.exp(-mean), 0, self.random.random()
        while product > limit:
            count += 1
            product *= self.random.random()
        return count


def _w3c(moment: datetime) -> str:
    return moment.replace(microsecond=0).isoformat()


def write_lines(path: Path, items: list[dict[str, Any]]) -> None:
    """A JSON list with one item per line: readable, and diffs show what changed."""
    lines = ",\n".join(json.dumps(item, ensure_ascii=False) for item in items)
    path.write_text(f"[\n{lines}\n]\n", encoding="utf-8")


def main() -> None:
    communes = kon_tum_communes()
    write_lines(HERE / "communes.json", communes)
    write_lines(HERE / "services.json", services_document())
    requests = Generator(communes).requests()
    write_lines(HERE / "requests.json", requests)
    print(f"{len(communes)} communes, {len(SERVICES)} services, {len(requests)} requests")


if __name__ == "__main__":
    main()
