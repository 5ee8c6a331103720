"""Numbers written as text, read by the convention of whoever wrote them.

Vietnamese writes ``1.234.567,5`` (dots group thousands, a comma marks the decimals); English
writes ``1,234,567.5``. The same text can mean numbers a thousand times apart: ``178.771`` is
178,771 people in a Vietnamese yearbook and 178.771 in an English one. So every source says its
convention, and :func:`parse_number` reads a text by it:

- a text that only one reading fits is read that way, whatever the convention: ``12,5`` and
  ``12.5`` are both twelve and a half (one mark, not followed by a group of three digits, can
  only be the decimal mark); ``1.234,5`` and ``1,234.5`` both have their decimal mark last;
  ``1.234.567`` can only be grouped thousands;
- a text both readings fit (one mark followed by exactly three digits: ``1.234``, ``1,234``)
  is read by the source's convention, and refused as ambiguous when the convention is unknown:
  never guessed.

Spaces (also non-breaking and thin ones) may group thousands; a leading sign and an exponent
(``1E6``, ``1.5e-3``) are read. Every plugin, ``iochub import`` and the report forms read
text numbers through this module.
"""

from __future__ import annotations

import math
import re
from enum import StrEnum
from typing import Any


class NumberConvention(StrEnum):
    """How a source writes numbers as text."""

    VI = "vi"
    """``1.234.567,5``: dots group thousands, a comma marks the decimals."""
    EN = "en"
    """``1,234,567.5``: commas group thousands, a dot marks the decimals."""


DECIMAL_MARK = {NumberConvention.VI: ",", NumberConvention.EN: "."}


class NumberError(ValueError):
    """A text that is not a number (the message says why, in the user's words)."""


class AmbiguousNumber(NumberError):
    """A text that reads as two different numbers, with no convention to choose between them."""


_SPACES = re.compile(r"[\s\u00a0\u202f\u2009]+")
_SIGN = re.compile(r"([+-]?)(.*)", re.DOTALL)
_EXPONENT = re.compile(r"(\d+\.?\d*|\.\d+)[eE][+-]?\d+")
_DIGITS = re.compile(r"\d+")
_FRACTION = re.compile(r"\d*")
_GROUP_OF_THREE = re.compile(r"[1-9]\d{0,2}")


def parse_number(value: Any, convention: NumberConvention | str | None = None) -> float | None:
    """``value`` as a finite number; None for None or blank text.

    A number passes as it is; a text is read by ``convention`` (see the module's docstring).
    Raises :class:`NumberError` (:class:`AmbiguousNumber` when only a convention could tell)
    saying why it is not a number.
    """
    if value is None:
        return None
    if isinstance(value, bool):
        raise NumberError(f"{value!r} is not a number")
    if isinstance(value, int | float):
        return _finite(float(value), value)
    if not isinstance(value, str):
        raise NumberError(f"{value!r} is not a number")
    text = value.strip().replace("\u2212", "-")  # a typographic minus, as Word writes it
    if not text:
        return None
    sign, body = _SIGN.fullmatch(text).groups()  # type: ignore[union-attr]
    number = _unsigned(_without_space_groups(body, text), _convention(convention), text)
    return _finite(-number if sign == "-" else number, value)


def _unsigned(body: str, convention: NumberConvention | None, text: str) -> float:
    if _DIGITS.fullmatch(body) or _EXPONENT.fullmatch(body):
        return float(body)
    if "," in body and "." in body:
        return _both_marks(body, text)
    mark = "," if "," in body else "."
    if body.count(mark) > 1:
        return float(_grouped(body, mark, text))
    head, _, tail = body.partition(mark)
    if not (_FRACTION.fullmatch(head) and _FRACTION.fullmatch(tail) and (head or tail)):
        raise NumberError(f"{text!r} is not a number")
    if _GROUP_OF_THREE.fullmatch(head) and len(tail) == 3:
        return _one_group_of_three(head, tail, mark, convention, text)
    return float(f"{head or 0}.{tail or 0}")  # only a decimal mark fits: "12,5", "1234.5", "1."


def _without_space_groups(body: str, text: str) -> str:
    """``1 234 567,5`` as ``1234567,5``: spaces may only group thousands."""
    if not _SPACES.search(body):
        return body
    groups = _SPACES.split(body)
    last = groups[-1]
    if (
        _GROUP_OF_THREE.fullmatch(groups[0])
        and all(len(group) == 3 and group.isdigit() for group in groups[1:-1])
        and len(last) >= 3
        and last[:3].isdigit()
        and (len(last) == 3 or last[3] in ".,")
    ):
        return "".join(groups)
    raise NumberError(f"{text!r} is not a number (spaces may only group thousands)")


def _grouped(whole: str, mark: str, text: str) -> str:
    """``1.234.567`` as ``1234567``: groups of three after a first group of one to three."""
    first, *rest = whole.split(mark)
    if _GROUP_OF_THREE.fullmatch(first) and all(len(g) == 3 and g.isdigit() for g in rest):
        return first + "".join(rest)
    raise NumberError(f"{text!r} is not a number (its thousands are not grouped by three)")


def _both_marks(body: str, text: str) -> float:
    """``1.234,5`` or ``1,234.5``: the last mark is the decimal one, the other groups."""
    decimal = "," if body.rfind(",") > body.rfind(".") else "."
    whole, _, fraction = body.rpartition(decimal)
    if decimal in whole or not _DIGITS.fullmatch(fraction):
        raise NumberError(f"{text!r} is not a number")
    return float(_grouped(whole, "." if decimal == "," else ",", text) + "." + fraction)


def _one_group_of_three(
    head: str, tail: str, mark: str, convention: NumberConvention | None, text: str
) -> float:
    """``1.234`` or ``1,234``: a thousand and some, or one and a fraction, by the convention."""
    if convention is None:
        raise AmbiguousNumber(
            f"{text!r} is ambiguous: {head}{tail} or {head}.{tail}, "
            "and the source's number convention is not set"
        )
    return float(f"{head}.{tail}" if mark == DECIMAL_MARK[convention] else head + tail)


def _convention(convention: NumberConvention | str | None) -> NumberConvention | None:
    if convention is None or isinstance(convention, NumberConvention):
        return convention
    try:
        return NumberConvention(convention)
    except ValueError:
        choices = ", ".join(repr(c.value) for c in NumberConvention)
        raise NumberError(f"unknown number convention {convention!r} (one of {choices})") from None


def _finite(number: float, value: Any) -> float:
    if not math.isfinite(number):
        raise NumberError(f"{value!r} is not a finite number")
    return number
