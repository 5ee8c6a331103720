"""GeoReport v2 documents (JSON or XML) → plain dicts, one per service or request.

Both formats come out the same: field name → value, a nested element as a dict, so the rest of
the plugin never sees the format. An error document (``[{"code": …, "description": …}]`` or
``<errors>``) and anything that is not the expected list raise :class:`Malformed`, which the
connector quarantines with the document's place. XML with a DTD is refused (entity expansion
is a classic way to blow up a parser).
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ElementTree
from typing import Any, Literal

Format = Literal["json", "xml"]
Entry = dict[str, Any]

LIST_ELEMENTS = {"services": "service", "requests": "request"}
XML_ROOTS = {"services": "services", "requests": "service_requests"}


class Malformed(ValueError):
    """A document that is not a GeoReport v2 list of the expected kind."""


def parse_list(content: bytes, fmt: Format, kind: Literal["services", "requests"]) -> list[Entry]:
    """The entries of a ``services`` or ``requests`` document."""
    if fmt == "json":
        return _json_list(content)
    return _xml_list(content, kind)


def _json_list(content: bytes) -> list[Entry]:
    try:
        data = json.loads(content.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise Malformed(f"not JSON: {exc}") from None
    if isinstance(data, dict):
        data = _unwrapped(data)
    if not isinstance(data, list):
        raise Malformed(f"expected a JSON list, found {type(data).__name__}")
    if data and all(_is_error(entry) for entry in data):
        raise Malformed(f"the portal answered an error: {_error_text(data)}")
    return data


def _unwrapped(data: dict[str, Any]) -> Any:
    """Some portals wrap the list: ``{"service_requests": [...]}``, ``{"requests": [...]}``."""
    for key in ("service_requests", "requests", "services"):
        if isinstance(data.get(key), list):
            return data[key]
    return data


def _is_error(entry: Any) -> bool:
    return isinstance(entry, dict) and set(entry) <= {"code", "description"} and "code" in entry


def _error_text(errors: list[dict[str, Any]]) -> str:
    return "; ".join(f"{e.get('code')} {e.get('description') or ''}".strip() for e in errors)


def _xml_list(content: bytes, kind: Literal["services", "requests"]) -> list[Entry]:
    if b"<!DOCTYPE" in content or b"<!ENTITY" in content:
        raise Malformed("XML with a DTD is not accepted")
    try:
        root = ElementTree.fromstring(content)
    except ElementTree.ParseError as exc:
        raise Malformed(f"not well-formed XML: {exc}") from None
    if root.tag == "errors":
        errors = [_element_value(child) for child in root]
        raise Malformed(f"the portal answered an error: {_error_text(errors)}")
    if root.tag != XML_ROOTS[kind]:
        raise Malformed(f"expected <{XML_ROOTS[kind]}>, found <{root.tag}>")
    entries = [_element_value(child) for child in root if child.tag == LIST_ELEMENTS[kind]]
    return [entry if isinstance(entry, dict) else {} for entry in entries]


def _element_value(element: ElementTree.Element) -> Any:
    """An element's text, or its children as a dict (a repeated child becomes a list)."""
    children = list(element)
    if not children:
        text = (element.text or "").strip()
        return text or None
    value: dict[str, Any] = {}
    for child in children:
        item = _element_value(child)
        if child.tag not in value:
            value[child.tag] = item
        elif isinstance(value[child.tag], list):
            value[child.tag].append(item)
        else:
            value[child.tag] = [value[child.tag], item]
    return value
