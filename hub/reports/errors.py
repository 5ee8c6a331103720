"""What can go wrong with a form or a report; each error's message is meant for the user.

The API maps them to its error codes: TemplateError and InputError are BAD_USER_INPUT,
OutOfScope is FORBIDDEN, WorkflowConflict (StaleTemplate among them) and UnconfirmedChanges are
CONFLICT (HTTP 409), UnknownTemplate is NOT_FOUND.
"""

from __future__ import annotations


class ReportError(Exception):
    """A mistake of the caller's, said plainly. Nothing was changed."""


class TemplateError(ReportError):
    """A form that cannot be accepted; ``problems`` lists each one, with its cell address."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = list(problems)
        super().__init__("the template is rejected: " + "; ".join(self.problems))


class InputError(ReportError):
    """A value, unit or period that is not acceptable (e.g. text in a numeric cell)."""


class CellErrors(InputError):
    """Values that cannot be taken; ``problems`` names each cell and what is wrong with it."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = list(problems)
        super().__init__("; ".join(self.problems))


class OutOfScope(ReportError):
    """The caller may not act on this unit's report."""


class WorkflowConflict(ReportError):
    """The report is not in a state that allows the step (e.g. it is approved, so locked)."""


class StaleTemplate(WorkflowConflict):
    """A form edited from a version that is no longer the stored one: someone else saved it
    meanwhile. Nothing was changed."""

    def __init__(self, code: str, edited: int, stored: int) -> None:
        super().__init__(
            f"the form {code} was saved by someone else while you edited it: you edited "
            f"version {edited}, the hub now has version {stored}; nothing was changed. Read "
            "the form again (reportTemplate { definition }), make your changes on it and save"
        )


class UnconfirmedChanges(ReportError):
    """An import that would change a form in ways the caller has not confirmed (a formula, a
    cell holding values, an older version, a form it does not name): ``differences`` lists
    them, and ``?confirm=<token>`` applies them. Nothing was changed."""

    def __init__(self, code: str, differences: list[str], token: str) -> None:
        self.differences, self.token = list(differences), token
        super().__init__(
            f"the import would change the form {code} as listed; nothing was changed. "
            f"To apply these changes, upload again with ?confirm={token}"
        )


class UnknownTemplate(ReportError):
    """No form has this code."""
