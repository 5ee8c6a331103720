"""Versions of a form, and what an import would change in the form it replaces.

Every stored form has a version, one more each time what it says changes (saving the same
form again keeps it); an exported workbook carries its form's code and version (sheet
``_ioc``). An import that would change what the hub computes or holds is refused until the
caller confirms the differences it was shown (:class:`~hub.reports.errors.UnconfirmedChanges`):

- a formula cell changed, removed, or turned into a cell typed in (a number typed over it);
- a cell that reports hold values in left off the form (rows dropped by an older workbook);
- the workbook is of an older version of the form than the hub's;
- the upload does not name the form (``?code=``) that it would replace.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.model import Report, ReportTemplateRow
from hub.reports.errors import InputError, StaleTemplate, UnconfirmedChanges
from hub.reports.template import CellKind, Template


def next_version(stored: dict[str, Any] | None, definition: dict[str, Any]) -> int:
    """The version a definition is stored under: the stored one's if it says the same."""
    if stored is None:
        return 1
    version = int(stored.get("version") or 1)
    return version if _content(stored) == _content(definition) else version + 1


def check_edit(stored: dict[str, Any], definition: dict[str, Any]) -> None:
    """Refuse an edit of a form that was saved meanwhile (optimistic concurrency).

    ``definition`` names the version it was edited from; a change to another version than
    the stored one is refused (:class:`~hub.reports.errors.StaleTemplate`), as is a change
    that names none (:class:`~hub.reports.errors.InputError`). Saving what the form already
    says changes nothing and is always accepted.
    """
    if _content(stored) == _content(definition):
        return
    code, version = str(definition.get("code")), int(stored.get("version") or 1)
    edited = int(definition.get("version") or 0)
    if edited == 0:
        raise InputError(
            f"definition: the form {code} exists; give the version you edited "
            f'("version": {version} if you edited the form as it is now, as reportTemplate '
            "{ definition } shows it), so that a change saved meanwhile is not overwritten"
        )
    if edited != version:
        raise StaleTemplate(code, edited, version)


def _content(definition: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in definition.items() if key != "version"}


def check_import(session: Session, template: Template, named: bool, confirm: str | None) -> None:
    """Refuse (UnconfirmedChanges) an import whose differences ``confirm`` does not confirm."""
    row = session.scalar(select(ReportTemplateRow).where(ReportTemplateRow.code == template.code))
    if row is None:
        return
    from hub.reports.store import template_of

    found = differences(template_of(row), template, named, cells_in_use(session, row.id))
    if found and confirm != confirmation(found):
        raise UnconfirmedChanges(template.code, found, confirmation(found))


def differences(stored: Template, new: Template, named: bool, in_use: Counter[str]) -> list[str]:
    """What replacing ``stored`` by ``new`` would change that needs the caller's word."""
    found = []
    if not named:
        found.append(
            f"the workbook would replace the form {stored.code} ({stored.name}), which the "
            f"upload does not name: add ?code={stored.code}"
        )
    if 0 < new.version < stored.version:
        found.append(
            f"the workbook holds version {new.version} of the form {stored.code}; the hub has "
            f"version {stored.version}, whose changes it would undo"
        )
    for address, cell in sorted(stored.cells.items()):
        after = new.cells.get(address)
        if cell.kind is CellKind.FORMULA and (after is None or after.formula != cell.formula):
            found.append(f"{address}: the formula {cell.formula} would {_becomes(after)}")
        elif after is None and in_use[address]:
            label = stored.row_of(address).label
            found.append(
                f"{address} ({label}) would be left off the form: {in_use[address]} "
                f"report(s) hold a value in it"
            )
    return found


def _becomes(after: Any) -> str:
    if after is None:
        return "be removed"
    if after.kind is CellKind.FORMULA:
        return f"become {after.formula}"
    return f"become a {after.kind.value} cell (no longer computed)"


def cells_in_use(session: Session, template_id: int) -> Counter[str]:
    """How many reports on the form hold a typed value, by cell address."""
    counted: Counter[str] = Counter()
    for inputs in session.scalars(select(Report.inputs).where(Report.template_id == template_id)):
        counted.update(address for address, value in (inputs or {}).items() if value is not None)
    return counted


def confirmation(found: list[str]) -> str:
    """The word that confirms exactly these differences (given back as ``?confirm=``)."""
    return hashlib.sha256("\n".join(found).encode()).hexdigest()[:12]
