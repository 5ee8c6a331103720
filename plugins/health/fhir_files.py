"""FHIR resources from files: a Bundle (JSON), NDJSON (one resource a line, as a FHIR Bulk Data
export writes it), or a local folder of such files (``*.json``, ``*.ndjson``, ``*.jsonl``).

Bundles are opened, nested ones too: what comes out is the resources. A line or a file that is
not JSON, or JSON that is not a resource, is a :class:`BadRecord` naming the file and line;
the others are read on. A file that cannot be read at all fails the run (see
:func:`hub.connectors.sources.fetch`).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from hub.connectors.errors import PermanentSourceError
from hub.connectors.http import HttpClient
from hub.connectors.records import BadRecord
from hub.connectors.sources import describe_location, fetch

from .fhir_server import FHIR_JSON
from .fhir_values import as_list

SUFFIXES = (".json", ".ndjson", ".jsonl")


@dataclass
class Resources:
    """What the files hold: resources, and what could not be read as one."""

    resources: list[dict[str, Any]] = field(default_factory=list)
    problems: list[BadRecord] = field(default_factory=list)
    files: int = 0
    digest: str = ""
    """The SHA-256 of the files' names and contents: the same files give the same digest."""


def read_files(location: str, timeout: float, client: HttpClient | None = None) -> Resources:
    """Every resource at ``location``: a file, a URL, or a folder of files; a URL through
    ``client`` (the run's pooled client, with its authentication and retries) when given."""
    found, digest = Resources(), hashlib.sha256()
    for document in _documents(location):
        found.files += 1
        name = Path(urlsplit(document).path).name or describe_location(document)
        content = fetch(document, timeout, {"Accept": FHIR_JSON}, client=client).content
        digest.update(f"{name}\0{len(content)}\0".encode())
        digest.update(content)
        _read_document(name, content, found)
    found.digest = digest.hexdigest()
    return found


def _documents(location: str) -> list[str]:
    folder = Path(location).expanduser() if "://" not in location else None
    if folder is None or not folder.is_dir():
        return [location]
    files = sorted(p for p in folder.iterdir() if p.is_file() and p.suffix.lower() in SUFFIXES)
    if not files:
        raise PermanentSourceError(f"{folder}: no {', '.join(SUFFIXES)} files in this folder")
    return [str(path) for path in files]


def _read_document(name: str, content: bytes, found: Resources) -> None:
    text = content.decode("utf-8-sig", errors="replace")
    try:
        whole = json.loads(text)
    except json.JSONDecodeError:
        whole = None
    if whole is not None:
        _add(whole, name, found)
        return
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        where = f"{name} line {number}"
        try:
            _add(json.loads(line), where, found)
        except json.JSONDecodeError as exc:
            found.problems.append(
                BadRecord(f"{where}: not JSON ({exc.msg})", {"line": line[:2000]}, place=where)
            )


def _add(value: Any, where: str, found: Resources) -> None:
    found.resources.extend(_resources(value, where, found))


def _resources(value: Any, where: str, found: Resources) -> Iterator[dict[str, Any]]:
    if not isinstance(value, dict) or not isinstance(value.get("resourceType"), str):
        found.problems.append(BadRecord(f"{where}: not a FHIR resource", value, place=where))
        return
    if value["resourceType"] != "Bundle":
        yield value
        return
    for number, entry in enumerate(as_list(value.get("entry")), start=1):
        resource = entry.get("resource") if isinstance(entry, dict) else None
        if resource is not None:
            yield from _resources(resource, f"{where} entry {number}", found)
