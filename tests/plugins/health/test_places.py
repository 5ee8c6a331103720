"""Placing addresses and facilities in communes."""

from __future__ import annotations

from typing import Any

import pytest
from iochub_plugins.health.addresses import VN_CORE_ADDRESS, AddressReader, fold
from iochub_plugins.health.directory import Directory, Site

NAMES = {"Thắng Lợi, Kon Tum": "23293", "Xã Đăk Cấm": "23311"}
READER = AddressReader([VN_CORE_ADDRESS, "urn:ward"], NAMES)


def vn_core(*codes: tuple[str, str]) -> dict[str, Any]:
    return {
        "url": VN_CORE_ADDRESS,
        "extension": [{"url": name, "valueCode": code} for name, code in codes],
    }


@pytest.mark.parametrize(
    ("address", "commune"),
    [
        (
            {"extension": [vn_core(("state", "62"), ("district", "608"), ("ward", "23293"))]},
            "23293",
        ),
        ({"extension": [{"url": "urn:ward", "valueCoding": {"code": "23311"}}]}, "23311"),
        ({"extension": [{"url": "urn:ward", "valueString": " 23311 "}]}, "23311"),
        ({"line": ["12 Lê Lợi", "Thắng Lợi"], "city": "Kon Tum"}, "23293"),
        ({"city": "xa dak cam", "state": "Kon Tum"}, "23311"),
        ({"text": "Thôn 3, Xã Đắk Cấm, TP Kon Tum"}, "23311"),
        (
            [{"use": "old", "city": "Xã Đăk Cấm"}, {"line": ["Thắng Lợi"], "city": "KON TUM"}],
            "23293",
        ),
    ],
)
def test_an_address_is_placed_by_its_code_extension_or_its_names(
    address: Any, commune: str
) -> None:
    assert READER.commune(address).unit == commune


@pytest.mark.parametrize(
    ("address", "problem"),
    [
        (None, "no address"),
        ([{"use": "old", "city": "Xã Đăk Cấm"}], "no address"),
        (
            {"extension": [vn_core(("state", "62"), ("district", "608"))]},
            "address gives unit code 608 (a district), not a commune",
        ),
        ({"country": "VN"}, "address has no unit-code extension and no place names"),
        (
            {"city": "Thắng Lợi"},
            "address has no unit-code extension, and no part of 'Thắng Lợi' is in address_units",
        ),
    ],
)
def test_an_address_that_cannot_be_placed_says_why(address: Any, problem: str) -> None:
    placement = READER.commune(address)
    assert (placement.unit, placement.problem) == (None, problem)


def test_names_compare_without_case_diacritics_or_spacing() -> None:
    assert fold("  Xã  Đắk Cấm ") == fold("xa dak cam") == fold("XÃ ĐĂK CẤM") == "xa dak cam"


def organization(ident: str, **more: Any) -> dict[str, Any]:
    return {"resourceType": "Organization", "id": ident, "name": f"Org {ident}", **more}


def test_a_facility_is_placed_by_config_then_address_then_parent() -> None:
    directory = Directory(
        [
            organization("hospital", address=[{"city": "Xã Đăk Cấm"}]),
            organization("ward", partOf={"reference": "Organization/hospital"}),
            organization("moved", address=[{"city": "Xã Đăk Cấm"}]),
            {
                "resourceType": "Location",
                "id": "room",
                "name": "Room",
                "managingOrganization": {"reference": "Organization/ward"},
            },
        ],
        {"Organization/moved": "23293"},
        READER,
    )

    hospital = Site("Organization/hospital", "Org hospital", "23311")
    assert directory.site("Organization/hospital") == hospital
    assert directory.site("Location/room").unit == "23311"  # through its organisation's parent
    assert directory.site("Organization/moved").unit == "23293"
    assert directory.site("Organization/elsewhere") is None


def test_parents_that_loop_do_not_hang_and_the_reason_says_what_to_do() -> None:
    directory = Directory(
        [
            organization("a", partOf={"reference": "Organization/b"}),
            organization("b", partOf={"reference": "Organization/a"}),
        ],
        {},
        READER,
    )

    site = directory.site("Organization/a")

    assert site is not None and site.unit is None
    assert site.problem == "no commune (no address); map it in facility_units"


def test_a_facility_known_only_to_the_config_is_in_the_directory() -> None:
    directory = Directory([], {"Location/x": "23293"}, READER)

    assert directory.site("Location/x") == Site("Location/x", "Location/x", "23293")
