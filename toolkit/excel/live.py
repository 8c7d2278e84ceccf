"""The xlwings adapter: a workbook open in Excel as a job's source, and the panel's messages.

When the register or the tracker is open in the Excel that runs the button, the job reads it and
writes it there, so edits not yet saved are included and nothing is written behind Excel's back:

- read: the sheet's used range as one 2-D array (`used_range.options(ndim=2).value`), turned into a
  Table by the same header mapping and value parsing as the file engine's exact path
  (`read_table(..., grid=...)`);
- write: the plan's changed cells grouped by column into runs of adjacent rows, each run written as
  one 2-D array (`sheet.range((r1, c), (r2, c)).value = [[v], ...]`), never cell by cell; new headers
  likewise as one row. A cell of a toolkit column holding a formula is left and reported, as the
  file engine does.

Every xlwings call this toolkit makes is in this module, on parameters and attributes annotated
with the xlwings type they hold (App, Book, Sheet, Range): tests/test_excel_macros.py lists them
by reading this file and checks that the in-memory stand-in it tests with implements exactly those.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING

from toolkit.errors import Problem, ToolkitError
from toolkit.jobs.changes import CellChange, TablePlan
from toolkit.model.records import Table, read_table
from toolkit.settings import Settings
from toolkit.xlsx.safety import BACKUP_DIR
from toolkit.xlsx.workbook import loose_sheet_name

if TYPE_CHECKING:
    import xlwings as xw


# ------------------------------------------------------------------------------ the caller's workbook


def caller_book() -> xw.Book:
    """The workbook whose button is running this (RunPython)."""
    import xlwings as xw  # noqa: PLC0415 - loaded only when Excel runs a button (tests drive a stand-in)

    return xw.Book.caller()


def book_path(book: xw.Book) -> Path | None:
    """The workbook's file on disk; None when Excel has it from a web address (OneDrive/SharePoint)."""
    fullname = book.fullname
    if "://" in fullname:
        return None
    return Path(fullname)


def _same_file(a: str | Path, b: str | Path) -> bool:
    return os.path.normcase(os.path.abspath(a)) == os.path.normcase(os.path.abspath(b))


def find_open(app: xw.App, path: Path) -> xw.Book | None:
    """The workbook `path` if it is open in `app`."""
    for book in app.books:
        if _same_file(book.fullname, path):
            return book
    return None


def _find_sheet(book: xw.Book, wanted: str) -> xw.Sheet | None:
    """A sheet by name: exactly, else ignoring case, spaces and full/half width (as the file engine does)."""
    loose = None
    for sheet in book.sheets:
        if sheet.name == wanted:
            return sheet
        if loose is None and loose_sheet_name(sheet.name) == loose_sheet_name(wanted):
            loose = sheet
    return loose


def read_cell(book: xw.Book, sheet_name: str, ref: str) -> object:
    sheet = _find_sheet(book, sheet_name)
    if sheet is None:
        return None
    return sheet.range(ref).value


def alert(book: xw.Book, text: str, title: str, *, critical: bool = False) -> None:
    """Excel's message box."""
    book.app.alert(text, title=title, mode="critical" if critical else "info")


def write_block(book: xw.Book, sheet_name: str, ref: str, rows: list[list[object]]) -> bool:
    """Write a 2-D block with its top-left cell at `ref` in one call; False when there is no such sheet."""
    sheet = _find_sheet(book, sheet_name)
    if sheet is None or not rows:
        return False
    top = sheet.range(ref)
    r, c = top.row, top.column
    width = max(len(row) for row in rows)
    block = [[excel_value(v) for v in row] + [None] * (width - len(row)) for row in rows]
    sheet.range((r, c), (r + len(block) - 1, c + width - 1)).value = block
    return True


# ------------------------------------------------------------------------------ values into Excel

_LOOKS_TYPED = re.compile(r"[\s\d.,:/%$¥+\-()eE年月日时分秒]*\d[\s\d.,:/%$¥+\-()eE年月日时分秒]*")


def excel_value(value):
    """A value as Excel should receive it, so it is stored as the file engine stores it.

    Text that Excel would turn into something else when assigned (a formula for =, +, - or @; a number
    or date for digits; TRUE/FALSE) gets Excel's text prefix ', which Excel does not store.
    """
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() and abs(value) < 2**53 else float(value)
    if isinstance(value, dt.datetime):
        return value
    if isinstance(value, dt.date):
        return dt.datetime(value.year, value.month, value.day)
    if isinstance(value, str):
        if value and (value[0] in "=+-@'" or value.upper() in ("TRUE", "FALSE") or _LOOKS_TYPED.fullmatch(value)):
            return "'" + value
        return value
    return value


# ------------------------------------------------------------------------------ a workbook open in Excel


class LiveWorkbook:
    """A job's source for a workbook open in the caller's Excel (see toolkit.jobs.run.WorkbookSource)."""

    book: xw.Book
    sheet: xw.Sheet | None

    def __init__(self, book: xw.Book, path: Path):
        self.book = book
        self.path = Path(path)
        self.saved = False
        self.sheet = None

    def check_writable(self) -> None:
        """Excel holds it and we write through Excel: nothing to refuse."""

    def snapshot(self) -> None:
        """Excel waits while a button's Python runs: nobody changes it meanwhile."""

    def check_unchanged(self) -> None:
        pass

    def preflight(self, plan: TablePlan) -> None:
        pass

    def read(self, schema) -> Table:
        self.sheet = _find_sheet(self.book, schema.sheet)
        if self.sheet is None:
            raise ToolkitError(
                f"has no sheet named '{schema.sheet}' (its sheets are: {', '.join(self.sheet_names())})",
                path=self.path,
                hint="rename the sheet back, or set the sheet name in toolkit.toml",
            )
        return read_table(self.path, schema, sheet=self.sheet.name, grid=self.grid())

    def sheet_names(self) -> list[str]:
        names = []
        for sheet in self.book.sheets:
            names.append(sheet.name)
        return names

    def grid(self) -> list[list[object]]:
        """The sheet's cells from A1 as lists: its used range in one read, padded to start at A1."""
        assert self.sheet is not None, "read() finds the sheet first"
        used = self.sheet.used_range
        values = used.options(ndim=2).value
        top, left = used.row, used.column
        pad = [None] * (left - 1)
        rows: list[list[object]] = [[] for _ in range(top - 1)]
        return rows + [pad + list(row) for row in values]

    def write(self, plan: TablePlan, settings: Settings) -> list[Problem]:
        """Headers, then every changed cell, in column runs; formula cells are left, reported and dropped."""
        table = plan.table
        sheet = self.sheet
        assert sheet is not None, "read() finds the sheet first"
        if plan.new_headers:
            by_col = {col: header for col, header in plan.new_headers.values()}
            for first, run in _runs(sorted(by_col)):
                sheet.range((table.header_row, first), (table.header_row, run[-1])).value = [
                    [excel_value(by_col[c]) for c in run]
                ]
        problems: list[Problem] = []
        formulas: set[tuple[int, int]] = set()
        columns: dict[int, dict[int, CellChange]] = {}
        for ch in plan.changes:
            columns.setdefault(ch.col, {})[ch.row] = ch
        for col, by_row in sorted(columns.items()):
            rows = sorted(by_row)
            found = sheet.range((rows[0], col), (rows[-1], col)).formula
            found = _column(found)
            for r in rows:
                f = found[r - rows[0]]
                old = by_row[r].old
                if isinstance(f, str) and f.startswith("=") and (old is None or str(old) != f):
                    formulas.add((r, col))
            writable = [r for r in rows if (r, col) not in formulas]
            for first, run in _runs(writable):
                sheet.range((first, col), (run[-1], col)).value = [[excel_value(by_row[r].new)] for r in run]
        if formulas:
            for ch in plan.changes:
                if (ch.row, ch.col) in formulas:
                    problems.append(
                        Problem(
                            str(self.path),
                            table.sheet,
                            ch.row,
                            ch.header,
                            None,
                            f"cell {ch.ref} of this toolkit column holds a formula; the toolkit did "
                            "not overwrite it (clear the formula to let the toolkit fill the cell)",
                        )
                    )
            plan.drop_cells(formulas)
        if settings.excel.save_open_workbooks:
            self.save(settings.backups_kept)
        return problems

    def save(self, keep_backups: int) -> None:
        """Save through Excel, keeping the version on disk in .toolkit-backups/ first (a copy, not a link:
        Excel may write the file in place)."""
        _copy_backup(self.path, keep_backups)
        try:
            self.book.save()
        except Exception as exc:  # COM/AppleScript errors have no common type
            raise ToolkitError(
                f"the changes are in the open workbook but Excel could not save it ({exc})",
                path=self.path,
                hint="save it in Excel yourself",
            ) from None
        self.saved = True


def _column(found) -> list:
    """A one-column range's .formula as a flat list (xlwings gives a str for one cell, else rows)."""
    if isinstance(found, str):
        return [found]
    return [row[0] if isinstance(row, (list, tuple)) else row for row in found]


def _runs(numbers: list[int]):
    """Adjacent numbers grouped: [2, 3, 4, 9] -> (2, [2, 3, 4]), (9, [9])."""
    run: list[int] = []
    for n in numbers:
        if run and n != run[-1] + 1:
            yield run[0], run
            run = []
        run.append(n)
    if run:
        yield run[0], run


def _copy_backup(path: Path, keep: int) -> Path | None:
    if keep <= 0 or not path.exists():
        return None
    folder = path.parent / BACKUP_DIR
    folder.mkdir(exist_ok=True)
    target = folder / f"{path.stem}.{dt.datetime.now():%Y%m%d-%H%M%S-%f}{path.suffix}"
    shutil.copy2(path, target)
    backups = sorted(
        b for b in folder.glob(f"{path.stem}.*{path.suffix}") if b.name[len(path.stem) + 1 :][:8].isdigit()
    )
    for old in backups[:-keep]:
        try:
            old.unlink()
        except OSError:
            pass
    return target
