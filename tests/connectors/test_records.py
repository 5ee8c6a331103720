"""The kit's record helpers: read_each (BadInput raised while converting one record
quarantines that record only) and json_value."""

import pytest

from hub.connectors.errors import BadInput
from hub.connectors.records import BadRecord, Event, Skipped, json_value, read_each
from hub.timestamps import parse_timestamp


def _event(raw: dict) -> Event:
    return Event("case", raw["id"], parse_timestamp(raw["at"]))


def test_bad_input_becomes_a_bad_record_with_the_raw_payload_and_place() -> None:
    items = [
        item
        for number, raw in enumerate([{"id": "1", "at": "2026-01-01"}, {"id": "2", "at": "?"}])
        for item in read_each(raw, _event, place=f"item {number + 1}")
    ]
    assert isinstance(items[0], Event) and items[0].source_id == "1"
    assert items[1] == BadRecord("'?' is not a time (ISO 8601)", {"id": "2", "at": "?"}, "item 2")


def test_a_payload_and_place_given_by_the_error_win_and_many_items_pass() -> None:
    def failing(raw: object) -> None:
        raise BadInput("no unit", payload={"unit": None}, place="row 7")

    assert list(read_each("x", failing, "row ?")) == [BadRecord("no unit", {"unit": None}, "row 7")]
    assert list(read_each("x", lambda raw: [Skipped("a"), Skipped("b")])) == [
        Skipped("a"),
        Skipped("b"),
    ]
    assert list(read_each("x", lambda raw: None)) == []


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        (b'{"a": 1', "not JSON: Expecting ',' delimiter at column 8"),
        (b"\xff\xfe{}", "not UTF-8 text"),
        ("", "not JSON: Expecting value at column 1"),
    ],
)
def test_json_value_says_why_a_text_is_no_json(raw: bytes | str, reason: str) -> None:
    with pytest.raises(BadInput) as raised:
        json_value(raw)
    assert raised.value.reason == reason


def test_json_value_reads_bytes_and_text() -> None:
    assert json_value(b'{"a": [1, "\xc3\xa1"]}') == json_value('{"a": [1, "á"]}') == {"a": [1, "á"]}
