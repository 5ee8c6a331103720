"""The reporting system's HTTP endpoints beside GraphQL: workbooks in and out.

- ``POST /reports/templates?code=…``: import a form from an .xlsx (multipart field ``file``,
  or the raw body); 201 with the form, or 400 with ``{"errors": [...]}`` listing every problem,
  or 409 with the ``differences`` it would make to the stored form and the ``confirm`` token
  that applies them (:mod:`hub.reports.versions`);
- ``GET /reports/templates/{code}.xlsx``: the blank form;
- ``GET /reports/{template}/{unit}/{period}.xlsx``: the report as it stands;
- ``POST /reports/{template}/{unit}/{period}.xlsx``: the report's workbook with figures typed
  in (multipart field ``file``, or the raw body) saved as the report's inputs
  (:mod:`hub.reports.filled_workbook`); 200 with the report's status and inputs, 400 with
  ``{"errors": [...]}`` naming every bad cell (``'Biểu 01'!D6: …``), nothing saved then.

Every route needs the same ``Authorization: Bearer <token>`` as GraphQL, or the console's
cookie (401 without, 429 past the rate limit); importing a form is for admins (403 otherwise,
and audited), a report is read inside the caller's territory and filed by whoever may file it.
The options of an import are described in :mod:`hub.reports.excel_import`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import anyio.to_thread
from litestar import Request, Response, get, post
from litestar.datastructures import UploadFile
from litestar.exceptions import NotFoundException
from litestar.handlers import HTTPRouteHandler

from hub.auth import audit
from hub.auth.authenticate import Authenticator, NotAuthenticated, RateLimited, bearer_of
from hub.auth.clients import client_address
from hub.auth.principal import Action
from hub.auth.principal import Principal as AuthPrincipal
from hub.auth.scope import resolve_scope
from hub.reports import clock
from hub.reports.assemble import locate
from hub.reports.errors import (
    CellErrors,
    OutOfScope,
    ReportError,
    TemplateError,
    UnconfirmedChanges,
    UnknownTemplate,
    WorkflowConflict,
)
from hub.reports.principal import Principal, ScopedActor, require_reader
from hub.reports.schedule import working_days
from hub.reports.store import load_template, save_template
from hub.reports.timeliness import local_day
from hub.reports.versions import check_import

if TYPE_CHECKING:
    from hub.core import Hub

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
UPLOAD = "uploadReportTemplate"
"""The audit log's name of a form imported from a workbook."""


def report_handlers(hub: Hub, authenticator: Authenticator) -> list[HTTPRouteHandler]:
    """The HTTP routes of the reporting system (see the module's docstring)."""

    async def caller(
        request: Request[Any, Any, Any], action: Action | None, audited_as: str | None = None
    ) -> Caller | Response:
        try:
            return await anyio.to_thread.run_sync(
                _caller, hub, authenticator, request, action, audited_as
            )
        except NotAuthenticated as exc:
            return Response(
                {"errors": [str(exc)]}, status_code=401, headers={"WWW-Authenticate": "Bearer"}
            )
        except RateLimited as exc:
            return Response({"errors": [str(exc)]}, status_code=429)
        except OutOfScope as exc:
            return Response({"errors": [str(exc)]}, status_code=403)

    @post("/reports/templates", status_code=201)
    async def upload_template(request: Request[Any, Any, Any]) -> Response[Any]:
        found = await caller(request, Action.CONFIGURE, audited_as=UPLOAD)
        if isinstance(found, Response):
            return found
        content = await _uploaded(request)
        options = dict(request.query_params)
        return await _respond(lambda: _import(hub, content, options, found), status=201)

    @get("/reports/templates/{name:str}")
    async def download_template(request: Request[Any, Any, Any], name: str) -> Response[Any]:
        found = await caller(request, None)
        if isinstance(found, Response):
            return found
        code = _xlsx_stem(name)
        return await _respond(lambda: _blank_form(hub, code))

    @get("/reports/{template:str}/{unit:str}/{name:str}")
    async def download_report(
        request: Request[Any, Any, Any], template: str, unit: str, name: str
    ) -> Response[Any]:
        found = await caller(request, Action.READ_REPORTS)
        if isinstance(found, Response):
            return found
        period = _xlsx_stem(name)
        return await _respond(lambda: _filled(hub, found.actor, template, unit, period))

    @post("/reports/{template:str}/{unit:str}/{name:str}", status_code=200)
    async def upload_report(
        request: Request[Any, Any, Any], template: str, unit: str, name: str
    ) -> Response[Any]:
        found = await caller(request, Action.FILE_REPORTS)
        if isinstance(found, Response):
            return found
        period, content = _xlsx_stem(name), await _uploaded(request)
        return await _respond(lambda: _save_filled(hub, found, template, unit, period, content))

    return [upload_template, download_template, download_report, upload_report]


@dataclass(frozen=True)
class Caller:
    """Who called a route: the principal, the workflow's view of it, and from where."""

    principal: AuthPrincipal
    actor: ScopedActor
    client: str | None


def _caller(
    hub: Hub,
    authenticator: Authenticator,
    request: Request[Any, Any, Any],
    action: Action | None,
    audited_as: str | None = None,
) -> Caller:
    """The caller of a route with its territory; OutOfScope unless its role allows ``action``
    (the refusal written to the audit log as ``audited_as``, a change's name, if given)."""
    peer = request.client.host if request.client else None
    client = client_address(peer, request.headers, hub.settings.server.trusted_proxies)
    principal = authenticator.principal(bearer_of(request.headers), client)
    if action is not None and not principal.may(action):
        if audited_as is not None:
            with hub.db.session() as session:
                target = dict(request.query_params)
                audit.record(session, principal, audited_as, target, client, outcome="FORBIDDEN")
        raise OutOfScope(f"a {principal.role} may not {action.value.replace('_', ' ')}")
    with hub.db.sessions() as session:
        scope = resolve_scope(session, principal, local_day(clock.now()), hub.definitions)
    return Caller(principal, ScopedActor(principal.name, principal.unit_code, scope.units), client)


def _xlsx_stem(name: str) -> str:
    """``2025-03.xlsx`` → ``2025-03``; a name without the suffix is not found."""
    if not name.endswith(".xlsx"):
        raise NotFoundException(f"{name!r}: ask for a .xlsx file")
    return name.removesuffix(".xlsx")


async def _uploaded(request: Request[Any, Any, Any]) -> bytes:
    if request.content_type[0].startswith("multipart/"):
        form = await request.form()
        upload = form.get("file")
        if isinstance(upload, UploadFile):
            return await upload.read()
        return b""
    return await request.body()


async def _respond(work: Callable[[], Any], status: int = 200) -> Response[Any]:
    try:
        result = await anyio.to_thread.run_sync(work)
    except TemplateError as exc:
        return Response({"errors": exc.problems}, status_code=400)
    except UnknownTemplate as exc:
        return Response({"errors": [str(exc)]}, status_code=404)
    except CellErrors as exc:
        return Response({"errors": exc.problems}, status_code=400)
    except WorkflowConflict as exc:
        return Response({"errors": [str(exc)]}, status_code=409)
    except UnconfirmedChanges as exc:
        refused = {"errors": [str(exc)], "differences": exc.differences, "confirm": exc.token}
        return Response(refused, status_code=409)
    except OutOfScope as exc:
        return Response({"errors": [str(exc)]}, status_code=403)
    except ReportError as exc:
        return Response({"errors": [str(exc)]}, status_code=400)
    if isinstance(result, tuple):
        name, content = result
        return Response(
            content,
            media_type=XLSX,
            headers={"Content-Disposition": f'attachment; filename="{name}"'},
        )
    return Response(result, status_code=status)


def _import(hub: Hub, content: bytes, options: dict[str, str], caller: Caller) -> dict[str, Any]:
    from hub.reports.excel_import import template_from_workbook

    try:
        template = template_from_workbook(content, options)
        with hub.db.session() as session:
            confirm = options.get("confirm")
            check_import(session, template, named="code" in options, confirm=confirm)
            row = save_template(session, template, "upload", hub.definitions.metrics)
            audit.record(session, caller.principal, UPLOAD, {"code": template.code}, caller.client)
    except ReportError as refused:
        with hub.db.session() as session:
            outcome = "CONFLICT" if isinstance(refused, UnconfirmedChanges) else "BAD_USER_INPUT"
            audit.record(session, caller.principal, UPLOAD, options, caller.client, outcome=outcome)
        raise
    return {
        "code": template.code,
        "version": row.definition["version"],
        "name": template.name,
        "rows": len(template.rows),
        "cells": len(template.cells),
        "definition": template.to_dict(),
    }


def _save_filled(
    hub: Hub, caller: Caller, template: str, unit: str, period: str, content: bytes
) -> dict[str, Any]:
    from hub.reports.filled_workbook import save_filled_workbook
    from hub.reports.workflow import Workflow

    with hub.db.session() as session:
        located = locate(session, template, unit, period)
        workflow = Workflow(session, caller.actor, clock.now(), working_days(hub.settings))
        report = save_filled_workbook(workflow, located, content)
        target = {"template": template, "unit": unit, "period": period}
        audit.record(session, caller.principal, "uploadReportWorkbook", target, caller.client)
        return {
            **target,
            "status": report.status,
            "version": report.version,
            "inputs": report.inputs,
        }


def _blank_form(hub: Hub, code: str) -> tuple[str, bytes]:
    from hub.reports.excel_export import template_workbook

    with hub.db.sessions() as session:
        _, template = load_template(session, code)
    return f"{code}.xlsx", template_workbook(template)


def _filled(
    hub: Hub, principal: Principal, template: str, unit: str, period: str
) -> tuple[str, bytes]:
    from hub.reports.excel_export import report_workbook

    today = local_day(clock.now())
    with hub.db.sessions() as session:
        located = locate(session, template, unit, period)
        require_reader(session, principal, located.unit)
        content = report_workbook(session, located, working_days(hub.settings), today)
    return f"{template}_{unit}_{period}.xlsx", content
