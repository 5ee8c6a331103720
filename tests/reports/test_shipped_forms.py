"""The shipped forms on upgrade: a form the hub shipped and nobody changed follows the release;
a form an admin replaced or edited stays theirs."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm.attributes import flag_modified

from hub.model import ReportTemplateRow
from hub.model.database import Database
from hub.reports.store import SHIPPED, install_shipped_forms, shipped_forms
from hub.reports.template import template_from_dict

CODE = "KTXH-XA-THANG"


def stored(database: Database) -> ReportTemplateRow:
    with database.session() as session:
        row = session.scalars(select(ReportTemplateRow).where(ReportTemplateRow.code == CODE))
        return row.one()


def as_an_older_release_left_it(database: Database, origin: str) -> None:
    """The stored form, as a release before its required cells stored it."""
    with database.session() as session:
        row = session.scalars(select(ReportTemplateRow).where(ReportTemplateRow.code == CODE))
        row = row.one()
        row.definition = without_required(row.definition)
        row.origin = origin
        flag_modified(row, "definition")


def without_required(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: without_required(v) for k, v in value.items() if k != "required"}
    return [without_required(v) for v in value] if isinstance(value, list) else value


def required(definition: dict[str, Any]) -> int:
    """How many parts of the form say they are required."""
    return json.dumps(definition).count('"required": true')


def test_a_shipped_form_nobody_changed_follows_the_release(database: Database) -> None:
    (shipped,) = [form for form in shipped_forms() if form["code"] == CODE]
    wanted = required(template_from_dict(shipped).to_dict())
    assert wanted == 26  # column D of every row a commune types
    as_an_older_release_left_it(database, SHIPPED)
    before = stored(database)
    assert required(before.definition) == 0

    assert install_shipped_forms(database) == [CODE]
    after = stored(database)
    assert required(after.definition) == wanted
    assert after.definition["version"] == before.definition["version"] + 1

    assert install_shipped_forms(database) == []  # once up to date, left alone
    assert stored(database).updated_at == after.updated_at


def test_a_form_an_admin_edited_is_left_as_it_is(database: Database) -> None:
    as_an_older_release_left_it(database, "api")
    before = stored(database)
    assert install_shipped_forms(database) == []
    after = stored(database)
    assert required(after.definition) == 0
    assert after.definition == before.definition and after.origin == "api"
