"""What can go wrong with a form or a report; each error's message is meant for the user.

The API maps them to its error codes: TemplateError and InputError are BAD_USER_INPUT,
OutOfScope is FORBIDDEN, WorkflowConflict is CONFLICT, UnknownTemplate is NOT_FOUND.
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


class OutOfScope(ReportError):
    """The caller may not act on this unit's report."""


class WorkflowConflict(ReportError):
    """The report is not in a state that allows the step (e.g. it is approved, so locked)."""


class UnknownTemplate(ReportError):
    """No form has this code."""
