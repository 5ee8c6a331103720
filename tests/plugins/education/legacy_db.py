"""A legacy school-management database, as the province's schools software keeps it.

Vietnamese column names, a pupil's school and grade known only through the class, sex as 1/0,
statuses as text, a teachers summary table with counts, one row per exam candidate, the
universal-education survey by commune — and the faults real registers have: a school filed
under a commune code the 2025 reform retired, one under a divided commune, one under no
commune, a class with no grade, a pupil in a class that does not exist, a negative count.

The expected figures of the tests are computed here by SQL ``GROUP BY`` in MariaDB, not by
the plugin's code.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import (
    Column,
    DateTime,
    Engine,
    Integer,
    MetaData,
    PrimaryKeyConstraint,
    SmallInteger,
    String,
    Table,
    text,
)

metadata = MetaData()
STAMP = "ngay_cap_nhat"

dm_truong = Table(
    "dm_truong",
    metadata,
    Column("ma_truong", String(20), primary_key=True),
    Column("ten_truong", String(200), nullable=False),
    Column("ma_xa", String(10)),
    Column("cap_hoc", String(40)),
    Column("trang_thai", SmallInteger, nullable=False),  # 1 đang hoạt động, 0 đã giải thể
    Column("dia_chi", String(300)),
    Column(STAMP, DateTime, nullable=False),
)
lop_hoc = Table(
    "lop_hoc",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("ma_truong", String(20), nullable=False),
    Column("ten_lop", String(20)),
    Column("khoi", SmallInteger),
    Column("nam_hoc", String(9), nullable=False),
    Column(STAMP, DateTime, nullable=False),
)
hoc_sinh = Table(
    "hoc_sinh",
    metadata,
    Column("ma_hs", String(20), primary_key=True),
    Column("ho_ten", String(100)),
    Column("gioi_tinh", SmallInteger),  # 1 nam, 0 nữ
    Column("lop_id", Integer),
    Column("trang_thai", String(20), nullable=False),
    Column(STAMP, DateTime, nullable=False),
)
bien_che_gv = Table(
    "bien_che_gv",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("ma_truong", String(20), nullable=False),
    Column("gioi_tinh", String(5)),  # Nam / Nữ
    Column("so_luong", Integer),
    Column(STAMP, DateTime, nullable=False),
)
ket_qua_thi = Table(
    "ket_qua_thi",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("ma_truong", String(20), nullable=False),
    Column("so_bao_danh", String(12)),
    Column("nam_thi", SmallInteger, nullable=False),
    Column("ky_thi", String(50)),
    Column("gioi_tinh", SmallInteger),
    Column("ket_qua", String(20)),  # Đỗ / Trượt
    Column(STAMP, DateTime, nullable=False),
)
pho_cap = Table(
    "pho_cap",
    metadata,
    Column("ma_xa", String(10), nullable=False),
    Column("nam", SmallInteger, nullable=False),
    Column("do_tuoi", String(20), nullable=False),
    Column("so_tre", Integer),
    Column(STAMP, DateTime, nullable=False),
    PrimaryKeyConstraint("ma_xa", "nam", "do_tuoi"),
)

LAST_CHANGE = datetime(2026, 10, 1, 8, 0, 0)
"""The newest modification time in each table: one row of school K01 carries it (of K05, the
only school with exam results, in ket_qua_thi); every other row is older."""
LEVEL_GRADES = {
    "TH": range(1, 6),
    "THCS": range(6, 10),
    "THPT": range(10, 13),
    "TH&THCS": range(1, 10),
}


@dataclass(frozen=True)
class LegacySchool:
    code: str
    name: str
    commune: str | None
    level: str
    open: bool = True


SCHOOLS = [
    LegacySchool("K01", "Trường Tiểu học Quang Trung", "23281", "TH"),  # retired → 23293
    LegacySchool("K02", "Trường Tiểu học Quyết Thắng", "23287", "TH"),  # retired → 23293
    LegacySchool("K03", "Trường THCS Thắng Lợi", "23293", "THCS"),  # the code lives on
    LegacySchool("K04", "Trường PTDTBT TH và THCS Đăk Blà", "23302", "TH&THCS"),
    LegacySchool("K05", "Trường THPT Kon Tum", "23293", "THPT"),
    LegacySchool("K06", "Trường Tiểu học Hòa Bình", "99999", "TH"),  # no such commune
    LegacySchool("K07", "Trường THCS Trà Bùi", "21142", "THCS"),  # divided in 2025
    LegacySchool("K08", "Trường Tiểu học Ngọk Bay", None, "TH"),  # no commune at all
    LegacySchool("K09", "Trường Tiểu học Kroong", "23314", "TH", open=False),  # closed
]
PLACEABLE = ["K01", "K02", "K03", "K04", "K05", "K09"]
"""The schools the hub can place (K06, K07 and K08 cannot be)."""
SUCCESSOR_OF = {
    "23281": "23293",
    "23287": "23293",
    "23293": "23293",
    "23302": "23302",
    "23314": "23317",
}
"""Each placeable school's commune code → the 2025 commune it lies in."""
NO_GRADE_CLASS_PUPILS = 3
ORPHAN_PUPILS = 2


def reset(engine: Engine, school_year: int, seed: int = 5) -> None:
    """Drop and create the tables, and fill them for ``school_year`` and the year before."""
    metadata.drop_all(engine)
    metadata.create_all(engine)
    rows = Seeder(random.Random(seed), school_year).rows()
    with engine.begin() as connection:
        for table, values in rows.items():
            if values:
                connection.execute(table.insert(), values)


class Seeder:
    """Deterministic rows of every table."""

    def __init__(self, rng: random.Random, school_year: int) -> None:
        self.rng = rng
        self.years = (school_year - 1, school_year)
        self.pupil_number = 0
        self.class_id = 0
        self.first_class: dict[str, int] = {}
        """School → its first class of this school year."""
        self.out: dict[Table, list[dict[str, Any]]] = {t: [] for t in metadata.sorted_tables}

    def stamp(self) -> datetime:
        """A modification time before LAST_CHANGE, so that only K01's row ties with it."""
        days, minutes = self.rng.randint(1, 60), self.rng.randint(0, 600)
        return LAST_CHANGE - timedelta(days=days, minutes=minutes)

    def rows(self) -> dict[Table, list[dict[str, Any]]]:
        for school in SCHOOLS:
            self.school(school)
        self.faults()
        self.exams()
        self.population()
        self.mark_newest()
        return self.out

    def school(self, school: LegacySchool) -> None:
        stamp = self.stamp()
        self.out[dm_truong].append(
            {
                "ma_truong": school.code,
                "ten_truong": school.name,
                "ma_xa": school.commune,
                "cap_hoc": school.level,
                "trang_thai": int(school.open),
                "dia_chi": f"Kon Tum ({school.commune})",
                STAMP: stamp,
            }
        )
        for year in self.years:
            for grade in LEVEL_GRADES[school.level]:
                for number in range(self.rng.choice((1, 1, 2))):
                    self.klass(school.code, grade, year, f"{grade}A{number + 1}")
        for sex in ("Nam", "Nữ"):
            self.out[bien_che_gv].append(
                {
                    "ma_truong": school.code,
                    "gioi_tinh": sex,
                    "so_luong": self.rng.randint(3, 25),
                    STAMP: self.stamp(),
                }
            )

    def klass(self, school: str, grade: int | None, year: int, name: str, pupils: int = 0) -> int:
        self.class_id += 1
        if year == self.years[1]:
            self.first_class.setdefault(school, self.class_id)
        self.out[lop_hoc].append(
            {
                "id": self.class_id,
                "ma_truong": school,
                "ten_lop": name,
                "khoi": grade,
                "nam_hoc": f"{year}-{year + 1}",
                STAMP: self.stamp(),
            }
        )
        status = "Đang học" if pupils else None
        for _ in range(pupils or self.rng.randint(6, 18)):
            self.pupil(self.class_id, status=status)
        return self.class_id

    def pupil(self, class_id: int, sex: int | None = -1, status: str | None = None) -> str:
        self.pupil_number += 1
        code = f"HS{self.pupil_number:05d}"
        status = (
            status
            or self.rng.choices(["Đang học", "Thôi học", "Chuyển trường"], weights=[90, 6, 4])[0]
        )
        self.out[hoc_sinh].append(
            {
                "ma_hs": code,
                "ho_ten": f"Học sinh {self.pupil_number}",
                "gioi_tinh": self.rng.randint(0, 1) if sex == -1 else sex,
                "lop_id": class_id,
                "trang_thai": status,
                STAMP: self.stamp(),
            }
        )
        return code

    def mark_newest(self) -> None:
        """Give one row of each table the newest time (see LAST_CHANGE)."""
        of_k01 = {row["id"] for row in self.out[lop_hoc] if row["ma_truong"] == "K01"}
        first = {
            dm_truong: lambda row: row["ma_truong"] == "K01",
            lop_hoc: lambda row: row["ma_truong"] == "K01",
            hoc_sinh: lambda row: row["lop_id"] in of_k01,
            bien_che_gv: lambda row: row["ma_truong"] == "K01",
            ket_qua_thi: lambda row: True,
            pho_cap: lambda row: True,
        }
        for table, wanted in first.items():
            next(row for row in self.out[table] if wanted(row))[STAMP] = LAST_CHANGE

    def faults(self) -> None:
        """The rows the tests expect in quarantine."""
        self.klass("K04", None, self.years[1], "Ghép", pupils=NO_GRADE_CLASS_PUPILS)
        for _ in range(ORPHAN_PUPILS):
            self.pupil(999_999, status="Đang học")  # a class that does not exist
        self.pupil(self.first_class["K01"], sex=None, status="Đang học")  # no sex
        self.pupil(self.first_class["K01"], sex=7, status="Đang học")  # a sex nobody knows
        self.out[bien_che_gv].append(
            {
                "ma_truong": "K03",
                "gioi_tinh": "Nam",
                "so_luong": -2,
                STAMP: self.stamp(),
            }
        )

    def exams(self) -> None:
        for year in (self.years[1] - 1, self.years[1]):
            for number in range(self.rng.randint(30, 45)):
                self.out[ket_qua_thi].append(
                    {
                        "ma_truong": "K05",
                        "so_bao_danh": f"{year}{number:04d}",
                        "nam_thi": year,
                        "ky_thi": "TN THPT",
                        "gioi_tinh": self.rng.randint(0, 1),
                        "ket_qua": self.rng.choices(["Đỗ", "Trượt"], weights=[95, 5])[0],
                        STAMP: self.stamp(),
                    }
                )

    def population(self) -> None:
        for commune in ("23293", "23302"):
            for band in ("6-10", "11-14", "15-17"):
                self.out[pho_cap].append(
                    {
                        "ma_xa": commune,
                        "nam": self.years[1],
                        "do_tuoi": band,
                        "so_tre": self.rng.randint(200, 900),
                        STAMP: self.stamp(),
                    }
                )


def config(url: str, **changes: Any) -> dict[str, Any]:
    """The ``[connectors.<id>]`` table mapping this database, with ``changes`` on top."""
    table = {
        "plugin": "education",
        "kind": "sql",
        "url": url,
        "sexes": {"1": "male", "0": "female"},
        "lookback_seconds": 0,
        "schools": {
            "table": "dm_truong",
            "id": "ma_truong",
            "name": "ten_truong",
            "commune": "ma_xa",
            "level": "cap_hoc",
            "active": {"trang_thai": [1]},
            "attributes": {"address": "dia_chi"},
            "modified": STAMP,
        },
        "classes": {
            "table": "lop_hoc",
            "id": "id",
            "school": "ma_truong",
            "grade": "khoi",
            "school_year": "nam_hoc",
            "modified": STAMP,
        },
        "pupils": {
            "table": "hoc_sinh",
            "class": "lop_id",
            "sex": "gioi_tinh",
            "only": {"trang_thai": ["Đang học"]},
            "modified": STAMP,
        },
        "teachers": {
            "table": "bien_che_gv",
            "school": "ma_truong",
            "sex": "gioi_tinh",
            "count": "so_luong",
            "modified": STAMP,
        },
        "results": {
            "table": "ket_qua_thi",
            "school": "ma_truong",
            "year": "nam_thi",
            "exam": "ky_thi",
            "sex": "gioi_tinh",
            "result": "ket_qua",
            "modified": STAMP,
        },
        "population": {
            "table": "pho_cap",
            "commune": "ma_xa",
            "year": "nam",
            "level": "do_tuoi",
            "count": "so_tre",
            "modified": STAMP,
        },
    }
    return {**table, **changes}


SEX = {1: "male", 0: "female", "Nam": "male", "Nữ": "female"}


def expected_pupils(engine: Engine, school_year: int) -> dict[tuple[str, str, str], int]:
    """(school, grade, sex) → pupils enrolled now: placeable open schools, this school year."""
    rows = query(
        engine,
        """
        SELECT l.ma_truong, l.khoi, h.gioi_tinh, COUNT(*)
        FROM hoc_sinh h
        JOIN lop_hoc l ON l.id = h.lop_id
        JOIN dm_truong t ON t.ma_truong = l.ma_truong
        WHERE h.trang_thai = 'Đang học' AND l.nam_hoc = :year AND t.trang_thai = 1
          AND l.khoi IS NOT NULL AND h.gioi_tinh IN (0, 1)
        GROUP BY l.ma_truong, l.khoi, h.gioi_tinh
    """,
        year=f"{school_year}-{school_year + 1}",
    )
    return {(school, str(grade), SEX[sex]): n for school, grade, sex, n in rows}


def expected_classes(engine: Engine, school_year: int) -> dict[tuple[str, str], int]:
    rows = query(
        engine,
        """
        SELECT l.ma_truong, l.khoi, COUNT(*)
        FROM lop_hoc l JOIN dm_truong t ON t.ma_truong = l.ma_truong
        WHERE l.nam_hoc = :year AND t.trang_thai = 1 AND l.khoi IS NOT NULL
        GROUP BY l.ma_truong, l.khoi
    """,
        year=f"{school_year}-{school_year + 1}",
    )
    return {(school, str(grade)): n for school, grade, n in rows}


def expected_teachers(engine: Engine) -> dict[tuple[str, str], int]:
    rows = query(
        engine,
        """
        SELECT g.ma_truong, g.gioi_tinh, SUM(g.so_luong)
        FROM bien_che_gv g JOIN dm_truong t ON t.ma_truong = g.ma_truong
        WHERE t.trang_thai = 1 AND g.so_luong >= 0
        GROUP BY g.ma_truong, g.gioi_tinh
    """,
    )
    return {(school, SEX[sex]): int(n) for school, sex, n in rows}


def expected_exams(engine: Engine) -> dict[tuple[str, str, str], tuple[int, int]]:
    """(school, year, sex) → (candidates, passes)."""
    rows = query(
        engine,
        """
        SELECT ma_truong, nam_thi, gioi_tinh, COUNT(*), SUM(ket_qua = 'Đỗ')
        FROM ket_qua_thi GROUP BY ma_truong, nam_thi, gioi_tinh
    """,
    )
    return {(school, str(year), SEX[sex]): (n, int(p)) for school, year, sex, n, p in rows}


def expected_population(engine: Engine) -> dict[tuple[str, str, str], int]:
    """(commune, year, level) → children of the level's school age."""
    level = {"6-10": "primary", "11-14": "lower_secondary", "15-17": "upper_secondary"}
    rows = query(
        engine, "SELECT ma_xa, nam, do_tuoi, SUM(so_tre) FROM pho_cap GROUP BY ma_xa, nam, do_tuoi"
    )
    return {(commune, str(year), level[band]): int(n) for commune, year, band, n in rows}


def query(engine: Engine, sql: str, **params: Any) -> list[tuple[Any, ...]]:
    with engine.connect() as connection:
        return [tuple(row) for row in connection.execute(text(sql), params)]


def execute(engine: Engine, sql: str, **params: Any) -> None:
    with engine.begin() as connection:
        connection.execute(text(sql), params)
