from datetime import date

import pytest

from hub.model.units import AdminLevel
from hub.units.codes import code_number, pad_code, unit_identity


@pytest.mark.parametrize("value", ["00097", "97", "97.0", " 97 ", 97, 97.0])
def test_a_code_is_the_number_it_stands_for(value: str | int | float) -> None:
    assert code_number(value) == 97


@pytest.mark.parametrize("value", ["", "abc", "9.5", "-1", True, float("nan")])
def test_what_is_not_a_whole_number_is_not_a_code(value: str | int | float) -> None:
    with pytest.raises(ValueError, match="not a GSO code"):
        code_number(value)


def test_codes_are_padded_to_their_levels_width() -> None:
    assert pad_code("1", AdminLevel.PROVINCE) == "01"
    assert pad_code(1, AdminLevel.DISTRICT) == "001"
    assert pad_code("1.0", AdminLevel.COMMUNE) == "00001"
    with pytest.raises(ValueError, match="more than 2 digits"):
        pad_code("101", AdminLevel.PROVINCE)


def test_an_identity_is_the_code_and_the_start() -> None:
    assert unit_identity("23293", date(2025, 7, 1)) == "23293@2025-07-01"
    assert unit_identity("23293", None) == "23293@"
