"""Write the education plugin's demo export for Kon Tum's schools.

    python plugins/education/demo/make_demo.py

writes, next to this script, the CSV files a provincial school-management program exports
(UTF-8 with a BOM, as Excel opens them; Vietnamese headers):

- ``kontum-truong.csv``: the schools — code, name, level (cấp học), ownership, commune code,
  address, state. Most list the commune they are in since the 2025 reform; about a third still
  list their commune from before it (a code the reform retired), as real registers do;
- ``kontum-hoc-sinh.csv``: pupils by school, grade and sex at the opening census (30 September)
  of the school years 2025–2026 and 2026–2027;
- ``kontum-lop.csv``: the number of classes by school and grade at both censuses;
- ``kontum-giao-vien.csv``: teachers by school and sex at both censuses;
- ``kontum-ket-qua-thi.csv``: the upper-secondary graduation exam of 2025 and 2026, candidates
  and passes by school and sex;
- ``kontum-pho-cap.csv``: the school-age population of each of Kon Tum's 40 communes in 2026,
  by age band and sex (the universal-education survey, phổ cập giáo dục).

Every one of Kon Tum's 102 communes of before the reform has a primary and a lower-secondary
school, or one ethnic semi-boarding school teaching both (PTDTBT TH và THCS); each district
town has an upper-secondary school and an ethnic boarding school; the city has more. Two
schools closed in the summer of 2026 when they merged into a neighbour, and have no rows in
the 2026 census.

NOTE: the data are illustrative, not official statistics. Magnitudes are plausible for Kon Tum
(about 580,000 inhabitants, one-year age cohorts of about 2 % of them, nearly every child in
primary school and fewer in upper secondary), and figures hold together (classes of 25–40,
passes never above candidates). They come from a seeded random generator: the same script
always writes byte-identical files. The communes come from the unit lists the hub bundles.
"""

from __future__ import annotations

import csv
import math
import random
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
SUCCESSION = HERE.parents[2] / "hub" / "units" / "data" / "succession_legacy_to_2025.csv"
SCHOOLS = HERE / "kontum-truong.csv"
PUPILS = HERE / "kontum-hoc-sinh.csv"
CLASSES = HERE / "kontum-lop.csv"
TEACHERS = HERE / "kontum-giao-vien.csv"
RESULTS = HERE / "kontum-ket-qua-thi.csv"
POPULATION = HERE / "kontum-pho-cap.csv"
SEED = 62

KON_TUM = 62
CENSUSES = {2025: "30/09/2025", 2026: "30/09/2026"}
"""School year start → the day of its opening census."""
EXAM_YEARS = (2025, 2026)
POPULATION_YEAR = 2026
DISTRICT_POPULATION = {  # 2024, as in the indicators plugin's demo
    608: 182_000,
    610: 52_000,
    611: 58_000,
    612: 47_500,
    613: 28_500,
    614: 30_000,
    615: 83_000,
    616: 57_000,
    617: 27_500,
    618: 16_000,
}
COHORT_SHARE = 0.0195
"""Children of one year of age per inhabitant."""
AGES = {
    "primary": ("6-10 tuổi", 5),
    "lower_secondary": ("11-14 tuổi", 4),
    "upper_secondary": ("15-17 tuổi", 3),
}
GRADES = {"primary": range(1, 6), "lower_secondary": range(6, 10), "upper_secondary": range(10, 13)}
LEVEL_NAMES = {
    ("primary",): "TH",
    ("lower_secondary",): "THCS",
    ("upper_secondary",): "THPT",
    ("primary", "lower_secondary"): "TH&THCS",
    ("lower_secondary", "upper_secondary"): "THCS&THPT",
    ("primary", "lower_secondary", "upper_secondary"): "TH, THCS và THPT",
}
CLASS_SIZE = {"primary": 28, "lower_secondary": 34, "upper_secondary": 40}
TEACHERS_PER_CLASS = {"primary": 1.5, "lower_secondary": 1.9, "upper_secondary": 2.25}
WOMEN_TEACHING = {"primary": 0.8, "lower_secondary": 0.7, "upper_secondary": 0.6}
OPEN, MERGED = "Đang hoạt động", "Đã sáp nhập"
NOTE = "Số liệu minh họa, không phải số liệu thống kê chính thức"


@dataclass(eq=False)  # a commune is itself: hashed by identity
class Commune:
    code: str
    name: str
    kind: str
    district: int
    district_name: str
    new_code: str
    new_name: str
    population: int = 0

    @property
    def short(self) -> str:
        return self.name.removeprefix(self.kind).strip()

    @property
    def is_town(self) -> bool:
        return self.kind in ("Phường", "Thị trấn")

    def cohort(self, rng: random.Random) -> float:
        return self.population * COHORT_SHARE * rng.uniform(0.92, 1.08)


@dataclass
class School:
    code: str
    name: str
    levels: tuple[str, ...]
    commune: Commune
    listed_code: str
    ownership: str = "Công lập"
    closes: int | None = None
    """The school year from which the school is closed (merged into a neighbour)."""
    pupils: dict[tuple[int, int], float] = field(default_factory=dict)
    """(school year, grade) → pupils, before the split by sex."""

    def open_in(self, year: int) -> bool:
        return self.closes is None or year < self.closes


def main() -> None:
    rng = random.Random(SEED)
    communes = read_communes()
    spread_population(communes, rng)
    schools = plan_schools(communes, rng)
    enrol(schools, rng)
    write(
        SCHOOLS,
        [
            "Mã trường",
            "Tên trường",
            "Cấp học",
            "Loại hình",
            "Mã xã",
            "Địa chỉ",
            "Trạng thái",
            "Ghi chú",
        ],
        school_rows(schools),
    )
    pupils, classes, teachers = census_rows(schools, rng)
    write(
        PUPILS, ["Mã trường", "Năm học", "Ngày báo cáo", "Khối", "Giới tính", "Số học sinh"], pupils
    )
    write(CLASSES, ["Mã trường", "Năm học", "Ngày báo cáo", "Khối", "Số lớp"], classes)
    write(TEACHERS, ["Mã trường", "Ngày báo cáo", "Giới tính", "Số giáo viên"], teachers)
    write(
        RESULTS,
        ["Mã trường", "Năm", "Kỳ thi", "Giới tính", "Số dự thi", "Số đỗ"],
        exam_rows(schools, rng),
    )
    write(
        POPULATION,
        ["Mã xã", "Tên xã", "Năm", "Độ tuổi", "Giới tính", "Số trẻ"],
        population_rows(communes, rng),
    )


def read_communes() -> list[Commune]:
    with SUCCESSION.open(encoding="utf-8", newline="") as handle:
        rows = [r for r in csv.DictReader(handle) if int(r["provinceCode"]) == KON_TUM]
    return [
        Commune(
            code=f"{int(float(r['wardCode'])):05d}",
            name=r["ward"],
            kind=r["wardType"],
            district=int(r["districtCode"]),
            district_name=r["district"],
            new_code=f"{int(r['newWardCode']):05d}",
            new_name=r["newWard"],
        )
        for r in rows
    ]


def spread_population(communes: list[Commune], rng: random.Random) -> None:
    """Each district's population over its communes; towns are three times as dense."""
    by_district = defaultdict(list)
    for commune in communes:
        by_district[commune.district].append(commune)
    for district, members in by_district.items():
        weights = [rng.uniform(0.6, 1.4) * (3 if c.is_town else 1) for c in members]
        for commune, weight in zip(members, weights, strict=True):
            commune.population = round(DISTRICT_POPULATION[district] * weight / sum(weights))


def plan_schools(communes: list[Commune], rng: random.Random) -> list[School]:
    schools: list[School] = []
    numbers: dict[int, int] = defaultdict(int)

    def add(name: str, levels: tuple[str, ...], commune: Commune, **extra: object) -> School:
        numbers[commune.district] += 1
        code = f"{KON_TUM}{commune.district}{numbers[commune.district]:03d}"
        listed = commune.new_code if rng.random() < 0.68 else commune.code
        school = School(code, name, levels, commune, listed, **extra)  # type: ignore[arg-type]
        schools.append(school)
        return school

    for commune in communes:
        if commune.is_town and commune.population > 14_000:
            add(f"Trường Tiểu học {commune.short}", ("primary",), commune)
            add(f"Trường Tiểu học số 2 {commune.short}", ("primary",), commune)
            add(f"Trường THCS {commune.short}", ("lower_secondary",), commune)
        elif commune.is_town or rng.random() < 0.7:
            add(f"Trường Tiểu học {commune.short}", ("primary",), commune)
            add(f"Trường THCS {commune.short}", ("lower_secondary",), commune)
        else:
            add(
                f"Trường PTDTBT TH và THCS {commune.short}", ("primary", "lower_secondary"), commune
            )
    for district, seat in district_seats(communes).items():
        short = seat.district_name.removeprefix("Huyện ").removeprefix("Thành phố ")
        add(f"Trường THPT {short}", ("upper_secondary",), seat)
        levels = ("lower_secondary", "upper_secondary") if district == 617 else ("lower_secondary",)
        add(f"Trường PTDTNT {LEVEL_NAMES[levels]} {short}", levels, seat)
    city = district_seats(communes)[608]
    add("Trường THPT Kon Tum", ("upper_secondary",), city)
    add("Trường THPT chuyên Nguyễn Tất Thành", ("upper_secondary",), city)
    add("Trường PT DTNT tỉnh Kon Tum", ("upper_secondary",), city)
    add("Trường TH, THCS và THPT Hà Nội - Kon Tum", tuple(GRADES), city, ownership="Tư thục")
    for school in [s for s in schools if "số 2" in s.name][:2]:
        school.closes = 2026  # merged into the commune's other primary school
    return schools


def district_seats(communes: list[Commune]) -> dict[int, Commune]:
    """The district town (or, in Ia H'Drai, which has none, its first commune)."""
    seats: dict[int, Commune] = {}
    for commune in communes:
        current = seats.get(commune.district)
        if current is None or (commune.is_town and not current.is_town):
            seats[commune.district] = commune
    return seats


def enrol(schools: list[School], rng: random.Random) -> None:
    """Pupils of each school year and grade, from the cohorts of the school's catchment."""
    attending = {"primary": 0.99, "lower_secondary": 0.9, "upper_secondary": 0.62}
    for year in CENSUSES:
        for level, grades in GRADES.items():
            for area, members in catchments(schools, level, year).items():
                cohort = sum(c.cohort(rng) for c in area) * attending[level]
                shares = [rng.uniform(0.7, 1.3) for _ in members]
                for school, share in zip(members, shares, strict=True):
                    for grade in grades:
                        drop = 1 - 0.012 * (grade - grades[0])
                        school.pupils[year, grade] = cohort * drop * share / sum(shares)
        for school in schools:
            if is_boarding(school) and school.open_in(year):
                for grade in GRADES["lower_secondary"]:
                    school.pupils[year, grade] = rng.uniform(55, 105)


def is_boarding(school: School) -> bool:
    """A district's ethnic boarding school: a few selected pupils of every commune."""
    return school.name.startswith("Trường PTDTNT")


def catchments(
    schools: list[School], level: str, year: int
) -> dict[tuple[Commune, ...], list[School]]:
    """The schools sharing the children of an area: a commune for primary and lower
    secondary, a district for upper secondary."""
    by_area: dict[tuple[Commune, ...], list[School]] = defaultdict(list)
    districts: dict[int, list[Commune]] = defaultdict(list)
    for school in schools:
        districts[school.commune.district].append(school.commune)
    for school in schools:
        if level not in school.levels or not school.open_in(year):
            continue
        if level == "lower_secondary" and is_boarding(school):
            continue
        if level == "upper_secondary":
            area = tuple(dict.fromkeys(districts[school.commune.district]))
        else:
            area = (school.commune,)
        by_area[area].append(school)
    return by_area


def school_rows(schools: list[School]) -> Iterable[list[object]]:
    for s in schools:
        if s.listed_code == s.commune.new_code:
            address = f"{s.commune.new_name}, tỉnh Quảng Ngãi"
        else:
            address = f"{s.commune.name}, {s.commune.district_name}, tỉnh Kon Tum"
        state = OPEN if s.closes is None else MERGED
        note = NOTE if s is schools[0] else ""
        yield [
            s.code,
            s.name,
            LEVEL_NAMES[s.levels],
            s.ownership,
            s.listed_code,
            address,
            state,
            note,
        ]


def census_rows(
    schools: list[School], rng: random.Random
) -> tuple[list[list[object]], list[list[object]], list[list[object]]]:
    pupils, classes, teachers = [], [], []
    for year, day in CENSUSES.items():
        school_year = f"{year}-{year + 1}"
        for school in schools:
            if not school.open_in(year):
                continue
            teaching: dict[str, float] = defaultdict(float)
            for level in school.levels:
                for grade in GRADES[level]:
                    total = max(8, round(school.pupils[year, grade]))
                    boys = round(total * rng.uniform(0.49, 0.55))
                    pupils.append([school.code, school_year, day, grade, "Nam", boys])
                    pupils.append([school.code, school_year, day, grade, "Nữ", total - boys])
                    count = max(1, math.ceil(total / CLASS_SIZE[level]))
                    teaching[level] += count * TEACHERS_PER_CLASS[level]
                    classes.append([school.code, school_year, day, f"Khối {grade}", count])
            women = sum(n * WOMEN_TEACHING[level] for level, n in teaching.items())
            staff = round(sum(teaching.values()) * rng.uniform(0.95, 1.05))
            female = min(staff, round(women * rng.uniform(0.95, 1.05)))
            teachers.append([school.code, day, "Nam", staff - female])
            teachers.append([school.code, day, "Nữ", female])
    return pupils, classes, teachers


def exam_rows(schools: list[School], rng: random.Random) -> Iterable[list[object]]:
    """The graduation exam of June: the grade-12 pupils of the school year it closes."""
    for exam_year in EXAM_YEARS:
        census = min(CENSUSES, key=lambda y: abs(y - (exam_year - 1)))
        for school in schools:
            if "upper_secondary" not in school.levels or not school.open_in(exam_year - 1):
                continue
            grade_12 = school.pupils[census, 12] * rng.uniform(0.95, 1.02)
            for sex, share in (("Nam", 0.5), ("Nữ", 0.5)):
                candidates = max(5, round(grade_12 * share * rng.uniform(0.96, 1.0)))
                passed = round(candidates * rng.uniform(0.93, 0.995))
                yield [school.code, exam_year, "Tốt nghiệp THPT", sex, candidates, passed]


def population_rows(communes: list[Commune], rng: random.Random) -> Iterable[list[object]]:
    """Children by age band and sex in each 2025 commune: the sum of the communes it took in."""
    merged: dict[str, list[Commune]] = defaultdict(list)
    for commune in communes:
        merged[commune.new_code].append(commune)
    for code in sorted(merged):
        members = merged[code]
        for band, years in AGES.values():
            children = sum(c.cohort(rng) for c in members) * years
            boys = round(children * rng.uniform(0.505, 0.53))
            name = members[0].new_name
            yield [code, name, POPULATION_YEAR, band, "Nam", boys]
            yield [code, name, POPULATION_YEAR, band, "Nữ", round(children) - boys]


def write(path: Path, header: list[str], rows: Iterable[list[object]]) -> None:
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\r\n")
        writer.writerow(header)
        writer.writerows(rows)


if __name__ == "__main__":
    main()
