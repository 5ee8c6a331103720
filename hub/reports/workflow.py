"""The approval workflow of a report, and the history it leaves.

    (none) ─save─▶ DRAFT ─submit─▶ SUBMITTED ─approve─▶ APPROVED (locked)
                     ▲                 │                    │
                     └──save── RETURNED ◀─return (reason)    └─reopen (reason)─▶ DRAFT

The unit that files the report saves and submits it (it may save only while the period is
open and the report is a draft or returned); the level above approves, returns or reopens it.
Every step is one :class:`hub.model.ReportTransition`: who, when, what and why, and for a
save the values that changed. A step that is not allowed raises before anything is written.

Approving or reopening a report changes what its parent's roll-up is made of: the parent's
report is computed again at once (unless it is approved, so locked: it then shows ``stale``).
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy.orm import Session

from hub.model import AdminUnit, Report, ReportStatus, ReportTransition
from hub.model.base import utcnow
from hub.reports.assemble import Located, calculate, gather, period_snapshot
from hub.reports.cells import Address, parse_number, to_json
from hub.reports.errors import CellErrors, InputError, WorkflowConflict
from hub.reports.principal import Principal, require_filer, require_reviewer
from hub.reports.schedule import WorkingDays, opens_on, vietnam_working_days
from hub.reports.store import find_report, locked_report
from hub.reports.template import CellKind
from hub.reports.timeliness import local_day

EDITABLE = (ReportStatus.DRAFT, ReportStatus.RETURNED)


class Action(StrEnum):
    SAVE = "SAVE"
    SUBMIT = "SUBMIT"
    APPROVE = "APPROVE"
    RETURN = "RETURN"
    REOPEN = "REOPEN"


class Workflow:
    """The steps of the workflow, in one session (one transaction) at one moment."""

    def __init__(
        self,
        session: Session,
        principal: Principal,
        now: datetime | None = None,
        days: WorkingDays | None = None,
        defer_parents: bool = False,
    ) -> None:
        """``defer_parents``: for many approvals in one go, parents' reports are computed
        again once, by :meth:`refresh_parents`, instead of after each approval."""
        self.session = session
        self.principal = principal
        self.now = now or utcnow()
        self.today = local_day(self.now)
        self.days = days or vietnam_working_days()
        self.defer_parents = defer_parents
        self._pending: dict[int, Located] = {}

    def save(self, located: Located, values: dict[str, Any]) -> Report:
        """Type values in (None clears a cell); the report must be open and editable."""
        require_filer(self.session, self.principal, located.unit)
        self._require_open(located)
        parsed = typed_values(located, values)
        report = self._locked(located)
        self._require_editable(report)
        changes = {
            address: [report.inputs.get(address), value]
            for address, value in parsed.items()
            if report.inputs.get(address) != value
        }
        inputs = {**report.inputs, **parsed}
        report.inputs = {address: value for address, value in inputs.items() if value is not None}
        self._recompute(located, report)
        self._record(report, Action.SAVE, report.status, report.status, changes=changes)
        return report

    def submit(self, located: Located) -> Report:
        """Send the report up for approval; a report submitted or approved is refused."""
        require_filer(self.session, self.principal, located.unit)
        self._require_open(located)
        report = self._locked(located)
        if report.status == ReportStatus.APPROVED:
            raise WorkflowConflict(
                f"the report of {located.unit.name} for {located.period.id} is already "
                "approved: it cannot be submitted again (it must be reopened first)"
            )
        if report.status == ReportStatus.SUBMITTED:
            raise WorkflowConflict(
                f"the report of {located.unit.name} for {located.period.id} is already "
                "submitted and awaits review"
            )
        self._recompute(located, report)
        report.submitted_at = self.now
        report.first_submitted_at = report.first_submitted_at or self.now
        return self._move(report, Action.SUBMIT, ReportStatus.SUBMITTED)

    def approve(self, located: Located) -> Report:
        """Accept a submitted report: its values are frozen as they are now."""
        report = self._reviewable(located, ReportStatus.SUBMITTED, "approved")
        self._recompute(located, report)
        report.approved_at = self.now
        self._move(report, Action.APPROVE, ReportStatus.APPROVED)
        self._refresh_parent(located)
        return report

    def send_back(self, located: Located, reason: str) -> Report:
        """Return a submitted report to its unit, saying why."""
        report = self._reviewable(located, ReportStatus.SUBMITTED, "returned")
        return self._move(report, Action.RETURN, ReportStatus.RETURNED, _reason(reason))

    def reopen(self, located: Located, reason: str) -> Report:
        """Unlock an approved report, saying why; it leaves its parent's roll-up meanwhile."""
        report = self._reviewable(located, ReportStatus.APPROVED, "reopened")
        why = _reason(reason)
        report.approved_at = None
        self._move(report, Action.REOPEN, ReportStatus.DRAFT, why)
        self._refresh_parent(located)
        return report

    def _reviewable(self, located: Located, needed: ReportStatus, verb: str) -> Report:
        require_reviewer(self.session, self.principal, located.unit)
        report = locked_report(
            self.session, located.row.id, located.unit, located.period, create=False
        )
        status = report.status if report else "not started"
        if report is None or report.status != needed:
            raise WorkflowConflict(
                f"the report of {located.unit.name} for {located.period.id} is {status}; "
                f"only a {needed.value} report can be {verb}"
            )
        return report

    def _existing(self, located: Located) -> Report | None:
        return find_report(self.session, located.row.id, located.unit.id, located.period.id)

    def _locked(self, located: Located) -> Report:
        """The report (a new draft if there is none), locked: saves at once merge, one by one."""
        report = locked_report(
            self.session, located.row.id, located.unit, located.period, create=True
        )
        assert report is not None
        return report

    def _require_open(self, located: Located) -> None:
        first_day = opens_on(located.template, located.period)
        if self.today < first_day:
            raise InputError(
                f"the period {located.period.id} is not open yet: its reports can be filed "
                f"from {first_day.isoformat()}"
            )

    @staticmethod
    def _require_editable(report: Report) -> None:
        if report.status == ReportStatus.APPROVED:
            raise WorkflowConflict("the report is approved, so locked: reopening needs a reason")
        if report.status not in EDITABLE:
            raise WorkflowConflict(
                "the report is submitted: it can be changed once it is returned or reopened"
            )

    def _recompute(self, located: Located, report: Report) -> None:
        """Store the report's values as they are now; formulas run only if anything changed."""
        gathered = gather(self.session, located, report.inputs, self.days, self.today)
        basis = report.basis or {}
        if (
            report.values
            and basis.get("fingerprint") == gathered.fingerprint
            and basis.get("periods")
        ):
            return
        computed = calculate(gathered, located)
        values = {k: to_json(v) for k, v in computed.values.items()}
        basis = {
            "lower": gathered.basis,
            "ytd": {k: to_json(v) for k, v in computed.ytd.items()},
            "periods": period_snapshot(located.template, gathered.other),
            "fingerprint": gathered.fingerprint,
        }
        if values != report.values or basis != report.basis:
            report.values, report.basis = values, basis
            report.version = (report.version or 0) + 1
        report.updated_at = self.now

    def _move(
        self, report: Report, action: Action, status: ReportStatus, reason: str | None = None
    ) -> Report:
        before = report.status
        report.status = status
        report.version = (report.version or 0) + 1
        report.updated_at = self.now
        self._record(report, action, before, status, reason=reason)
        return report

    def _record(
        self,
        report: Report,
        action: Action,
        before: str | None,
        after: str,
        reason: str | None = None,
        changes: dict[str, Any] | None = None,
    ) -> None:
        self.session.flush()
        self.session.add(
            ReportTransition(
                report_id=report.id,
                action=action.value,
                from_status=before,
                to_status=after,
                actor=self.principal.name,
                at=self.now,
                reason=reason,
                changes=changes or {},
            )
        )

    def refresh_parents(self) -> None:
        """Compute again the parents' reports that deferred approvals left waiting."""
        pending, self._pending = self._pending, {}
        for parent in pending.values():
            self._recompute_parent(parent)

    def _refresh_parent(self, located: Located) -> None:
        """Compute the parent's report again, now that its roll-up is made of other reports."""
        parent = self._parent(located)
        if parent is None:
            return
        if self.defer_parents:
            self._pending[parent.unit.id] = parent
        else:
            self._recompute_parent(parent)

    def _recompute_parent(self, parent: Located) -> None:
        self.session.flush()
        report = self._locked(parent)
        if report.status != ReportStatus.APPROVED:
            self._recompute(parent, report)

    def _parent(self, located: Located) -> Located | None:
        unit = located.unit
        parent = self.session.get(AdminUnit, unit.parent_id) if unit.parent_id else None
        if parent is None or not parent.valid_on(located.period.end):
            return None
        if not located.template.files_at(parent.level):
            return None
        return Located(located.row, located.template, parent, located.period)


def typed_values(
    located: Located, values: dict[str, Any], where: str = ""
) -> dict[str, float | None]:
    """The values as numbers, by canonical address; CellErrors listing every bad one, each
    named ``where`` + its address (``where`` is e.g. ``"Biểu 01!"`` for a workbook's cells)."""
    template, level = located.template, located.unit.level
    parsed: dict[str, float | None] = {}
    problems: list[str] = []
    for given, value in values.items():
        try:
            address = str(Address.parse(given))
        except ValueError:
            problems.append(f"{where}{given!r} is not a cell address")
            continue
        cell = template.cells.get(address)
        if cell is None:
            problems.append(f"{where}{address} is not a value cell of the form")
        elif not template.typed_at(cell, level):
            problems.append(f"{where}{address} is {how_computed(cell.kind)}; it cannot be typed in")
        else:
            try:
                parsed[address] = parse_number(value)
            except ValueError as exc:
                problems.append(f"{where}{address}: {exc}")
    if problems:
        raise CellErrors(problems)
    return parsed


def how_computed(kind: CellKind) -> str:
    return {
        CellKind.FORMULA: "computed by its formula",
        CellKind.METRIC: "filled from a metric",
        CellKind.ROLLUP: "summed from the lower level's reports",
    }.get(kind, "not typed in")


def _reason(reason: str | None) -> str:
    text = (reason or "").strip()
    if not text:
        raise InputError("a reason is required")
    return text
