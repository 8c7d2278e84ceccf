"""From decisions to cell edits: compare computed values with what is in the sheet, write the difference.

Only cells whose value really changes are written, so running a job twice in a row changes
nothing the second time, and the change log lists real changes only.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field, fields
from decimal import Decimal, InvalidOperation
from itertools import islice
from operator import itemgetter

import numpy as np

from toolkit.errors import Problem
from toolkit.formats import show
from toolkit.i18n import _
from toolkit.jobs.layout import plan_look
from toolkit.model.records import Table
from toolkit.xlsx import WorkbookEditor
from toolkit.xlsx.editor import WriteReport
from toolkit.xlsx.refs import column_letter, make_ref, parse_ref
from toolkit.xlsx.safety import FileStamp
from toolkit.xlsx.tables import merged_ranges


@dataclass(frozen=True, slots=True, init=False)
class CellChange:
    job: str
    workbook: str  # file name
    sheet: str
    row: int
    col: int
    column: str  # canonical name
    header: str  # as staff see it
    key: str | None  # the row's customer ID or complaint number
    old: object
    new: object

    def __init__(
        self,
        job: str,
        workbook: str,
        sheet: str,
        row: int,
        col: int,
        column: str,
        header: str,
        key: str | None,
        old: object,
        new: object,
    ):
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


(_set_job, _set_workbook, _set_sheet, _set_row, _set_col, _set_column, _set_header, _set_key, _set_old, _set_new) = (
    CellChange.__dict__[name].__set__
    for name in ("job", "workbook", "sheet", "row", "col", "column", "header", "key", "old", "new")
)
assert [f.name for f in fields(CellChange)] == [
    "job",
    "workbook",
    "sheet",
    "row",
    "col",
    "column",
    "header",
    "key",
    "old",
    "new",
], "CellChange.__init__ sets every field"


class Picked(Sequence):
    """Some entries of a list, picked by position (`source[at[0]], source[at[1]], ...`), without copying them.

    A first fill changes millions of cells, in columns that skip a few rows: the rows, keys, old and new
    values of its changes as four copied lists would take hundreds of megabytes; picked, they share one
    array of positions (4 bytes a change) and the table's and the rules' own lists.
    """

    __slots__ = ("source", "at")

    def __init__(self, source: Sequence, at: np.ndarray):
        self.source, self.at = source, at

    def __len__(self) -> int:
        return len(self.at)

    def __getitem__(self, i):
        if isinstance(i, slice):
            return _gather(self.source, self.at[i].tolist())
        return self.source[self.at[i]]

    def __iter__(self):
        return map(self.source.__getitem__, self.at.tolist())

    def _parts(self, n: int = 65_536):
        for i in range(0, len(self.at), n):
            yield self[i : i + n]

    def count(self, value) -> int:
        return sum(part.count(value) for part in self._parts())

    def __contains__(self, value) -> bool:
        return any(value in part for part in self._parts())

    def __eq__(self, other) -> bool:
        return isinstance(other, Sequence) and len(self) == len(other) and all(a == b for a, b in zip(self, other))

    def __array__(self, dtype=None, copy=None):
        return np.fromiter(self, dtype=dtype if dtype is not None else object, count=len(self))

    def __repr__(self) -> str:
        return f"<{len(self)} picked values>"


@dataclass(slots=True)
class ColumnChanges:
    """One job's changes to one column of a sheet: aligned sequences, one entry per changed cell (lists, or
    Picked entries of the table's and the rules' lists).

    A first fill changes millions of cells; keeping them by column (one object per column, not per
    cell) is what lets the writer and the change log handle them fast.
    """

    job: str
    workbook: str
    sheet: str
    col: int
    column: str
    header: str
    rows: Sequence[int] = field(default_factory=list)
    keys: Sequence = field(default_factory=list)
    olds: Sequence = field(default_factory=list)
    news: Sequence = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.rows)

    def __iter__(self) -> Iterator[CellChange]:
        job, book, sheet, col, column, header = self.job, self.workbook, self.sheet, self.col, self.column, self.header
        for row, key, old, new in zip(self.rows, self.keys, self.olds, self.news):
            yield CellChange(job, book, sheet, row, col, column, header, key, old, new)

    def without_rows(self, rows: set[int]) -> ColumnChanges:
        keep = [i for i, r in enumerate(self.rows) if r not in rows]
        return ColumnChanges(
            self.job,
            self.workbook,
            self.sheet,
            self.col,
            self.column,
            self.header,
            [self.rows[i] for i in keep],
            [self.keys[i] for i in keep],
            [self.olds[i] for i in keep],
            [self.news[i] for i in keep],
        )


class ChangeList(Sequence):
    """The changed cells of one or more columns, read as a list of CellChange (made as they are read)."""

    def __init__(self, columns: Iterable[ColumnChanges] = ()):
        self.columns = [c for c in columns if len(c)]

    @classmethod
    def of(cls, changes: Iterable[CellChange]) -> ChangeList:
        """The same changes in the same order, each run of changes to one column kept together."""
        columns: list[ColumnChanges] = []
        current = None
        rows: list[int] = []
        keys: list = []
        olds: list = []
        news: list = []
        for ch in changes:
            if current is None or (ch.col, ch.job, ch.workbook, ch.sheet, ch.column, ch.header) != (
                current.col,
                current.job,
                current.workbook,
                current.sheet,
                current.column,
                current.header,
            ):
                rows, keys, olds, news = [], [], [], []
                current = ColumnChanges(
                    ch.job, ch.workbook, ch.sheet, ch.col, ch.column, ch.header, rows, keys, olds, news
                )
                columns.append(current)
            rows.append(ch.row)
            keys.append(ch.key)
            olds.append(ch.old)
            news.append(ch.new)
        return cls(columns)

    def __len__(self) -> int:
        return sum(len(c) for c in self.columns)

    def __iter__(self) -> Iterator[CellChange]:
        for c in self.columns:
            yield from c

    def __getitem__(self, i):
        if isinstance(i, slice):
            start, stop, step = i.indices(len(self))
            if step == 1:  # e.g. the first rows of a dry run's table: made without the others
                return list(islice(self, start, max(start, stop)))
            return list(self)[i]
        n = len(self)
        if i < 0:
            i += n
        if not 0 <= i < n:
            raise IndexError("change index out of range")
        for c in self.columns:
            if i < len(c):
                return CellChange(
                    c.job, c.workbook, c.sheet, c.rows[i], c.col, c.column, c.header, c.keys[i], c.olds[i], c.news[i]
                )
            i -= len(c)
        raise IndexError("change index out of range")  # pragma: no cover - the length was checked

    def __add__(self, other):
        if isinstance(other, ChangeList):
            return ChangeList(self.columns + other.columns)
        return list(self) + list(other)

    def __radd__(self, other):
        return list(other) + list(self)

    def __eq__(self, other) -> bool:
        if isinstance(other, (ChangeList, list, tuple)):
            return len(self) == len(other) and all(a == b for a, b in zip(self, other))
        return NotImplemented

    def __repr__(self) -> str:
        return f"<{len(self)} changed cells in {len(self.columns)} columns>"

    def count_by_workbook(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for c in self.columns:
            counts[c.workbook] = counts.get(c.workbook, 0) + len(c)
        return counts


@dataclass
class TablePlan:
    """The edits for one workbook's main sheet."""

    table: Table
    columns: list[ColumnChanges] = field(default_factory=list)
    new_headers: dict[str, tuple[int, str]] = field(default_factory=dict)  # name -> (col, header text)

    @property
    def changes(self) -> ChangeList:
        return ChangeList(self.columns)

    def drop_cells(self, cells: set[tuple[int, int]]) -> None:
        """Forget the changes of these (row, col) cells (left as they were, e.g. formula cells)."""
        rows_by_col: dict[int, set[int]] = {}
        for r, c in cells:
            rows_by_col.setdefault(c, set()).add(r)
        self.columns = [cc.without_rows(rows_by_col[cc.col]) if cc.col in rows_by_col else cc for cc in self.columns]


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


def plan_changes(
    plan: TablePlan, job: str, computed: dict[str, list], keep: dict[str, list] | None = None, language: str = "zh"
) -> None:
    """Add to `plan` the cell changes that make the sheet hold `computed` (column -> values by row index).

    `keep[name][i]` True means: leave that cell as it is.
    """
    table = plan.table
    schema = table.schema
    keys = table.values(schema.key)
    rows = table.rows
    blank = None  # the old values of the columns the sheet does not have yet (one list for all of them)
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
        if not table.blank(name):
            old_values = table.values(name, keep=False)  # (looked at once: not kept as a list)
        else:
            blank = blank if blank is not None else [None] * len(rows)
            old_values = blank
        skip = (keep or {}).get(name)
        # a rule returning a column of the wrong length fails instead of writing part of it
        for what, column in (("values", values), ("keep flags", skip)):
            if column is not None and len(column) != len(keys):
                raise ValueError(f"{len(column)} {what} for column {name} of {len(keys)} rows")
        changed = _changed_rows(old_values, values, skip, col_def.type)
        picked: tuple[Sequence[int], Sequence, Sequence, Sequence]  # rows, keys, old and new values
        if len(changed) == len(rows):  # every row (the positions are increasing and distinct)
            picked = (rows, keys, old_values, values)
        elif len(changed) < 1024:
            picked = (
                _gather(rows, changed),
                _gather(keys, changed),
                _gather(old_values, changed),
                _gather(values, changed),
            )
        else:
            at = np.asarray(changed, dtype=np.int32)
            picked = (Picked(rows, at), Picked(keys, at), Picked(old_values, at), Picked(values, at))
        plan.columns.append(ColumnChanges(job, table.path.name, table.sheet, col, name, header, *picked))


def _gather(values: Sequence, indexes: list[int]) -> list:
    """[values[i] for i in indexes], at C speed (a first fill gathers millions)."""
    if len(indexes) < 2:
        return [values[i] for i in indexes]
    return list(itemgetter(*indexes)(values))


def _changed_rows(old_values: list, values: list, skip: list | None, kind: str) -> list[int]:
    """The row indexes whose cell really changes (and is not to be kept)."""
    if old_values.count(None) == len(old_values):  # an empty column (a first fill): every value is new
        if skip is None or True not in skip:
            if None not in values and "" not in values:  # every cell gets a value (the counts run at C speed)
                return list(range(len(values)))
            return [i for i, new in enumerate(values) if new is not None and new != ""]
        return [i for i, (new, left) in enumerate(zip(values, skip)) if not left and new is not None and new != ""]
    # The common case, a cell that keeps its value (equal, of the same type), is found for the whole
    # column at once (C loops over object arrays: a daily run compares millions of cells); only the
    # other cells are looked at one by one.
    n = len(values)
    olds, news = np.fromiter(old_values, object, n), np.fromiter(values, object, n)
    same = olds == news
    same &= np.fromiter(map(type, old_values), object, n) == np.fromiter(map(type, values), object, n)
    changed: list[int] = []
    add = changed.append
    for i in np.flatnonzero(~same).tolist():
        old, new = old_values[i], values[i]
        if skip is not None and skip[i]:
            continue
        if old is None:  # an empty cell: same_value's first case, inlined
            if new is None or new == "":
                continue
        elif same_value(old, new, kind):
            continue
        add(i)
    return changed


def write_plan(
    plan: TablePlan,
    *,
    keep_backups: int,
    stamp: FileStamp | None,
    highlight: dict[str, tuple[str, str]] | None = None,
) -> tuple[WriteReport, list[Problem]]:
    """Write the plan's headers and changed cells in one atomic save. Formula cells are left and reported."""
    table = plan.table
    if plan.new_headers:
        _clear_merged_header(plan)
    editor = WorkbookEditor(table.path)
    edit = editor.edit_for(table.sheet)
    for col, header in plan.new_headers.values():
        edit.set(table.header_row, col, header)
        edit.headers_added.append((table.header_row, col, header))
    for cc in plan.columns:  # whole columns: the writer builds a first fill's millions of cells column by column
        edit.set_column(cc.col, cc.rows, cc.news)
    if plan.new_headers:  # the added columns look like the sheet (toolkit/jobs/layout.py)
        news_of = {cc.col: cc.news for cc in plan.columns}
        added = [
            (table.schema.column(name), col, header, news_of.get(col, ()))
            for name, (col, header) in plan.new_headers.items()
        ]
        look = plan_look(added, table.header_row, table.header_last_col, highlight)
        edit.like.update(look.like)
        edit.widths.update(look.widths)
        edit.highlights += look.highlights
    report = editor.save(keep_backups=keep_backups, on_formula="skip", expect=stamp)
    problems = []
    header_of = {cc.col: cc.header for cc in plan.columns}  # the planned cells are data rows of these columns
    for ref, merged, value in report.skipped_merged:
        sheet, _sep, cell = ref.rpartition("!")
        row, col = parse_ref(cell)
        problems.append(
            Problem(
                str(table.path),
                sheet,
                row,
                header_of.get(col, cell) if row != table.header_row else cell,
                value,
                _(
                    "cell {cell} is hidden under the merged cells {merged}; the toolkit did not write it "
                    "(unmerge the cells to let the toolkit fill it)"
                ).format(cell=cell, merged=merged),
            )
        )
    if report.skipped_merged:
        plan.drop_cells({parse_ref(ref.rpartition("!")[2]) for ref, _m, _v in report.skipped_merged})
    for ref in report.skipped_formulas:
        sheet, _sep, cell = ref.rpartition("!")
        row, col = parse_ref(cell)
        problems.append(
            Problem(
                str(table.path),
                sheet,
                row,
                header_of.get(col, cell) if row != table.header_row else cell,
                None,
                _(
                    "cell {cell} of this toolkit column holds a formula; the toolkit did not overwrite it (clear the formula to let the toolkit fill the cell)"
                ).format(cell=cell),
            )
        )
    return report, problems


def _clear_merged_header(plan: TablePlan) -> None:
    """New columns start right of a merge that spans the sheet's last header (a header merged over two
    columns would hide the first new header): the planned columns move right past it."""
    table = plan.table
    last = table.header_last_col
    ends = [
        c2
        for r1, c1, r2, c2 in merged_ranges(table.path, table.sheet)
        if r1 <= table.header_row <= r2 and c1 <= last < c2
    ]
    if not ends:
        return
    shift = max(ends) - last
    moved = {col for col, _h in plan.new_headers.values()}
    plan.new_headers = {name: (col + shift, header) for name, (col, header) in plan.new_headers.items()}
    for cc in plan.columns:
        if cc.col in moved:
            cc.col += shift


def describe(change: CellChange) -> tuple:
    """One change as a row of the --dry-run table, values as people write them."""
    shown = show
    return (
        change.workbook,
        f"{column_letter(change.col)}{change.row}",
        change.key or "",
        change.header,
        shown(change.old),
        shown(change.new),
    )
