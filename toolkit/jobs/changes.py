"""From decisions to cell edits: compare computed values with what is in the sheet, write the difference.

Only cells whose value really changes are written, so running a job twice in a row changes
nothing the second time, and the change log lists real changes only.
"""

from __future__ import annotations

import datetime as dt
import gc
from contextlib import contextmanager
from dataclasses import dataclass, field, fields
from decimal import Decimal, InvalidOperation
from itertools import repeat

from toolkit.errors import Problem
from toolkit.model.records import Table
from toolkit.xlsx import WorkbookEditor
from toolkit.xlsx.editor import WriteReport
from toolkit.xlsx.refs import column_letter, make_ref
from toolkit.xlsx.safety import FileStamp


@dataclass(frozen=True, slots=True, init=False)
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

    def __init__(self, job: str, workbook: str, sheet: str, row: int, col: int, column: str, header: str,
                 key: str | None, old: object, new: object):
        # The generated __init__ of a frozen dataclass sets each field through object.__setattr__,
        # which costs ~2 us a change; a first fill makes millions of changes. The slots' own
        # setters store the same values at half the cost, and the instance stays frozen.
        _set_job(self, job)
        _set_workbook(self, workbook)
        _set_sheet(self, sheet)
        _set_row(self, row)
        _set_col(self, col)
        _set_column(self, column)
        _set_header(self, header)
        _set_key(self, key)
        _set_old(self, old)
        _set_new(self, new)

    @property
    def ref(self) -> str:
        return make_ref(self.row, self.col)


(_set_job, _set_workbook, _set_sheet, _set_row, _set_col, _set_column, _set_header, _set_key, _set_old,
 _set_new) = (CellChange.__dict__[name].__set__ for name in (
    "job", "workbook", "sheet", "row", "col", "column", "header", "key", "old", "new"))
assert [f.name for f in fields(CellChange)] == ["job", "workbook", "sheet", "row", "col", "column", "header",
                                                 "key", "old", "new"], "CellChange.__init__ sets every field"


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


@contextmanager
def _collector_paused():
    """Pause Python's cycle collector while millions of CellChange objects are made.

    They hold no reference cycles, but each one is tracked, and the collector would scan the growing
    list of them again and again (half the planning time of a first fill). Cycles made meanwhile are
    collected once it runs again.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def plan_changes(plan: TablePlan, job: str, computed: dict[str, list], keep: dict[str, list] | None = None,
                 language: str = "zh") -> None:
    """Add to `plan` the cell changes that make the sheet hold `computed` (column -> values by row index).

    `keep[name][i]` True means: leave that cell as it is.
    """
    with _collector_paused():
        _plan_changes(plan, job, computed, keep, language)


def _plan_changes(plan: TablePlan, job: str, computed: dict[str, list], keep: dict[str, list] | None,
                  language: str) -> None:
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
        add = plan.changes.append
        book, sheet = table.path.name, table.sheet
        # One pass over the aligned columns (zip, not indexing: this loop runs once per cell);
        # strict, so a rule returning a column of the wrong length fails instead of writing part of it.
        for old, new, row, key, left in zip(old_values, values, table.rows, keys,
                                             skip if skip is not None else repeat(False, len(keys)), strict=True):
            if old == new and type(old) is type(new):  # the common case: nothing to do
                continue
            if left:
                continue
            if old is None:  # an empty cell (a first fill): same_value's first case, inlined
                if new is None or new == "":
                    continue
            elif same_value(old, new, kind):
                continue
            add(CellChange(job, book, sheet, row, col, name, header, key, old, new))


def write_plan(plan: TablePlan, *, keep_backups: int, stamp: FileStamp | None) -> tuple[WriteReport, list[Problem]]:
    """Write the plan's headers and changed cells in one atomic save. Formula cells are left and reported."""
    table = plan.table
    editor = WorkbookEditor(table.path)
    edit = editor.edit_for(table.sheet)
    for name, (col, header) in plan.new_headers.items():
        edit.set(table.header_row, col, header)
    cells = edit.values  # edit.set(row, col, value) inlined: this loop runs once per changed cell
    for ch in plan.changes:
        by_col = cells.get(ch.row)
        if by_col is None:
            by_col = cells[ch.row] = {}
        by_col[ch.col] = ch.new
    report = editor.save(keep_backups=keep_backups, on_formula="skip", expect=stamp)
    problems = []
    # the headers of skipped formula cells; built only when there are some (rare; millions of refs otherwise)
    header_of = {ch.ref: ch.header for ch in plan.changes} if report.skipped_formulas else {}
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
