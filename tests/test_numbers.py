"""Numbers written as text by either convention, read back."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hub.numbers import AmbiguousNumber, NumberConvention, NumberError, parse_number

VI, EN = NumberConvention.VI, NumberConvention.EN


@pytest.mark.parametrize(
    ("text", "convention", "expected"),
    [
        ("178.771", VI, 178771),  # a yearbook's population, thousands grouped by a dot
        ("178.771", EN, 178.771),
        ("1.595,4", VI, 1595.4),
        ("1.595,4", EN, 1595.4),  # both marks: the last is the decimal one, whatever is set
        ("1,234,567.5", VI, 1234567.5),
        ("1.234.567", EN, 1234567),  # repeated, a mark can only group
        ("12,5", VI, 12.5),
        ("12,5", EN, 12.5),  # not followed by three digits: only a decimal mark fits
        ("12.5", VI, 12.5),
        ("0,125", None, 0.125),  # a lone 0 is not a group of thousands
        ("1234.567", VI, 1234.567),
        ("1 234 567,5", VI, 1234567.5),
        ("1\u00a0234", None, 1234),
        ("\u22122,5", VI, -2.5),
        ("+7", None, 7),
        ("1E6", None, 1e6),
        ("1.5e-3", EN, 0.0015),
        (" 42 ", None, 42),
        ("1.", None, 1),
        (12, None, 12),
        (12.5, VI, 12.5),
    ],
)
def test_a_text_is_read_by_its_convention(text: object, convention, expected: float) -> None:
    assert parse_number(text, convention) == expected


@pytest.mark.parametrize("text", ["1.234", "1,234", "-999.000"])
def test_one_mark_before_three_digits_is_never_guessed(text: str) -> None:
    with pytest.raises(AmbiguousNumber, match="ambiguous"):
        parse_number(text)


@pytest.mark.parametrize(
    "text",
    ["abc", "1,2,3", "1.23.4", "1,234.5,6", "12 5", "nan", "inf", "1e999", ".", "-", "1..2"],
)
def test_what_is_not_a_number_is_refused_saying_so(text: str) -> None:
    with pytest.raises(NumberError, match="not a"):
        parse_number(text, VI)


def test_blank_is_no_value_and_a_boolean_is_not_a_number() -> None:
    assert parse_number(None) is None and parse_number("  ") is None
    with pytest.raises(NumberError):
        parse_number(True)
    with pytest.raises(NumberError, match="unknown number convention"):
        parse_number("1", "fr")


def written(number: Decimal, convention: NumberConvention, grouped: bool) -> str:
    """``number`` as a person of that convention writes it (independent of the parser)."""
    whole, _, fraction = f"{abs(number):f}".partition(".")
    group, decimal = (".", ",") if convention is VI else (",", ".")
    if grouped:
        whole = f"{int(whole):,}".replace(",", group)
    text = whole + (decimal + fraction if fraction else "")
    return ("-" if number < 0 else "") + text


@given(
    number=st.decimals(min_value=-(10**12), max_value=10**12, places=3, allow_nan=False),
    convention=st.sampled_from(list(NumberConvention)),
    grouped=st.booleans(),
)
def test_any_number_written_by_a_convention_reads_back(
    number: Decimal, convention: NumberConvention, grouped: bool
) -> None:
    assert parse_number(written(number, convention, grouped), convention) == float(number)
