"""The xlwings adapter: a workbook open in Excel as a job's source, and the panel's messages.

When the register or the tracker is open in the Excel that runs the button, the job reads it and
writes it there, so edits not yet saved are included and nothing is written behind Excel's back.

Finding the workbooks (cloud-safe)
    Open workbooks are compared by name first and only a workbook with the wanted name is asked for
    its full name, as xlwings' own ``Book(fullname)`` does (main.py: "Comparing by name first saves
    us from having to compare the fullname for non-candidates, which can get around issues in case
    the fullname is a problematic URL (GH 1946)"). For a workbook opened from OneDrive/SharePoint,
    xlwings' ``Book.fullname`` turns the web address into the synced local path or raises
    (utils.fullname_url_to_local_path: ``XlwingsError("Couldn't find your SharePoint file
    locally...")``; on a Mac without SHAREPOINT_MAC even an UnboundLocalError), so every other
    workbook in that Excel is skipped unasked, and a same-named one whose path cannot be resolved
    is reported, never guessed at. Paths are compared with ``os.path.samefile`` (drive letters,
    case, symlinks, 8.3 names), falling back to the normalised text when a file is gone.

Reading
    The sheet's used range in one call (``used_range.options(ndim=2).value``), turned into a Table
    by the same header mapping and value parsing as the file engine (``read_table(..., grid=...)``).
    The header row and the key column are remembered.

Before the first write (``check_unchanged``, ``preflight``)
    - the header row and the key column are read again: a difference (the clerk sorted, inserted
      or deleted rows, or edited a header - on a Mac the job runs in the background while Excel
      stays usable) stops the job before anything is written;
    - a workbook opened read-only is refused (Excel would refuse to save it);
    - the cells to write are worked out as a few rectangles (toolkit.excel.blocks), from their
      formulas and values read in one call per rectangle;
    - on a protected sheet, locked cells among them are refused with their cells; merged cells
      among them likewise (Excel refuses to write part of a merged cell).

Writing
    Each rectangle is one ``range.value = [[...], ...]`` (xlwings itself splits a write of more
    than 100,000 cells into chunks), with screen updating, events and automatic calculation off and
    restored in ``finally``. A write Excel still refuses stops the job with the cells already changed
    and the fact that nothing was saved. Then the workbook is saved through Excel (its version on
    disk kept in .toolkit-backups/ first); a save that fails leaves the changes in the open workbook
    and says so.

Every xlwings call this toolkit makes is in this module, on parameters and attributes annotated
with the xlwings type they hold (App, Book, Sheet, Range): tests/test_excel_macros.py lists them
by reading this file and checks that the stand-in for Excel it tests with implements exactly those.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import sys
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from toolkit.errors import Problem, ToolkitError, WorkbookBusy, WorkbookRefused
from toolkit.excel.blocks import Block, column_runs, excel_value, header_blocks, merge_refs, plan_blocks, span
from toolkit.formats import show
from toolkit.i18n import _
from toolkit.jobs.changes import TablePlan
from toolkit.model.records import Table, read_table
from toolkit.settings import Settings
from toolkit.xlsx.safety import BACKUP_DIR
from toolkit.xlsx.workbook import loose_sheet_name

if TYPE_CHECKING:
    import xlwings as xw

__all__ = [
    "LiveWorkbook",
    "alert",
    "book_location",
    "book_path",
    "caller_book",
    "excel_value",
    "find_open",
    "quiet",
    "read_cell",
    "write_block",
]

IS_MAC = sys.platform == "darwin"  # xlwings' .api is appscript there, COM on Windows


# ------------------------------------------------------------------------------ the caller's workbook


def caller_book() -> xw.Book:
    """The workbook whose button is running this (RunPython)."""
    import xlwings as xw  # noqa: PLC0415 - loaded only when Excel runs a button (tests drive a stand-in)

    return xw.Book.caller()


def _reason(exc: BaseException) -> str:
    """What went wrong, in the words Excel or xlwings used: COM errors carry Excel's own description in
    their excepinfo (pywintypes.com_error(hresult, text, (code, source, description, ...), arg)), else
    their text; anything else its first line."""
    args = exc.args
    if (
        len(args) >= 3
        and isinstance(args[2], tuple)
        and len(args[2]) > 2
        and isinstance(args[2][2], str)
        and args[2][2].strip()
    ):
        return args[2][2].strip()
    if len(args) >= 2 and isinstance(args[0], int) and isinstance(args[1], str) and args[1].strip():
        return args[1].strip()
    first = (str(exc).strip().splitlines() or [""])[0]
    return first or type(exc).__name__


def book_location(book: xw.Book) -> tuple[Path | None, str | None]:
    """(the workbook's file on this computer, None) or (None, why xlwings could not tell it).

    xlwings turns a OneDrive/SharePoint address into the synced file's path, or raises when it cannot
    (an unsynced file, a SharePoint library without the SHAREPOINT_WIN/_MAC setting).
    """
    try:
        fullname = book.fullname
    except Exception as exc:  # XlwingsError, and whatever else xlwings' URL conversion raises
        from xlwings import XlwingsError  # noqa: PLC0415 - loaded only when Excel runs a button

        if isinstance(exc, XlwingsError):
            return None, _reason(exc)
        # e.g. UnboundLocalError from utils.fullname_url_to_local_path for a SharePoint address when neither
        # SHAREPOINT_WIN/_MAC nor OneDriveCommercial gives the synced root (it reads a `root` never assigned)
        return None, _("xlwings does not know where this library is synced on this computer")
    return Path(fullname), None


def book_path(book: xw.Book) -> Path | None:
    """The workbook's file on disk; None when xlwings cannot match it to a file on this computer."""
    return book_location(book)[0]


def _name_key(name: str) -> str:
    return unicodedata.normalize("NFC", name).casefold()  # Excel compares names without case; macOS stores NFD


def _same_file(a: str | Path, b: str | Path) -> bool:
    try:
        return os.path.samefile(a, b)
    except (OSError, ValueError):
        return os.path.normcase(os.path.abspath(a)) == os.path.normcase(os.path.abspath(b))


def find_open(app: xw.App, path: Path, *, unresolved: list[tuple[str, str]] | None = None) -> xw.Book | None:
    """The workbook `path` if it is open in `app`.

    Only workbooks with the same name are asked where they are; one whose place xlwings cannot tell
    is not taken for `path` and is added to `unresolved` as (name, reason).
    """
    wanted = _name_key(Path(path).name)
    for book in app.books:
        if _name_key(book.name) != wanted:
            continue
        here, why = book_location(book)
        if here is None:
            if unresolved is not None:
                unresolved.append((book.name, why or ""))
            continue
        if _same_file(here, path):
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


@contextmanager
def quiet(app: xw.App) -> Iterator[None]:
    """Screen updating, events and automatic calculation off while the toolkit writes; put back after.

    Each is put back even when a write fails; a failure to put one back does not hide that failure.
    """
    screen = events = calculation = None
    try:
        screen = app.screen_updating
        app.screen_updating = False
        events = app.enable_events
        app.enable_events = False
        calculation = app.calculation
        if calculation != "manual":
            app.calculation = "manual"
        yield
    finally:
        if calculation is not None and calculation != "manual":
            try:
                app.calculation = calculation
            except Exception:
                pass
        if events is not None:
            try:
                app.enable_events = events
            except Exception:
                pass
        if screen is not None:
            try:
                app.screen_updating = screen
            except Exception:
                pass


# ------------------------------------------------------------------------------ what the engine's .api says


def is_read_only(book: xw.Book) -> bool:
    """Workbook.ReadOnly (Windows) / read only (Mac): opened read-only, so Excel will not save it."""
    api = book.api
    return bool(api.read_only.get() if IS_MAC else api.ReadOnly)


def is_protected(sheet: xw.Sheet) -> bool:
    """Worksheet.ProtectContents: the sheet is protected (Review > Protect Sheet)."""
    api = sheet.api
    return bool(api.protect_contents.get() if IS_MAC else api.ProtectContents)


def locked(rng: xw.Range) -> bool | None:
    """Range.Locked: True, False, or None when some of the cells are locked (COM gives Null)."""
    api = rng.api
    return api.locked.get() if IS_MAC else api.Locked


def merged(rng: xw.Range) -> bool | None:
    """Range.MergeCells: True when every cell is part of a merged area, False for none, None for some."""
    return rng.merge_cells


def _grid(found, height: int, width: int) -> list[list[object]]:
    """Range.formula as rows. xlwings passes on what the engine gives: a str for one cell, else rows of
    cells (COM: a tuple of tuples); a flat sequence is taken as the one row or the one column it must be."""
    rows: list[list[object]]
    if isinstance(found, str) or found is None:
        rows = [[found or ""]]
    elif all(isinstance(r, (list, tuple)) for r in found):
        rows = [list(r) for r in found]
    elif height == 1:
        rows = [list(found)]
    else:
        rows = [[v] for v in found]
    if len(rows) != height or any(len(r) != width for r in rows):
        raise ValueError(f"Range.formula gave {len(rows)} row(s) for a range of {height} x {width} cells")
    return rows


# ------------------------------------------------------------------------------ a workbook open in Excel


class LiveWorkbook:
    """A job's source for a workbook open in the caller's Excel (see toolkit.jobs.run.WorkbookSource)."""

    book: xw.Book
    sheet: xw.Sheet | None

    def __init__(self, book: xw.Book, path: Path):
        self.book = book
        self.path = Path(path)
        self.saved = False
        self.save_error: str | None = None
        self.written: list[str] = []  # the ranges written, as A1 references
        self.sheet = None
        self.table: Table | None = None
        self._headers: list[object] = []
        self._keys: tuple[int, int, list[object]] | None = None  # (key column, first row, values)
        self._blocks: list[Block] | None = None
        self._formulas: set[tuple[int, int]] = set()

    # -- the WorkbookSource steps

    def check_writable(self) -> None:
        """Refuse a workbook Excel has open read-only: it could be changed but never saved."""
        if is_read_only(self.book):
            raise WorkbookRefused(
                _("is open read-only in Excel, so the toolkit could not save its changes; nothing was changed"),
                path=self.path,
                hint=_(
                    "close it and open it again for editing (not from an e-mail or as "
                    "'read-only'), then click the button again"
                ),
            )

    def snapshot(self) -> None:
        """What the job compares before writing is remembered by read()."""

    def read(self, schema) -> Table:
        self.sheet = _find_sheet(self.book, schema.sheet)
        if self.sheet is None:
            raise ToolkitError(
                _("has no sheet named '{sheet}' (its sheets are: {join})").format(
                    sheet=schema.sheet, join=", ".join(self.sheet_names())
                ),
                path=self.path,
                hint=_("rename the sheet back, or set the sheet name in toolkit.toml"),
            )
        grid = self.grid()
        table = read_table(self.path, schema, sheet=self.sheet.name, grid=grid)
        self.table = table
        header = list(grid[table.header_row - 1]) if len(grid) >= table.header_row else []
        while header and header[-1] is None:
            header.pop()
        self._headers = header
        key_col = table.columns.get(schema.key)
        if key_col is not None and len(grid) > table.header_row:
            first = table.header_row + 1
            keys = [row[key_col - 1] if len(row) >= key_col else None for row in grid[first - 1 :]]
            self._keys = (key_col, first, keys)
        return table

    def check_unchanged(self) -> None:
        """Read the header row and the key column again: the job stops if either changed since it read them."""
        if self.table is None or self.sheet is None:
            return
        row = self.table.header_row
        changed = False
        if self._headers:
            now = self.sheet.range((row, 1), (row, len(self._headers))).options(ndim=2).value[0]
            changed = [_same(a) for a in now] != [_same(b) for b in self._headers]
        if not changed and self._keys is not None:
            col, first, keys = self._keys
            now = self.sheet.range((first, col), (first + len(keys) - 1, col)).options(ndim=2).value
            changed = [_same(r[0]) for r in now] != [_same(k) for k in keys]
        if changed:
            raise WorkbookBusy(
                _(
                    "sheet '{sheet}': the sheet changed while the job ran (rows sorted, inserted or "
                    "deleted, or a header edited); nothing was written"
                ).format(sheet=self.sheet.name),
                path=self.path,
                hint=_("click the button again"),
            )

    def preflight(self, plan: TablePlan) -> None:
        """Work out the writes; refuse locked cells of a protected sheet and merged cells among them."""
        sheet = self.sheet
        assert sheet is not None and self.table is not None, "read() finds the sheet first"
        changes: dict[int, dict[int, object]] = {}
        for column in plan.columns:
            target = changes.setdefault(column.col, {})
            for r, new in zip(column.rows, column.news):
                target[r] = new
        blocks: list[Block] = []
        if plan.new_headers:
            blocks += header_blocks(self.table.header_row, {col: header for col, header in plan.new_headers.values()})
        self._formulas = set()
        for run in column_runs(c for c in changes if changes[c]):
            top, bottom = span(changes, run)
            rng = sheet.range((top, run[0]), (bottom, run[-1]))
            formulas = _grid(rng.formula, bottom - top + 1, len(run))
            values = rng.options(ndim=2).value
            found = plan_blocks({c: changes[c] for c in run}, top, run[0], formulas, values)
            blocks += found.blocks
            self._formulas |= found.formulas
        self._blocks = blocks
        obstacles = []
        if blocks and is_protected(sheet):
            cells = []
            for b in blocks:
                cells += self._cells_where(b, locked)
            if cells:
                obstacles.append(
                    _(
                        "the sheet is protected and these cells of the toolkit's columns are locked: "
                        "{cells} (unprotect the sheet, or unlock the toolkit's columns)"
                    ).format(cells=merge_refs(cells))
                )
        cells = []
        for b in blocks:
            cells += self._cells_where(b, merged)
        if cells:
            obstacles.append(
                _(
                    "these cells of the toolkit's columns are merged with others: {cells} (unmerge "
                    "them: Home > Merge & Center > Unmerge Cells)"
                ).format(cells=merge_refs(cells))
            )
        if obstacles:
            raise WorkbookRefused(
                _("sheet '{sheet}': Excel would refuse to write here, so nothing was written: {obstacles}").format(
                    sheet=sheet.name, obstacles="; ".join(obstacles)
                ),
                path=self.path,
                hint=_("correct it in Excel, then click the button again"),
            )

    def _cells_where(self, block: Block, test) -> list[tuple[int, int]]:
        """The cells of `block` for which `test(range)` holds. `test` answers True (every cell), False (none)
        or None (some), as Excel's Range.Locked and Range.MergeCells do, so a clean block costs one call and
        a mixed one is halved until each part answers True or False."""
        sheet = self.sheet
        assert sheet is not None, "read() finds the sheet first"
        found = []
        pending = [(block.top, block.left, block.bottom, block.right)]
        while pending:
            top, left, bottom, right = pending.pop()
            answer = test(sheet.range((top, left), (bottom, right)))
            if answer is not None and not answer:
                continue
            if answer is not None or (top == bottom and left == right):
                found += [(r, c) for r in range(top, bottom + 1) for c in range(left, right + 1)]
                continue
            if bottom > top:
                mid = (top + bottom) // 2
                pending += [(mid + 1, left, bottom, right), (top, left, mid, right)]
            else:
                mid = (left + right) // 2
                pending += [(top, mid + 1, bottom, right), (top, left, top, mid)]
        return sorted(found, key=lambda rc: (rc[1], rc[0]))

    def write(self, plan: TablePlan, settings: Settings) -> list[Problem]:
        """Write the rectangles worked out by preflight(); formula cells are left, reported and dropped."""
        if self._blocks is None:
            self.preflight(plan)
        self.check_unchanged()  # again, right before the first write: Excel on a Mac stays usable meanwhile
        sheet, blocks = self.sheet, self._blocks
        assert sheet is not None and blocks is not None, "preflight() works out the blocks"
        table = plan.table
        written: list[Block] = []
        with quiet(self.book.app):
            for block in blocks:
                try:
                    sheet.range((block.top, block.left), (block.bottom, block.right)).value = block.values
                except Exception as exc:  # COM/AppleScript errors have no common type
                    done = ", ".join(b.ref for b in written) or _("none")
                    raise WorkbookRefused(
                        _(
                            "sheet '{sheet}': Excel refused to write the cells {cells} ({reason}). Cells the toolkit "
                            "had already changed in the open workbook: {done}. Nothing was saved"
                        ).format(sheet=sheet.name, cells=block.ref, reason=_reason(exc), done=done),
                        path=self.path,
                        hint=_(
                            "close the workbook without saving to undo those changes, or save it "
                            "to keep them; then click the button again"
                        ),
                    ) from None
                written.append(block)
                self.written.append(block.ref)
        problems: list[Problem] = []
        if self._formulas:
            for ch in plan.changes:
                if (ch.row, ch.col) in self._formulas:
                    problems.append(
                        Problem(
                            str(self.path),
                            table.sheet,
                            ch.row,
                            ch.header,
                            None,
                            _(
                                "cell {ref} of this toolkit column holds a formula; the toolkit did not overwrite it (clear the formula to let the toolkit fill the cell)"
                            ).format(ref=ch.ref),
                        )
                    )
            plan.drop_cells(self._formulas)
        if settings.excel.save_open_workbooks:
            self.save(settings.backups_kept)
            if self.save_error:
                problems.append(
                    Problem(
                        str(self.path),
                        table.sheet,
                        None,
                        None,
                        None,
                        _(
                            "Excel could not save the workbook ({reason}); the changes are in the open workbook: save it "
                            "in Excel"
                        ).format(reason=self.save_error),
                    )
                )
        self._blocks = None
        return problems

    def save(self, keep_backups: int) -> None:
        """Save through Excel, keeping the version on disk in .toolkit-backups/ first (a copy, not a link:
        Excel may write the file in place). A failure is kept in `save_error`, not raised: the changes are
        in the open workbook either way."""
        try:
            _copy_backup(self.path, keep_backups)
        except OSError as exc:
            self.save_error = _("the version on disk could not be kept as a backup: {reason}").format(
                reason=exc.strerror or _reason(exc)
            )
            return
        try:
            self.book.save()
        except Exception as exc:  # COM/AppleScript errors have no common type
            self.save_error = _reason(exc)
            return
        self.saved = True

    # -- reading

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


def _same(value):
    """A cell value for comparing two reads of the same cell (Excel gives numbers as floats)."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str):
        return value.strip()
    return show(value) if isinstance(value, (dt.date, dt.datetime)) else value


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
