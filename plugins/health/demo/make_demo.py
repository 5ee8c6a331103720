"""Write the health plugin's demo sources for Kon Tum province (2024).

    python plugins/health/demo/make_demo.py

writes, next to this script:

- ``kontum-fhir.ndjson``: FHIR R4 resources, one a line (as a FHIR Bulk Data export writes
  them), read by the ``fhir`` kind from the file: the health facilities (the provincial general
  hospital in Kon Tum city, the ten district health centres, twenty commune health stations,
  and the hospital's emergency department as a Location), patients with their home commune,
  and their encounters, immunisations (the expanded programme's infant schedule) and
  diagnoses of 2024 — dengue with its rainy-season peak, hand-foot-mouth disease in spring and
  autumn, measles at the end of the year, and everyday diagnoses that are not notifiable;
- ``kontum-dhis2.json``: the facilities' aggregate reports as a DHIS2 data value set — beds
  and inpatient days (monthly) of the hospital and the district health centres, and the
  immunisation targets (yearly: the infants born a year) of the communes whose stations
  record immunisations;
- ``kontum-dhis2-org-units.json``: which commune (and facility) each DHIS2 org unit is, for
  the demo connector's config.

Facilities give their commune as Vietnam's VN Core address extension (GSO codes), except two
district health centres known by their address text only, and one commune health station
without an address (placed by the config's ``facility_units``). Three records are faulty on
purpose, as a real export has some: two encounters without a start date and an immunisation
at a facility the directory does not hold. They show up in quarantine.

NOTE: the data are illustrative, not official statistics: names and addresses follow the
province's real facilities and communes (codes of the 3-level system in force in 2024), and the
figures are drawn from a seeded random generator, so that the same script always writes
byte-identical files. They are consistent rather than large: the immunisation records are a
few infants per commune, and the targets are those infants' cohorts, so that coverage comes
out as it would (about 90 %); beds and inpatient days give occupancies of 78–98 %.
"""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
FHIR_FILE = HERE / "kontum-fhir.ndjson"
DHIS2_FILE = HERE / "kontum-dhis2.json"
ORG_UNITS_FILE = HERE / "kontum-dhis2-org-units.json"

ICT = timezone(timedelta(hours=7))
YEAR = 2024
SYSTEM = "https://fhir.kontum.example.vn"
VN_CORE_ADDRESS = (
    "http://fhir.ehealth.gov.vn/core/StructureDefinition/extension-administrative-address"
)
ACT_CODE = "http://terminology.hl7.org/CodeSystem/v3-ActCode"
ICD10 = "http://hl7.org/fhir/sid/icd-10"
CVX = "http://hl7.org/fhir/sid/cvx"

# District (GSO code, name, seat commune code, seat commune name)
DISTRICTS = [
    ("608", "Thành phố Kon Tum", "23287", "Phường Quyết Thắng"),
    ("610", "Huyện Đắk Glei", "23341", "Thị trấn Đắk Glei"),
    ("611", "Huyện Ngọc Hồi", "23377", "Thị trấn Plei Kần"),
    ("612", "Huyện Đắk Tô", "23401", "Thị trấn Đắk Tô"),
    ("613", "Huyện Kon Plông", "23473", "Thị trấn Măng Đen"),
    ("614", "Huyện Kon Rẫy", "23479", "Thị trấn Đắk Rve"),
    ("615", "Huyện Đắk Hà", "23500", "Thị trấn Đắk Hà"),
    ("616", "Huyện Sa Thầy", "23527", "Thị trấn Sa Thầy"),
    ("617", "Huyện Tu Mơ Rông", "23425", "Xã Đắk Hà"),
    ("618", "Huyện Ia H' Drai", "23538", "Xã Ia Tơi"),
]
# Communes with a health station in the demo: (GSO code, name, district code)
STATIONS = [
    ("23281", "Phường Quang Trung", "608"),
    ("23302", "Phường Lê Lợi", "608"),
    ("23311", "Xã Đắk Cấm", "608"),
    ("23326", "Xã Ia Chim", "608"),
    ("23338", "Xã Hòa Bình", "608"),
    ("23341", "Thị trấn Đắk Glei", "610"),
    ("23359", "Xã Xốp", "610"),
    ("23377", "Thị trấn Plei Kần", "611"),
    ("23383", "Xã Đắk Dục", "611"),
    ("23401", "Thị trấn Đắk Tô", "612"),
    ("23437", "Xã Tân Cảnh", "612"),
    ("23473", "Thị trấn Măng Đen", "613"),
    ("23476", "Xã Hiếu", "613"),
    ("23479", "Thị trấn Đắk Rve", "614"),
    ("23500", "Thị trấn Đắk Hà", "615"),
    ("23521", "Xã Hà Mòn", "615"),
    ("23527", "Thị trấn Sa Thầy", "616"),
    ("23536", "Xã Mô Rai", "616"),
    ("23425", "Xã Đắk Hà", "617"),
    ("23538", "Xã Ia Tơi", "618"),
]
HOSPITAL_COMMUNE = "23281"  # Phường Quang Trung, Kon Tum city
TEXT_ADDRESSED = {"615", "616"}  # district health centres known by address text only
UNADDRESSED_STATION = "23536"  # Mô Rai: placed by the config's facility_units

# The infant schedule of the expanded programme: (CVX code, name, dose, age in days)
SCHEDULE = [
    ("19", "BCG", 1, 0),
    ("08", "Viêm gan B sơ sinh", 1, 0),
    ("102", "DPT-VGB-Hib", 1, 60),
    ("02", "OPV", 1, 60),
    ("102", "DPT-VGB-Hib", 2, 90),
    ("02", "OPV", 2, 90),
    ("102", "DPT-VGB-Hib", 3, 120),
    ("02", "OPV", 3, 120),
    ("04", "Sởi - Rubella", 1, 270),
]
# Diagnoses: (ICD-10 code, name, monthly weights Jan..Dec, how many in the year)
DIAGNOSES = [
    ("A91", "Sốt xuất huyết Dengue", [1, 1, 1, 1, 3, 6, 10, 14, 12, 7, 3, 1], 110),
    ("A97.0", "Dengue không có dấu hiệu cảnh báo", [0, 0, 0, 0, 1, 2, 4, 6, 5, 3, 1, 0], 30),
    ("B08.4", "Bệnh tay chân miệng", [2, 3, 6, 7, 6, 3, 2, 2, 5, 6, 4, 2], 45),
    ("B05.9", "Bệnh sởi", [0, 0, 0, 0, 0, 0, 0, 1, 2, 4, 6, 7], 20),
    ("J06.9", "Nhiễm khuẩn hô hấp trên cấp", [4, 4, 3, 2, 2, 2, 2, 2, 3, 3, 4, 5], 40),
    ("E11.9", "Đái tháo đường type 2", [1] * 12, 15),
]


def main() -> None:
    demo = Demo(random.Random(62))
    resources = list(demo.resources())
    FHIR_FILE.write_text("".join(_line(r) for r in resources), encoding="utf-8")
    DHIS2_FILE.write_text(_pretty(demo.data_value_set()), encoding="utf-8")
    ORG_UNITS_FILE.write_text(_pretty(demo.org_units()), encoding="utf-8")
    print(
        f"wrote {FHIR_FILE.name} ({len(resources)} resources), {DHIS2_FILE.name}, "
        f"{ORG_UNITS_FILE.name}"
    )


class Demo:
    """The demo's facilities, people and what happened to them, from one seeded generator."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.facilities = list(_facilities())
        self.patients = [self._patient(n) for n in range(1, 251)]
        self.encounters: list[dict[str, Any]] = []
        self.births = {code: self.rng.randint(2, 4) for code, _, _ in STATIONS}
        """Infants born a year in each commune with a station: the immunisation target."""

    def resources(self) -> Iterator[dict[str, Any]]:
        for facility in self.facilities:
            yield facility["resource"]
        yield _emergency_department()
        for patient in self.patients:
            yield patient["resource"]
        yield from self._encounters()
        yield from self._immunizations()
        yield from self._conditions()

    # -- people -----------------------------------------------------------------------------

    def _patient(self, number: int) -> dict[str, Any]:
        commune, district = self.rng.choice([(code, d) for code, _, d in STATIONS])
        elsewhere = _other_communes(district)
        if elsewhere and self.rng.random() < 0.3:
            commune = self.rng.choice(elsewhere)
        born = date(self.rng.randint(1950, 2022), self.rng.randint(1, 12), self.rng.randint(1, 28))
        resource = {
            "resourceType": "Patient",
            "id": f"bn-{number:04d}",
            "meta": _meta(datetime(2023, 12, 1, 8, tzinfo=ICT) + timedelta(minutes=number)),
            "gender": self.rng.choice(["male", "female"]),
            "birthDate": born.isoformat(),
            "address": [{"use": "home", **_coded_address(commune)}],
        }
        return {"resource": resource, "commune": commune, "district": district}

    # -- encounters -------------------------------------------------------------------------

    def _encounters(self) -> Iterator[dict[str, Any]]:
        for number in range(1, 501):
            patient = self.rng.choice(self.patients)
            facility = self._facility_for(patient)
            start = _moment(self.rng, self._day(None))
            yield self._encounter(number, patient, facility, start)
        for number in (501, 502):  # faulty on purpose: no start date
            encounter = self._encounter(
                number,
                self.patients[number % 250],
                self.facilities[0],
                _moment(self.rng, date(YEAR, 5, 4)),
            )
            del encounter["period"]
            yield encounter

    def _encounter(
        self, number: int, patient: dict[str, Any], facility: dict[str, Any], start: datetime
    ) -> dict[str, Any]:
        klass = (
            "AMB"
            if facility["kind"] == "commune_health_station"
            else self.rng.choices(["AMB", "EMER", "IMP"], [70, 12, 18])[0]
        )
        status = self.rng.choices(["finished", "cancelled", "entered-in-error"], [96, 3, 1])[0]
        hours = self.rng.randint(72, 240) if klass == "IMP" else 1
        resource = {
            "resourceType": "Encounter",
            "id": f"kb-{number:05d}",
            "meta": _meta(start + timedelta(hours=hours, minutes=30)),
            "status": status,
            "class": {"system": ACT_CODE, "code": klass},
            "subject": {"reference": f"Patient/{patient['resource']['id']}"},
            "period": {"start": _instant(start), "end": _instant(start + timedelta(hours=hours))},
            "serviceProvider": {"reference": facility["key"]},
        }
        self.encounters.append({"resource": resource, "patient": patient, "start": start})
        return resource

    def _facility_for(self, patient: dict[str, Any]) -> dict[str, Any]:
        station = next(
            (
                f
                for f in self.facilities
                if f.get("commune") == patient["commune"] and f["kind"] == "commune_health_station"
            ),
            None,
        )
        centre = next(
            f
            for f in self.facilities
            if f.get("district") == patient["district"] and f["kind"] == "district_health_centre"
        )
        choice = self.rng.choices(["station", "centre", "hospital"], [50, 30, 20])[0]
        if choice == "station" and station:
            return station
        return centre if choice == "centre" else self.facilities[0]

    # -- immunisations ----------------------------------------------------------------------

    def _immunizations(self) -> Iterator[dict[str, Any]]:
        """The doses given in the year to the infants of the last two years' cohorts: in a
        steady state, as many as one cohort, so that coverage is doses over births."""
        number = 0
        for infant, (commune, born) in enumerate(self._infants(), start=1):
            station = next(f for f in self.facilities if f.get("commune") == commune)
            for cvx, name, dose, age in SCHEDULE:
                given = born + timedelta(days=age + self.rng.randint(0, 20))
                if given.year != YEAR or self.rng.random() < 0.06:
                    continue  # given outside the year, or missed
                number += 1
                yield _immunization(
                    number,
                    f"tre-{infant:03d}",
                    station["key"],
                    cvx,
                    name,
                    dose,
                    _moment(self.rng, given),
                    self.rng,
                )
        yield _immunization(
            number + 1,
            "tre-001",
            "Organization/tyt-99999",
            "19",
            "BCG",
            1,
            _moment(self.rng, date(YEAR, 3, 8)),
            self.rng,
        )  # unknown facility

    def _infants(self) -> Iterator[tuple[str, date]]:
        for commune, births in self.births.items():
            for _ in range(2 * births):
                yield commune, date(YEAR - 1, 1, 1) + timedelta(days=self.rng.randint(0, 730))

    # -- diagnoses --------------------------------------------------------------------------

    def _conditions(self) -> Iterator[dict[str, Any]]:
        """Each diagnosis with the visit it was made at, a few days after the onset."""
        number = 0
        for code, name, weights, count in DIAGNOSES:
            for _ in range(count):
                number += 1
                onset = self._day(weights)
                visit = self._visit(onset + timedelta(days=self.rng.randint(0, 3)))
                yield visit["resource"]
                yield self._condition(number, code, name, visit, onset)

    def _visit(self, day: date) -> dict[str, Any]:
        patient = self.rng.choice(self.patients)
        start = _moment(self.rng, day)
        number = 2000 + len(self.encounters)
        self._encounter(number, patient, self._facility_for(patient), start)
        visit = self.encounters[-1]
        visit["resource"]["status"] = "finished"
        return visit

    def _condition(
        self, number: int, code: str, name: str, visit: dict[str, Any], onset: date
    ) -> dict[str, Any]:
        verification = self.rng.choices(["confirmed", "provisional", "refuted"], [70, 27, 3])[0]
        recorded = visit["start"]
        return {
            "resourceType": "Condition",
            "id": f"cd-{number:04d}",
            "meta": _meta(recorded + timedelta(hours=2)),
            "verificationStatus": _concept(
                "http://terminology.hl7.org/CodeSystem/condition-ver-status", verification
            ),
            "code": {"coding": [{"system": ICD10, "code": code, "display": name}]},
            "subject": {"reference": f"Patient/{visit['patient']['resource']['id']}"},
            "encounter": {"reference": f"Encounter/{visit['resource']['id']}"},
            "onsetDateTime": onset.isoformat(),
            "recordedDate": _instant(recorded),
        }

    # -- DHIS2 ------------------------------------------------------------------------------

    def data_value_set(self) -> dict[str, Any]:
        values = []
        for facility in self.facilities:
            if facility["kind"] == "commune_health_station":
                continue
            hospital = facility["kind"] == "provincial_hospital"
            beds = 750 if hospital else self.rng.randint(5, 15) * 10
            for month in range(1, 13):
                period, org_unit = f"{YEAR}{month:02d}", facility["org_unit"]
                if month == 7:
                    beds += 50 if hospital else 10  # a new ward opens mid-year
                days = (date(YEAR + month // 12, month % 12 + 1, 1) - date(YEAR, month, 1)).days
                occupancy = self.rng.uniform(0.78, 0.98)
                values.append(_value("KtBeds0001", period, org_unit, beds))
                values.append(
                    _value("KtInpDays01", period, org_unit, round(beds * days * occupancy))
                )
        for commune, births in self.births.items():
            for combo in ("KtTgtBcg001", "KtTgtPenta3", "KtTgtMr0001"):
                values.append(_value("KtEpiTgt001", str(YEAR), commune, births, combo))
        return {"dataSet": "KtHealthRep", "completeDate": f"{YEAR + 1}-01-20", "dataValues": values}

    def org_units(self) -> dict[str, Any]:
        return {
            f["org_unit"]: {"unit": f["commune"], "dims": {"facility": f["key"]}}
            for f in self.facilities
            if f["kind"] != "commune_health_station"
        }

    # -- dates ------------------------------------------------------------------------------

    def _day(self, weights: list[int] | None) -> date:
        month = self.rng.choices(range(1, 13), weights or [1] * 12)[0]
        last = (date(YEAR + month // 12, month % 12 + 1, 1) - timedelta(days=1)).day
        return date(YEAR, month, self.rng.randint(1, last))


def _facilities() -> Iterator[dict[str, Any]]:
    yield _facility(
        "bvdk-tinh",
        "Bệnh viện Đa khoa tỉnh Kon Tum",
        "provincial_hospital",
        HOSPITAL_COMMUNE,
        "608",
        "KtBvdkTinh1",
    )
    for district, name, seat, seat_name in DISTRICTS:
        place = name.replace("Huyện ", "huyện ").replace("Thành phố", "thành phố")
        yield _facility(
            f"ttyt-{district}",
            f"Trung tâm Y tế {place}",
            "district_health_centre",
            seat,
            district,
            f"KtTtyt{district}0",
            text_only=district in TEXT_ADDRESSED,
            seat_name=seat_name,
            district_name=name,
        )
    for commune, name, district in STATIONS:
        place = name.replace("Phường", "phường").replace("Xã", "xã").replace("Thị trấn", "thị trấn")
        yield _facility(
            f"tyt-{commune}",
            f"Trạm Y tế {place}",
            "commune_health_station",
            commune,
            district,
            None,
            no_address=commune == UNADDRESSED_STATION,
        )


def _facility(
    ident: str,
    name: str,
    kind: str,
    commune: str,
    district: str,
    org_unit: str | None,
    *,
    text_only: bool = False,
    no_address: bool = False,
    seat_name: str = "",
    district_name: str = "",
) -> dict[str, Any]:
    resource: dict[str, Any] = {
        "resourceType": "Organization",
        "id": ident,
        "active": True,
        "name": name,
        "meta": _meta(datetime(2023, 11, 1, tzinfo=ICT)),
        "type": [_concept(f"{SYSTEM}/facility-type", kind)],
        "identifier": [{"system": f"{SYSTEM}/facility-code", "value": ident.upper()}],
    }
    if text_only:
        resource["address"] = [
            {
                "use": "work",
                "line": [seat_name],
                "district": district_name,
                "state": "Tỉnh Kon Tum",
                "country": "VN",
            }
        ]
    elif not no_address:
        resource["address"] = [{"use": "work", **_coded_address(commune, district)}]
    return {
        "resource": resource,
        "key": f"Organization/{ident}",
        "kind": kind,
        "commune": commune,
        "district": district,
        "org_unit": org_unit,
    }


def _emergency_department() -> dict[str, Any]:
    """A Location inside the hospital: placed through its managing organisation."""
    return {
        "resourceType": "Location",
        "id": "bvdk-cap-cuu",
        "meta": _meta(datetime(2023, 11, 1, tzinfo=ICT)),
        "status": "active",
        "name": "Khoa Cấp cứu - Bệnh viện Đa khoa tỉnh Kon Tum",
        "mode": "instance",
        "type": [_concept("http://terminology.hl7.org/CodeSystem/v3-RoleCode", "ER")],
        "managingOrganization": {"reference": "Organization/bvdk-tinh"},
        "position": {"latitude": 14.3537, "longitude": 108.0076},
    }


def _immunization(
    number: int,
    infant: str,
    facility: str,
    cvx: str,
    name: str,
    dose: int,
    given: datetime,
    rng: random.Random,
) -> dict[str, Any]:
    status = rng.choices(["completed", "not-done", "entered-in-error"], [97, 2, 1])[0]
    return {
        "resourceType": "Immunization",
        "id": f"tc-{number:04d}",
        "meta": _meta(given + timedelta(hours=1)),
        "status": status,
        "vaccineCode": {"coding": [{"system": CVX, "code": cvx}], "text": name},
        "patient": {"reference": f"Patient/{infant}"},
        "occurrenceDateTime": _instant(given),
        "primarySource": True,
        "location": {"reference": facility},
        "protocolApplied": [{"doseNumberPositiveInt": dose}],
    }


def _coded_address(commune: str, district: str | None = None) -> dict[str, Any]:
    """An address carrying its GSO codes in the VN Core extension (a patient's: the ward's)."""
    parts = [("state", "62"), ("district", district), ("ward", commune)]
    codes = [{"url": name, "valueCode": code} for name, code in parts if code]
    if district is None:
        codes = codes[-1:]
    return {"extension": [{"url": VN_CORE_ADDRESS, "extension": codes}], "country": "VN"}


def _other_communes(district: str) -> list[str]:
    """Communes without a station in the demo, where some patients live."""
    extra = {
        "608": ["23293", "23296", "23299"],
        "611": ["23392"],
        "615": ["23512"],
        "612": ["23434"],
        "610": ["23368"],
    }
    return extra.get(district, [])


def _value(
    element: str, period: str, org_unit: str, value: int, combo: str = "HllvX50cXC0"
) -> dict[str, Any]:
    return {
        "dataElement": element,
        "period": period,
        "orgUnit": org_unit,
        "categoryOptionCombo": combo,
        "attributeOptionCombo": "HllvX50cXC0",
        "value": str(value),
        "lastUpdated": f"{YEAR + 1}-01-15T09:00:00.000",
    }


def _concept(system: str, code: str) -> dict[str, Any]:
    return {"coding": [{"system": system, "code": code}]}


def _meta(moment: datetime) -> dict[str, Any]:
    return {"versionId": "1", "lastUpdated": _instant(moment)}


def _moment(rng: random.Random, day: date) -> datetime:
    return datetime(
        day.year, day.month, day.day, rng.randint(7, 16), rng.choice([0, 15, 30, 45]), tzinfo=ICT
    )


def _instant(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds")


def _line(resource: dict[str, Any]) -> str:
    return json.dumps(resource, ensure_ascii=False, separators=(",", ":")) + "\n"


def _pretty(document: Any) -> str:
    return json.dumps(document, ensure_ascii=False, indent=1) + "\n"


if __name__ == "__main__":
    main()
