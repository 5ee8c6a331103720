"""A fake of the police system's accident API, on the tests' scriptable HTTP server.

``GET /api/v1/accidents?modified_since=…&page=…&page_size=…`` answers
``{"items": [...], "total": n}``: the accidents changed at or after ``modified_since``, oldest
change first, one page of them. Faults can be queued for a page (``fail(2, Reply(503))``).
"""

from __future__ import annotations

import json
from collections import defaultdict, deque
from datetime import datetime
from typing import Any
from urllib.parse import parse_qsl

from tests.support.http_server import Reply, Request, ScriptedServer

PATH = "/api/v1/accidents"


class PoliceApi(ScriptedServer):
    def __init__(self, accidents: list[dict[str, Any]]) -> None:
        super().__init__()
        self.accidents = accidents
        self.faults: dict[int, deque[Reply]] = defaultdict(deque)

    @property
    def endpoint(self) -> str:
        return self.url(PATH)

    def fail(self, page: int, *replies: Reply) -> None:
        """Answer the next requests for ``page`` with these replies, then normally again."""
        self.faults[page].extend(replies)

    def pages_asked(self) -> list[tuple[int, str | None]]:
        """(page, modified_since) of every request, in order."""
        asked = [dict(parse_qsl(request.query)) for request in self.requests_for(PATH)]
        return [(int(query["page"]), query.get("modified_since")) for query in asked]

    def _next_reply(self, request: Request) -> Reply:
        if request.path != PATH:
            return super()._next_reply(request)
        query = dict(parse_qsl(request.query))
        page, size = int(query["page"]), int(query.get("page_size", "100"))
        with self._lock:
            self.requests.append(request)
            if self.faults[page]:
                return self.faults[page].popleft()
        changed = self._changed_since(query.get("modified_since"))
        body = {"items": changed[(page - 1) * size : page * size], "total": len(changed)}
        return Reply(200, json.dumps(body).encode(), {"Content-Type": "application/json"})

    def _changed_since(self, since: str | None) -> list[dict[str, Any]]:
        start = datetime.fromisoformat(since) if since else None
        changed = [
            a
            for a in self.accidents
            if start is None or datetime.fromisoformat(a["updated_at"]) >= start
        ]
        return sorted(changed, key=lambda a: (datetime.fromisoformat(a["updated_at"]), a["id"]))
