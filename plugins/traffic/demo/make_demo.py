"""Write the traffic plugin's demo sources for Kon Tum.

    python plugins/traffic/demo/make_demo.py

writes, next to this script:

- ``kontum-accidents.csv``: the provincial traffic police's accident export, January 2025 to
  October 2026, with Vietnamese headers, dates as ``dd/mm/yyyy`` and the time apart. Until
  30 June 2025 the commune codes are those of Kon Tum's old communes; from 1 July 2025 those
  of the new communes (of Quảng Ngãi), and some records, filed from the field with a GPS
  point only, have none;
- ``kontum-accidents-datex2.xml``: a DATEX II 3 SituationPublication of November 2026's
  accidents on the national roads (points only, no commune codes), with two road-works
  records the plugin skips;
- ``kontum-cameras.json``: the registry of the province's traffic cameras;
- ``kontum-camera-events.jsonl``: a week of their events (violations and detections), one JSON
  message a line as the camera platform exports them, with number plates (which the demo
  connector drops) and one message sent twice.

NOTE: the data are illustrative, not official statistics. They follow the roads: QL14 (north
to south through Đăk Glei, Ngọc Hồi, Đăk Tô, Đăk Hà and Kon Tum city), QL24 (east to Kon Plông
and Quảng Ngãi), QL40 (to the Bờ Y border gate), QL14C (along the Cambodian border) and QL40B;
the magnitudes are plausible for the province (about a hundred accidents a year, most of them
fatal). A seeded generator makes the same files, byte for byte, every time.
"""

from __future__ import annotations

import csv
import io
import json
import random
from datetime import date, datetime, timedelta
from pathlib import Path
from xml.sax.saxutils import escape

HERE = Path(__file__).resolve().parent
ACCIDENTS_CSV = HERE / "kontum-accidents.csv"
DATEX2_XML = HERE / "kontum-accidents-datex2.xml"
CAMERAS_JSON = HERE / "kontum-cameras.json"
CAMERA_EVENTS = HERE / "kontum-camera-events.jsonl"
REFORM = date(2025, 7, 1)

# (old commune code, old name, new commune code, new name, lat, lon of the new commune)
COMMUNES = {
    c[0]: c
    for c in [
        ("23341", "Thị trấn Đăk Glei", "23341", "Xã Đăk Pék", 15.0668, 107.743),
        ("23353", "Xã Đăk Pék", "23341", "Xã Đăk Pék", 15.0668, 107.743),
        ("23374", "Xã Đăk Môn", "23374", "Xã Đăk Môn", 14.9516, 107.690),
        ("23383", "Xã Đăk Dục", "23383", "Xã Dục Nông", 14.8213, 107.650),
        ("23377", "Thị trấn Plei Kần", "23377", "Xã Bờ Y", 14.7068, 107.609),
        ("23389", "Xã Đăk Xú", "23377", "Xã Bờ Y", 14.7068, 107.609),
        ("23395", "Xã Pờ Y", "23377", "Xã Bờ Y", 14.7068, 107.609),
        ("23401", "Thị trấn Đăk Tô", "23401", "Xã Đăk Tô", 14.6189, 107.824),
        ("23437", "Xã Tân Cảnh", "23401", "Xã Đăk Tô", 14.6189, 107.824),
        ("23500", "Thị trấn Đăk Hà", "23500", "Xã Đăk Hà", 14.4634, 107.929),
        ("23521", "Xã Hà Mòn", "23500", "Xã Đăk Hà", 14.4634, 107.929),
        ("23311", "Xã Đăk Cấm", "23284", "Phường Đăk Cấm", 14.4251, 108.021),
        ("23293", "Phường Thắng Lợi", "23293", "Phường Kon Tum", 14.3545, 108.013),
        ("23281", "Phường Quang Trung", "23293", "Phường Kon Tum", 14.3545, 108.013),
        ("23299", "Phường Thống Nhất", "23293", "Phường Kon Tum", 14.3545, 108.013),
        ("23302", "Phường Lê Lợi", "23302", "Phường Đăk Bla", 14.3230, 107.987),
        ("23335", "Xã Đăk Rơ Wa", "23332", "Xã Đăk Rơ Wa", 14.3119, 108.021),
        ("23323", "Xã Đăk Blà", "23332", "Xã Đăk Rơ Wa", 14.3119, 108.021),
        ("23326", "Xã Ia Chim", "23326", "Xã Ia Chim", 14.3156, 107.914),
        ("23479", "Thị trấn Đăk Rve", "23479", "Xã Đăk Rve", 14.4925, 108.290),
        ("23497", "Xã Tân Lập", "23497", "Xã Kon Braih", 14.4325, 108.163),
        ("23473", "Thị trấn Măng Đen", "23473", "Xã Măng Đen", 14.6806, 108.278),
        ("23476", "Xã Hiếu", "23476", "Xã Kon Plông", 14.7211, 108.415),
        ("23398", "Xã Sa Loong", "23392", "Xã Sa Loong", 14.5960, 107.634),
        ("23530", "Xã Rờ Kơi", "23530", "Xã Rờ Kơi", 14.5204, 107.728),
        ("23536", "Xã Mô Rai", "23536", "Xã Mô Rai", 14.3581, 107.589),
        ("23538", "Xã Ia Tơi", "23538", "Xã Ia Tơi", 14.1125, 107.531),
        ("23422", "Xã Tu Mơ Rông", "23425", "Xã Tu Mơ Rông", 14.8184, 107.965),
        ("23410", "Xã Măng Ri", "23446", "Xã Măng Ri", 14.9174, 108.027),
    ]
}

# road → (weight, [(old commune code, kilometre post near it)])
ROADS = {
    "QL14": (
        45,
        [
            ("23341", 1398),
            ("23353", 1405),
            ("23374", 1421),
            ("23383", 1440),
            ("23377", 1452),
            ("23401", 1471),
            ("23437", 1476),
            ("23500", 1494),
            ("23521", 1499),
            ("23311", 1505),
            ("23293", 1511),
            ("23281", 1513),
            ("23302", 1517),
            ("23335", 1522),
        ],
    ),
    "QL24": (25, [("23323", 160), ("23497", 151), ("23479", 140), ("23473", 112), ("23476", 97)]),
    "QL40": (10, [("23377", 3), ("23389", 12), ("23395", 21)]),
    "QL14C": (8, [("23398", 58), ("23530", 82), ("23536", 118), ("23538", 151)]),
    "QL40B": (5, [("23422", 204), ("23410", 221)]),
    "ĐT671": (7, [("23299", 2), ("23326", 11)]),
}
CAUSES = [
    ("Vi phạm tốc độ", 30),
    ("Không chú ý quan sát", 22),
    ("Đi không đúng phần đường", 18),
    ("Sử dụng rượu bia", 12),
    ("Vượt xe không đảm bảo an toàn", 10),
    ("Chuyển hướng không đảm bảo an toàn", 8),
]
COLLISIONS = [
    ("Va chạm giữa hai xe", 60),
    ("Tự gây tai nạn", 22),
    ("Va chạm với người đi bộ", 10),
    ("Lật xe", 8),
]
CSV_HEADER = [
    "Số hồ sơ",
    "Ngày xảy ra",
    "Giờ xảy ra",
    "Mã xã",
    "Vĩ độ",
    "Kinh độ",
    "Tuyến đường",
    "Địa điểm",
    "Số phương tiện",
    "Số người chết",
    "Số người bị thương",
    "Nguyên nhân",
    "Loại va chạm",
]
HOUR_WEIGHTS = [1, 1, 1, 1, 2, 4, 7, 8, 6, 4, 4, 4, 5, 4, 4, 5, 7, 9, 10, 9, 7, 5, 3, 2]


def main() -> None:
    rng = random.Random(2026)
    _write(ACCIDENTS_CSV, accidents_csv(rng), encoding="utf-8-sig")
    _write(DATEX2_XML, datex2(rng))
    cameras = camera_registry()
    _write(CAMERAS_JSON, json.dumps(cameras, ensure_ascii=False, indent=2) + "\n")
    _write(CAMERA_EVENTS, camera_events(rng, cameras))


def accidents_csv(rng: random.Random) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_HEADER)
    day, number = date(2025, 1, 1), 0
    while day <= date(2026, 10, 31):
        for _ in range(_accidents_on(rng, day)):
            number += 1
            writer.writerow(_accident_row(rng, day, number))
        day += timedelta(days=1)
    return out.getvalue()


def _accidents_on(rng: random.Random, day: date) -> int:
    festive = day.month in (1, 2)  # Tết: more travel, more drinking
    return int(rng.random() < (0.42 if festive else 0.28))


def _accident_row(rng: random.Random, day: date, number: int) -> list[str]:
    road, commune, km = _place(rng)
    old, old_name, new, new_name, lat, lon = COMMUNES[commune]
    reformed = day >= REFORM
    code = ("" if rng.random() < 0.15 else new) if reformed else old
    hour = rng.choices(range(24), HOUR_WEIGHTS)[0]
    deaths = rng.choices([0, 1, 2, 3], [30, 58, 10, 2])[0]
    injuries = rng.choices([0, 1, 2, 3], [50, 30, 15, 5])[0] or (0 if deaths else 1)
    collision = _pick(rng, COLLISIONS)
    single = ("Tự gây tai nạn", "Lật xe", "Va chạm với người đi bộ")
    vehicles = 1 if collision in single else rng.choice([2, 2, 2, 3])
    return [
        f"TNGT-KT-{day.year}-{number:04d}",
        day.strftime("%d/%m/%Y"),
        f"{hour:02d}:{rng.randrange(60):02d}",
        code,
        f"{lat + rng.uniform(-0.015, 0.015):.5f}",
        f"{lon + rng.uniform(-0.015, 0.015):.5f}",
        road,
        f"Km {km + rng.randrange(-3, 4)}+{rng.randrange(0, 1000, 50):03d} {road}, "
        f"{new_name if reformed else old_name}",
        str(vehicles),
        str(deaths),
        str(injuries),
        _pick(rng, CAUSES),
        collision,
    ]


def _place(rng: random.Random) -> tuple[str, str, int]:
    road = rng.choices(list(ROADS), [weight for weight, _ in ROADS.values()])[0]
    commune, km = rng.choice(ROADS[road][1])
    return road, commune, km


def _pick(rng: random.Random, weighted: list[tuple[str, int]]) -> str:
    return rng.choices([name for name, _ in weighted], [w for _, w in weighted])[0]


DATEX_HEAD = """<?xml version="1.0" encoding="UTF-8"?>
<d2:payload xmlns:d2="http://datex2.eu/schema/3/d2Payload" \
xmlns:sit="http://datex2.eu/schema/3/situation" xmlns:com="http://datex2.eu/schema/3/common" \
xmlns:loc="http://datex2.eu/schema/3/locationReferencing" \
xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="sit:SituationPublication" \
lang="vi" modelBaseVersion="3">
  <com:publicationTime>2026-11-28T06:00:00+07:00</com:publicationTime>
  <com:publicationCreator>
    <com:country>vn</com:country>
    <com:nationalIdentifier>VN-KT-PC08</com:nationalIdentifier>
  </com:publicationCreator>
"""
DATEX_TYPES = [
    ("collision", 45),
    ("headOnCollision", 15),
    ("rearCollision", 12),
    ("collisionWithPerson", 10),
    ("vehicleOffRoad", 10),
    ("overturnedVehicle", 8),
]
DATEX_CAUSES = ["excessiveSpeed", "driverDistraction", "driverDrugAbuse", "overtaking"]
NATIONAL = ("QL14", "QL24", "QL40")


def datex2(rng: random.Random) -> str:
    parts = [DATEX_HEAD]
    for number in range(1, 13):
        when = datetime(
            2026,
            11,
            1 + (number - 1) * 26 // 12,
            rng.choices(range(24), HOUR_WEIGHTS)[0],
            rng.randrange(60),
        )
        parts.append(_datex_accident(rng, number, when))
    parts.append(_datex_roadworks("KT-DX-2026-RW1", "QL24", 14.6806, 108.278, 3))
    parts.append(_datex_roadworks("KT-DX-2026-RW2", "QL14", 14.6189, 107.824, 17))
    parts.append("</d2:payload>\n")
    return "".join(parts)


def _datex_accident(rng: random.Random, number: int, when: datetime) -> str:
    road = rng.choice(NATIONAL)
    commune, km = rng.choice(ROADS[road][1])
    _, _, _, name, lat, lon = COMMUNES[commune]
    people = [
        ("dead", rng.choices([0, 1, 2], [30, 60, 10])[0]),
        ("seriouslyInjured", rng.choices([0, 1, 2], [60, 30, 10])[0]),
        ("slightlyInjured", rng.choices([0, 1, 2], [60, 30, 10])[0]),
    ]
    groups = "".join(
        f"""
        <sit:groupOfPeopleInvolved>
          <sit:numberOfPeople>{count}</sit:numberOfPeople>
          <sit:injuryStatus>{status}</sit:injuryStatus>
        </sit:groupOfPeopleInvolved>"""
        for status, count in people
        if count
    )
    record_id = f"KT-DX-2026-{number:04d}"
    start = when.strftime("%Y-%m-%dT%H:%M:00+07:00")
    comment = f"Tai nạn giao thông tại Km {km} {road}, {name}"
    return f"""  <sit:situation id="{record_id}">
    <sit:overallSeverity>{"high" if people[0][1] else "medium"}</sit:overallSeverity>
    <sit:situationRecord xsi:type="sit:Accident" id="{record_id}-A" version="1">
      <sit:situationRecordCreationTime>{start}</sit:situationRecordCreationTime>
      <sit:situationRecordVersionTime>{start}</sit:situationRecordVersionTime>
      <sit:probabilityOfOccurrence>certain</sit:probabilityOfOccurrence>
      <sit:validity>
        <com:validityStatus>definedByValidityTimeSpec</com:validityStatus>
        <com:validityTimeSpecification>
          <com:overallStartTime>{start}</com:overallStartTime>
        </com:validityTimeSpecification>
      </sit:validity>
      <sit:generalPublicComment>
        <com:comment><com:values><com:value lang="vi">{escape(comment)}</com:value></com:values>
        </com:comment>
      </sit:generalPublicComment>
      <sit:locationReference xsi:type="loc:PointLocation">
        <loc:supplementaryPositionalDescription>
          <loc:roadInformation><loc:roadNumber>{road}</loc:roadNumber></loc:roadInformation>
        </loc:supplementaryPositionalDescription>
        <loc:pointByCoordinates>
          <loc:pointCoordinates>
            <loc:latitude>{lat + rng.uniform(-0.01, 0.01):.5f}</loc:latitude>
            <loc:longitude>{lon + rng.uniform(-0.01, 0.01):.5f}</loc:longitude>
          </loc:pointCoordinates>
        </loc:pointByCoordinates>
      </sit:locationReference>
      <sit:accidentCause>{rng.choice(DATEX_CAUSES)}</sit:accidentCause>
      <sit:accidentType>{_pick(rng, DATEX_TYPES)}</sit:accidentType>{groups}
      <sit:groupOfVehiclesInvolved>
        <sit:numberOfVehicles>{rng.choice([1, 2, 2, 3])}</sit:numberOfVehicles>
      </sit:groupOfVehiclesInvolved>
    </sit:situationRecord>
  </sit:situation>
"""


def _datex_roadworks(record_id: str, road: str, lat: float, lon: float, day: int) -> str:
    return f"""  <sit:situation id="{record_id}">
    <sit:overallSeverity>low</sit:overallSeverity>
    <sit:situationRecord xsi:type="sit:MaintenanceWorks" id="{record_id}-W" version="1">
      <sit:situationRecordCreationTime>2026-11-{day:02d}T07:00:00+07:00\
</sit:situationRecordCreationTime>
      <sit:locationReference xsi:type="loc:PointLocation">
        <loc:supplementaryPositionalDescription>
          <loc:roadInformation><loc:roadNumber>{road}</loc:roadNumber></loc:roadInformation>
        </loc:supplementaryPositionalDescription>
        <loc:pointByCoordinates><loc:pointCoordinates>
          <loc:latitude>{lat}</loc:latitude><loc:longitude>{lon}</loc:longitude>
        </loc:pointCoordinates></loc:pointByCoordinates>
      </sit:locationReference>
      <sit:roadMaintenanceType>resurfacingWork</sit:roadMaintenanceType>
    </sit:situationRecord>
  </sit:situation>
"""


# (id, name, commune, lat, lon, road, what it detects, events a day)
CAMERAS = [
    (
        "KT-CAM-001",
        "Ngã tư Phan Đình Phùng – Trần Hưng Đạo",
        "23293",
        14.3531,
        108.0069,
        "QL14",
        ["red_light", "no_helmet", "wrong_lane"],
        22,
    ),
    (
        "KT-CAM-002",
        "Ngã tư Phan Đình Phùng – Lê Hồng Phong",
        "23293",
        14.3470,
        108.0041,
        "QL14",
        ["red_light", "no_helmet"],
        18,
    ),
    (
        "KT-CAM-003",
        "Cầu Đăk Bla",
        "23302",
        14.3362,
        107.9961,
        "QL24",
        ["speeding", "wrong_lane", "congestion"],
        12,
    ),
    (
        "KT-CAM-004",
        "QL14 Km 1505 – Đăk Cấm",
        "23284",
        14.4250,
        108.0190,
        "QL14",
        ["speeding", "stopped_vehicle"],
        14,
    ),
    (
        "KT-CAM-005",
        "QL14 Km 1494 – Thị trấn Đăk Hà cũ",
        "23500",
        14.4700,
        107.9300,
        "QL14",
        ["speeding", "no_helmet"],
        10,
    ),
    ("KT-CAM-006", "QL14 Km 1471 – Đăk Tô", "23401", 14.6500, 107.8250, "QL14", ["speeding"], 8),
    (
        "KT-CAM-007",
        "QL24 Km 112 – Măng Đen",
        "23473",
        14.6090,
        108.2680,
        "QL24",
        ["speeding", "congestion"],
        6,
    ),
    (
        "KT-CAM-008",
        "Ngã ba Đông Dương – Plei Kần",
        "23377",
        14.7040,
        107.6950,
        "QL40",
        ["speeding", "no_helmet", "stopped_vehicle"],
        7,
    ),
]
SPEED_LIMITS = {"QL14": 80, "QL24": 70, "QL40": 70}
VEHICLE_CLASSES = ["motorbike", "motorbike", "motorbike", "car", "car", "truck", "bus"]
PLATE_PREFIX = ["82A", "82B", "82C", "82H", "81A", "76A", "82K1", "82N1"]


def camera_registry() -> list[dict[str, object]]:
    return [
        {
            "id": cid,
            "name": name,
            "commune": commune,
            "lat": lat,
            "lon": lon,
            "road": road,
            "detects": detects,
        }
        for cid, name, commune, lat, lon, road, detects, _ in CAMERAS
    ]


def camera_events(rng: random.Random, cameras: list[dict[str, object]]) -> str:
    lines: list[str] = []
    for day in (date(2026, 11, 21) + timedelta(days=n) for n in range(7)):
        for cid, _, _, _, _, road, detects, per_day in CAMERAS:
            for _ in range(per_day + rng.randrange(-3, 4)):
                lines.append(
                    json.dumps(_camera_event(rng, cid, road, detects, day), ensure_ascii=False)
                )
    lines.sort(key=lambda line: json.loads(line)["time"])
    lines.insert(len(lines) // 2, lines[len(lines) // 2 - 1])  # a message the platform resent
    return "\n".join(lines) + "\n"


def _camera_event(
    rng: random.Random, camera: str, road: str, detects: list[str], day: date
) -> dict[str, object]:
    kind = rng.choice(detects)
    hour = rng.choices(range(24), HOUR_WEIGHTS)[0]
    when = datetime(day.year, day.month, day.day, hour, rng.randrange(60), rng.randrange(60))
    event: dict[str, object] = {
        "event_id": f"{camera}-{when:%Y%m%d%H%M%S}-{rng.randrange(16**4):04x}",
        "type": kind.replace("_", "-"),
        "camera_id": camera,
        "time": when.strftime("%Y-%m-%dT%H:%M:%S+07:00"),
    }
    if kind in ("congestion", "stopped_vehicle"):
        return event
    vehicle = "motorbike" if kind == "no_helmet" else rng.choice(VEHICLE_CLASSES)
    event["vehicle_class"] = vehicle
    number = f"{rng.randrange(100, 999)}.{rng.randrange(100):02d}"
    event["plate"] = f"{rng.choice(PLATE_PREFIX)}-{number}"
    if kind == "speeding":
        limit = SPEED_LIMITS.get(road, 60) if vehicle != "motorbike" else 60
        event["speed_limit"] = limit
        event["speed"] = round(limit + rng.uniform(6, 45), 1)
    return event


def _write(path: Path, content: str, encoding: str = "utf-8") -> None:
    with path.open("w", encoding=encoding, newline="") as handle:
        handle.write(content)
    print(f"wrote {path.name}")


if __name__ == "__main__":
    main()
