"""From decisions to cell edits: compare computed values with what is in the sheet, write the difference.

Only cells whose value really changes are written, so running a job twice in a row changes
nothing the second time, and the change log lists real changes only.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from toolkit.errors import Problem
from toolkit.model.records import Table
from toolkit.xlsx import WorkbookEditor
from toolkit.xlsx.editor import WriteReport
from toolkit.xlsx.refs import column_letter, make_ref
from toolkit.xlsx.safety import FileStamp


@dataclass(frozen=True, slots=True)
class CellChange:
    job: str
    workbook: str        # file name
    sheet: str
    row: int
    col: int
    column: str          # canonical name
    header: str          # as staff see it
    key: str | None      # the row's customer ID or complaint number
    old: object
    new: object

    @property
    def ref(self) -> str:
        return make_ref(self.row, self.col)


@dataclass
class TablePlan:
    """The edits for one workbook's main sheet."""

    table: Table
    changes: list[CellChange] = field(default_factory=list)
    new_headers: dict[str, tuple[int, str]] = field(default_factory=dict)  # name -> (col, header text)


def _norm(value, kind: str):
    if value is None or value == "":
        return None
    if kind == "datetime" and isinstance(value, dt.datetime):
        return value.replace(microsecond=0)
    if kind == "datetime" and isinstance(value, dt.date):
        return dt.datetime(value.year, value.month, value.day)
    if kind == "date" and isinstance(value, dt.datetime):
        return value.date()
    if kind in ("decimal", "integer") and isinstance(value, (int, float, Decimal)) and not isinstance(value, bool):
        try:
            return Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
        except InvalidOperation:
            return value
    if isinstance(value, str):
        return value.strip()
    return value


def same_value(old, new, kind: str) -> bool:
    if old is None:  # an empty cell: changed unless the new value is empty too
        return new is None or new == ""
    return _norm(old, kind) == _norm(new, kind)


def plan_changes(plan: TablePlan, job: str, computed: dict[str, list], keep: dict[str, list] | None = None,
                 language: str = "zh") -> None:
    """Add to `plan` the cell changes that make the sheet hold `computed` (column -> values by row index).

    `keep[name][i]` True means: leave that cell as it is.
    """
    table = plan.table
    schema = table.schema
    keys = table.values(schema.key)
    for name, values in computed.items():
        col_def = schema.column(name)
        if col_def.owner != "toolkit":
            raise ValueError(f"refusing to write staff column {name}")
        if name in table.columns:
            col = table.columns[name]
            header = table.headers[name]
        elif name in plan.new_headers:
            col, header = plan.new_headers[name]
        else:
            col = table.header_last_col + len(plan.new_headers) + 1
            header = col_def.header_for(language)
            plan.new_headers[name] = (col, header)
        old_values = table.values(name)
        skip = (keep or {}).get(name)
        kind = col_def.type
        changes = plan.changes
        book, sheet, rows = table.path.name, table.sheet, table.rows
        for i, new in enumerate(values):
            old = old_values[i]
            if old == new and type(old) is type(new):  # the common case: nothing to do
                continue
            if skip is not None and skip[i]:
                continue
            if not same_value(old, new, kind):
                changes.append(CellChange(job, book, sheet, rows[i], col, name, header, keys[i], old, new))


def write_plan(plan: TablePlan, *, keep_backups: int, stamp: FileStamp | None) -> tuple[WriteReport, list[Problem]]:
    """Write the plan's headers and changed cells in one atomic save. Formula cells are left and reported."""
    table = plan.table
    editor = WorkbookEditor(table.path)
    edit = editor.edit_for(table.sheet)
    for name, (col, header) in plan.new_headers.items():
        edit.set(table.header_row, col, header)
    for ch in plan.changes:
        edit.set(ch.row, ch.col, ch.new)
    report = editor.save(keep_backups=keep_backups, on_formula="skip", expect=stamp)
    problems = []
    header_of = {ch.ref: ch.header for ch in plan.changes}
    for ref in report.skipped_formulas:
        sheet, _, cell = ref.rpartition("!")
        problems.append(Problem(str(table.path), sheet, int("".join(ch for ch in cell if ch.isdigit())),
                                header_of.get(cell, cell), None,
                                f"cell {cell} of this toolkit column holds a formula; the toolkit did not overwrite "
                                "it (clear the formula to let the toolkit fill the cell)"))
    return report, problems


def describe(change: CellChange) -> tuple:
    def shown(v):
        if v is None:
            return ""
        if isinstance(v, dt.datetime):
            return f"{v:%Y-%m-%d %H:%M}"
        return str(v)

    return (change.workbook, f"{column_letter(change.col)}{change.row}", change.key or "", change.header,
            shown(change.old), shown(change.new))
