"""Tells the access log (:mod:`hub.observability.http`) which operation a request ran, for whom."""

from __future__ import annotations

from collections.abc import Iterator

from strawberry.extensions import SchemaExtension

from hub.observability.http import OPERATION_KEY

LONGEST_NAME = 80
"""An operation's name is the client's to choose: the log and the metrics keep this much."""


class OperationNoted(SchemaExtension):
    """Leave the operation's name and the caller's in the request's ASGI scope."""

    def on_execute(self) -> Iterator[None]:
        yield
        context = self.execution_context.context
        request = getattr(context, "request", None)
        if request is None:  # a subscription's WebSocket: not an HTTP request
            return
        name = (self.execution_context.operation_name or "anonymous")[:LONGEST_NAME]
        viewer = getattr(context, "viewer", None)
        request.scope[OPERATION_KEY] = (name, viewer.name if viewer is not None else None)
