"""GeoReport v2 documents, JSON and XML, read into the same dicts; bad ones refused, saying why."""

from __future__ import annotations

import pytest
from iochub_plugins.feedback.documents import Malformed, parse_list

from tests.plugins.feedback.portal_server import to_xml

REQUESTS = [
    {
        "service_request_id": "638344",
        "status": "closed",
        "service_code": "006",
        "requested_datetime": "2010-04-14T06:37:38-08:00",
        "lat": "37.76",
        "long": "-122.41",
    },
    {
        "service_request_id": "638345",
        "status": "open",
        "service_code": "007",
        "requested_datetime": "2010-04-15T06:37:38-08:00",
    },
]


def test_json_and_xml_give_the_same_entries() -> None:
    as_json = parse_list(str(REQUESTS).replace("'", '"').encode(), "json", "requests")
    as_xml = parse_list(to_xml(REQUESTS, "service_requests", "request"), "xml", "requests")

    assert as_json == as_xml == REQUESTS


def test_an_empty_list_is_no_requests() -> None:
    assert parse_list(b"[]", "json", "requests") == []
    assert parse_list(b"<service_requests/>", "xml", "requests") == []


def test_a_wrapped_json_list_is_unwrapped() -> None:
    assert parse_list(b'{"service_requests": [{"service_request_id": 1}]}', "json", "requests") == [
        {"service_request_id": 1}
    ]


def test_nested_xml_elements_become_dicts_and_lists() -> None:
    xml = (
        b"<service_requests><request><service_request_id>1</service_request_id>"
        b"<extended_attributes><note>a</note><note>b</note></extended_attributes>"
        b"</request></service_requests>"
    )

    assert parse_list(xml, "xml", "requests") == [
        {"service_request_id": "1", "extended_attributes": {"note": ["a", "b"]}}
    ]


@pytest.mark.parametrize(
    ("content", "fmt", "reason"),
    [
        (b'[{"service_request_id": 1,', "json", "not JSON"),
        (b"\xff\xfe[]", "json", "not JSON"),
        (b'{"id": 1}', "json", "expected a JSON list, found dict"),
        (
            b'[{"code": 403, "description": "Invalid api_key"}]',
            "json",
            "the portal answered an error: 403 Invalid api_key",
        ),
        (b"<service_requests><request>", "xml", "not well-formed XML"),
        (b"<services/>", "xml", "expected <service_requests>, found <services>"),
        (
            b"<errors><error><code>400</code><description>bad date</description></error></errors>",
            "xml",
            "the portal answered an error: 400 bad date",
        ),
        (
            b'<!DOCTYPE x [<!ENTITY a "aaaa">]><service_requests/>',
            "xml",
            "XML with a DTD is not accepted",
        ),
    ],
)
def test_a_malformed_document_says_why(content: bytes, fmt: str, reason: str) -> None:
    with pytest.raises(Malformed, match=reason):
        parse_list(content, fmt, "requests")  # type: ignore[arg-type]


def test_services_are_read_from_their_own_root() -> None:
    xml = b"<services><service><service_code>001</service_code></service></services>"

    assert parse_list(xml, "xml", "services") == [{"service_code": "001"}]
