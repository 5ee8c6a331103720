"""A report form: its rows, columns and cells, its period, who fills it in, and its deadlines.

A form is laid out as on paper (and as in the workbook it may come from): a table whose rows
are items (code, label, indent, unit of measure) and whose value columns are e.g. "this
period", "same period last year", "% change", "year to date". Every value cell has a kind:

- ``INPUT``: typed in by the unit that files the report, at whatever level it is; never summed;
- ``ROLLUP``: summed from the lower level's approved reports (following the row's
  aggregation); at the filling level, which has no lower level, it is typed in;
- ``FORMULA``: computed by its Excel formula, at every level;
- ``METRIC``: the value of a metric the connectors collect, for the unit and period.

Cells are named by spreadsheet address (``D9``). The definition reads from and writes to plain
JSON (:func:`template_from_dict`, :meth:`Template.to_dict`), the format of shipped forms too.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Any

from hub.model.units import AdminLevel
from hub.periods import Calendar, PeriodType
from hub.plugins.definitions import Aggregation
from hub.reports.cells import Address, address, column_letter
from hub.reports.errors import TemplateError
from hub.units.codes import LEVEL_RANK


class CellKind(StrEnum):
    INPUT = "INPUT"
    ROLLUP = "ROLLUP"
    FORMULA = "FORMULA"
    METRIC = "METRIC"


@dataclass(frozen=True)
class Cell:
    """One value cell of the form."""

    address: str
    kind: CellKind
    formula: str | None = None
    metric: str | None = None

    def to_dict(self) -> dict[str, Any]:
        found: dict[str, Any] = {"kind": self.kind.value}
        if self.formula is not None:
            found["formula"] = self.formula
        if self.metric is not None:
            found["metric"] = self.metric
        return found


@dataclass(frozen=True)
class Row:
    """An item of the form (or a heading, which has no value cells)."""

    row: int
    label: str
    code: str | None = None
    indent: int = 0
    unit: str | None = None
    """The unit of measure: ha, con, người, triệu đồng, %…"""
    aggregation: Aggregation = Aggregation.SUM
    """How its ROLLUP cells add up across units (see DESIGN.md, "Aggregation semantics")."""
    bold: bool = False


@dataclass(frozen=True)
class Column:
    """A value column of the form."""

    column: str
    label: str
    code: str | None = None
    number_format: str | None = None


@dataclass(frozen=True)
class Layout:
    """What the sheet shows around the table: titles, headers, merged cells, widths."""

    sheet: str = "Biểu mẫu"
    texts: dict[str, str] = field(default_factory=dict)
    """Fixed texts by address: titles, the header row, notes."""
    merged: tuple[str, ...] = ()
    widths: dict[str, float] = field(default_factory=dict)
    code_column: str | None = "A"
    label_column: str = "B"
    unit_column: str | None = "C"
    header_row: int = 1


@dataclass(frozen=True)
class Template:
    """A report form. Build one with :func:`template_from_dict`, which checks it."""

    code: str
    name: str
    rows: tuple[Row, ...]
    columns: tuple[Column, ...]
    cells: dict[str, Cell]
    period_type: PeriodType = PeriodType.MONTH
    calendar: Calendar = Calendar.ND09
    filling_level: AdminLevel = AdminLevel.COMMUNE
    deadlines: dict[AdminLevel, int] = field(default_factory=dict)
    """Per level that files the report: working days after the period's cut-off."""
    opens_days_before_cutoff: int = 3
    """A period opens for filing this many days before its cut-off (its last day)."""
    layout: Layout = field(default_factory=Layout)
    description: str | None = None
    version: int = 0
    """Goes up by one each time the stored form changes (:mod:`hub.reports.versions`);
    0 for a form not stored yet whose workbook carries no version."""

    @property
    def levels(self) -> list[AdminLevel]:
        """The levels that file this form: the filling level and every level above it."""
        rank = LEVEL_RANK[self.filling_level]
        return sorted((lv for lv in AdminLevel if LEVEL_RANK[lv] <= rank), key=LEVEL_RANK.get)

    def files_at(self, level: AdminLevel | str) -> bool:
        return LEVEL_RANK[AdminLevel(level)] <= LEVEL_RANK[self.filling_level]

    def row(self, number: int) -> Row | None:
        return next((row for row in self.rows if row.row == number), None)

    def row_of(self, cell: str) -> Row:
        found = self.row(Address.parse(cell).row)
        assert found is not None, cell
        return found

    def typed_at(self, cell: Cell, level: AdminLevel | str) -> bool:
        """Whether the unit filing at ``level`` types this cell in."""
        if cell.kind is CellKind.INPUT:
            return True
        return cell.kind is CellKind.ROLLUP and AdminLevel(level) == self.filling_level

    def to_dict(self) -> dict[str, Any]:
        """The definition as JSON; :func:`template_from_dict` reads it back unchanged."""
        return {
            "code": self.code,
            "version": self.version,
            "name": self.name,
            "description": self.description,
            "period_type": self.period_type.value,
            "calendar": self.calendar.value,
            "filling_level": self.filling_level.value,
            "deadlines": {level.value: days for level, days in self.deadlines.items()},
            "opens_days_before_cutoff": self.opens_days_before_cutoff,
            "layout": _layout_dict(self.layout),
            "columns": [_drop_none(vars(column)) for column in self.columns],
            "rows": [self._row_dict(row) for row in self.rows],
        }

    def _row_dict(self, row: Row) -> dict[str, Any]:
        found = _drop_none({**vars(row), "aggregation": row.aggregation.value})
        cells = {
            _letters(cell.address): cell.to_dict()
            for cell in self.cells.values()
            if Address.parse(cell.address).row == row.row
        }
        if cells:
            found["cells"] = dict(sorted(cells.items(), key=lambda item: _column_key(item[0])))
        return found


def template_from_dict(data: dict[str, Any]) -> Template:
    """Read a form from its JSON definition and check it (see :mod:`hub.reports.checks`).

    Besides explicit ``cells`` per row, a column may give a default for every item row: a
    ``kind``, or a ``formula`` with ``{r}`` standing for the row's number (a column with
    neither gives no default). A row's own
    ``cells`` entry overrides it (``null`` leaves the cell out); heading rows
    (``"heading": true``) have no cells. Raises TemplateError listing every problem.
    """
    from hub.reports.checks import check_template

    problems: list[str] = []
    template = _read(data, problems)
    if template is not None:
        problems.extend(check_template(template))
    if problems or template is None:
        raise TemplateError(problems or ["the template could not be read"])
    return template


def _read(data: dict[str, Any], problems: list[str]) -> Template | None:
    try:
        columns = tuple(_column(item) for item in data.get("columns") or [])
        rows_data = list(data.get("rows") or [])
        rows = tuple(_row(item) for item in rows_data)
        template = Template(
            code=str(data["code"]).strip(),
            name=str(data.get("name") or data["code"]).strip(),
            description=data.get("description"),
            rows=rows,
            columns=columns,
            cells={},
            period_type=PeriodType(str(data.get("period_type", "MONTH")).upper()),
            calendar=Calendar(str(data.get("calendar", "ND09")).upper()),
            filling_level=AdminLevel(str(data.get("filling_level", "COMMUNE")).upper()),
            deadlines={
                AdminLevel(str(level).upper()): int(days)
                for level, days in (data.get("deadlines") or {}).items()
            },
            opens_days_before_cutoff=int(data.get("opens_days_before_cutoff", 3)),
            layout=_layout(data.get("layout") or {}),
            version=int(data.get("version") or 0),
        )
    except KeyError as exc:
        problems.append(f"the template has no {exc.args[0]!r}")
        return None
    except (TypeError, ValueError) as exc:
        problems.append(f"the template is malformed: {exc}")
        return None
    cells = _cells(template, rows_data, data.get("columns") or [], problems)
    return replace(template, cells=cells)


def _column(item: dict[str, Any]) -> Column:
    return Column(
        column=column_letter(str(item["column"])),
        label=str(item.get("label") or item["column"]),
        code=item.get("code"),
        number_format=item.get("number_format"),
    )


def _row(item: dict[str, Any]) -> Row:
    return Row(
        row=int(item["row"]),
        label=str(item.get("label") or ""),
        code=None if item.get("code") is None else str(item["code"]),
        indent=int(item.get("indent", 0)),
        unit=item.get("unit") or None,
        aggregation=Aggregation(str(item.get("aggregation", "SUM")).upper()),
        bold=bool(item.get("bold", item.get("heading", False))),
    )


def _cells(
    template: Template,
    rows: list[dict[str, Any]],
    columns: list[dict[str, Any]],
    problems: list[str],
) -> dict[str, Cell]:
    defaults = {column_letter(str(c["column"])): c for c in columns}
    found: dict[str, Cell] = {}
    for item in rows:
        number = int(item["row"])
        given = {column_letter(k): v for k, v in (item.get("cells") or {}).items()}
        letters = set(given) if item.get("heading") else set(defaults) | set(given)
        for letter in sorted(letters, key=_column_key):
            spec = given[letter] if letter in given else _default(defaults.get(letter), number)
            if spec is None:
                continue
            cell = _cell(f"{letter}{number}", spec, problems)
            if cell is not None:
                found[cell.address] = cell
    return found


def _default(column: dict[str, Any] | None, row: int) -> Any:
    if column is None:
        return None
    if column.get("formula"):
        return {"kind": "FORMULA", "formula": str(column["formula"]).replace("{r}", str(row))}
    return {"kind": column["kind"]} if column.get("kind") else None


def _cell(where: str, spec: Any, problems: list[str]) -> Cell | None:
    """A cell from its spec: ``"=…"``, ``"INPUT"``, ``"METRIC:code"`` or a dict."""
    if isinstance(spec, str):
        text = spec.strip()
        if text.startswith("="):
            spec = {"kind": "FORMULA", "formula": text}
        elif text.upper().startswith("METRIC:"):
            spec = {"kind": "METRIC", "metric": text.split(":", 1)[1].strip()}
        else:
            spec = {"kind": text}
    if not isinstance(spec, dict):
        problems.append(f"{where}: {spec!r} is not a cell")
        return None
    given = str(spec.get("kind", "FORMULA" if spec.get("formula") else "ROLLUP"))
    try:
        kind = CellKind(given.upper())
    except ValueError:
        problems.append(f"{where}: {given!r} is not a cell kind (INPUT, ROLLUP, FORMULA, METRIC)")
        return None
    return Cell(
        address=address(where), kind=kind, formula=spec.get("formula"), metric=spec.get("metric")
    )


def _layout(data: dict[str, Any]) -> Layout:
    default = Layout()
    return Layout(
        sheet=str(data.get("sheet") or default.sheet),
        texts={address(k): str(v) for k, v in (data.get("texts") or {}).items()},
        merged=tuple(data.get("merged") or ()),
        widths={column_letter(k): float(v) for k, v in (data.get("widths") or {}).items()},
        code_column=_optional_letter(data.get("code_column", default.code_column)),
        label_column=column_letter(str(data.get("label_column", default.label_column))),
        unit_column=_optional_letter(data.get("unit_column", default.unit_column)),
        header_row=int(data.get("header_row", default.header_row)),
    )


def _layout_dict(layout: Layout) -> dict[str, Any]:
    return {
        "sheet": layout.sheet,
        "texts": dict(layout.texts),
        "merged": list(layout.merged),
        "widths": dict(layout.widths),
        "code_column": layout.code_column,
        "label_column": layout.label_column,
        "unit_column": layout.unit_column,
        "header_row": layout.header_row,
    }


def _optional_letter(value: Any) -> str | None:
    return None if value in (None, "") else column_letter(str(value))


def _letters(cell: str) -> str:
    return Address.parse(cell).letter


def _column_key(letter: str) -> tuple[int, str]:
    return (len(letter), letter)


def _drop_none(values: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in values.items() if value is not None}
