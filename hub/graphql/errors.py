"""The API's errors: each carries an ``extensions.code`` (API.md, "Errors").

Resolvers raise an :class:`ApiError` subclass with a message meant for the caller. The
:class:`ErrorCodes` extension then gives every error of a response its code:

- an :class:`ApiError` keeps its message and code;
- an error of the document itself (syntax, validation, limits, variables) is ``BAD_USER_INPUT``;
- anything else is a bug or an outage: it is logged here with its traceback and a reference,
  and the caller gets ``INTERNAL`` with a generic message and that reference, never the
  exception's text (which may hold SQL, paths or secrets).
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterator
from typing import Any, ClassVar

from graphql import ExecutionResult as GraphQLExecutionResult
from graphql import GraphQLError
from strawberry.extensions import SchemaExtension
from strawberry.types import ExecutionContext
from strawberry.types.graphql import OperationType

log = logging.getLogger(__name__)

CODES = frozenset(
    {
        "UNAUTHENTICATED",
        "FORBIDDEN",
        "NOT_FOUND",
        "BAD_USER_INPUT",
        "CONFLICT",
        "RATE_LIMITED",
        "INTERNAL",
    }
)


class ApiError(Exception):
    """An error whose message is safe and useful to show to the caller."""

    code: ClassVar[str] = "INTERNAL"


class Unauthenticated(ApiError):
    code = "UNAUTHENTICATED"


class Forbidden(ApiError):
    code = "FORBIDDEN"


class NotFound(ApiError):
    code = "NOT_FOUND"


class BadUserInput(ApiError):
    code = "BAD_USER_INPUT"


class Conflict(ApiError):
    code = "CONFLICT"


class RateLimitExceeded(ApiError):
    """More requests a minute than ``[auth] rate_limit`` allows the caller."""

    code = "RATE_LIMITED"


def refuse(context: ExecutionContext, error: ApiError) -> None:
    """Refuse an operation from an extension's ``on_execute``, before it runs.

    A query or mutation gets the error as its result (strawberry then runs nothing, and
    :class:`ErrorCodes` still sees it); a subscription, which strawberry starts regardless,
    gets it raised.
    """
    if context.operation_type is OperationType.SUBSCRIPTION:
        raise error
    refusal = GraphQLError(str(error), extensions={"code": error.code})
    context.result = GraphQLExecutionResult(data=None, errors=[refusal])


class ErrorCodes(SchemaExtension):
    """Give every error of a result its code, and hide the details of unexpected ones."""

    def on_operation(self) -> Iterator[None]:
        yield
        result = self.execution_context.result
        errors = getattr(result, "errors", None)
        if errors:
            result.errors = [coded(error) for error in errors]  # type: ignore[union-attr]

    def on_stream_result(self, result: Any) -> Iterator[None]:
        """The same for each result of a subscription (sent before this resumes)."""
        errors = getattr(result, "errors", None)
        if errors:
            result.errors = [coded(error) for error in errors]
        yield


def coded(error: GraphQLError) -> GraphQLError:
    """The error as the caller sees it: with a code, and masked if it is unexpected."""
    original = error.original_error
    if isinstance(original, ApiError):
        return _with_code(error, original.code, str(original))
    code = (error.extensions or {}).get("code")
    if code in CODES:
        return error
    if _is_about_the_document(error):
        return _with_code(error, BadUserInput.code, error.message)
    reference = uuid.uuid4().hex[:12]
    log.error(
        "internal error %s at %s: %s",
        reference,
        error.path,
        error.message,
        exc_info=original or error,
    )
    return _with_code(error, "INTERNAL", f"Internal server error (reference {reference}).")


def _is_about_the_document(error: GraphQLError) -> bool:
    """Whether the error is the caller's: raised before execution, about the document.

    Syntax, validation (including the depth, token and alias limits) and variable errors
    have no path, and point at the document or have no cause. An exception that escaped
    during execution has a path; one raised by the server before execution has neither.
    """
    return error.path is None and (error.original_error is None or bool(error.locations))


def _with_code(error: GraphQLError, code: str, message: str) -> GraphQLError:
    return GraphQLError(
        message,
        nodes=error.nodes,
        source=error.source,
        positions=error.positions,
        path=error.path,
        original_error=None,
        extensions={**(error.extensions or {}), "code": code},
    )
