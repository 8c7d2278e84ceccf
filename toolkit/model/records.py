"""Reading the register or the tracker into typed columns, with every bad value reported.

A `Table` holds one value list per canonical column, aligned with `rows` (the sheet row
numbers of the non-blank data rows). Values are typed (str, int, Decimal, date, datetime) or
None. A cell that cannot be parsed is None in its column and reported as a `Problem` naming
the file, sheet, row, column header and value; the rest of its row is still used.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from toolkit.calendar.reach import (
    AFTER_LAST_COMPUTED_MOMENT,
    AFTER_LAST_MOMENT,
    FIRST_DAY,
    FIRST_MOMENT,
    LAST_COMPUTED_DAY,
    LAST_DAY,
)
from toolkit.errors import Problem, WorkbookRefused
from toolkit.i18n import _, get_language
from toolkit.model.headers import find_header_row, look_at_rows, map_columns
from toolkit.model.schema import Column, SheetSchema
from toolkit.model.values import beyond_reach_reason, parse_value
from toolkit.xlsx.cells import MAX_CELL_TEXT
from toolkit.xlsx.reader import Peek, RangeMismatch, peek, read_columns, read_grid, worksheet_names
from toolkit.xlsx.refs import column_letter
from toolkit.xlsx.tables import totals_rows
from toolkit.xlsx.workbook import loose_sheet_name

# Columns compared as identifiers: full-width letters and digits are made half-width.
ID_COLUMNS = frozenset({"customer_id", "complaint_id"})


@dataclass
class Table:
    path: Path
    sheet: str  # the sheet's name as it is in the workbook
    schema: SheetSchema
    header_row: int  # sheet row number of the header
    columns: dict[str, int]  # canonical name -> 1-based sheet column
    headers: dict[str, str]  # canonical name -> header text as staff wrote it
    unknown: dict[int, str]  # other header cells: sheet column -> text (left untouched)
    header_last_col: int  # rightmost column with a header
    rows: list[int] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    date1904: bool = False
    totals_rows: set[int] = field(default_factory=set)  # rows that are an Excel table's totals row (skipped)
    # Columns are kept as typed Arrow arrays (checked when read) and turned into Python lists
    # on first use, so a job pays only for the columns it looks at; the list then replaces the
    # array (in a list, equal values share one object: see _materialise).
    _arrays: dict[str, pa.Array | pa.ChunkedArray | None] = field(default_factory=dict, repr=False)
    _overrides: dict[str, dict[int, object]] = field(default_factory=dict, repr=False)
    _lists: dict[str, list] = field(default_factory=dict, repr=False)
    _released: bool = field(default=False, repr=False)

    def __len__(self) -> int:
        return len(self.rows)

    @property
    def data(self) -> dict[str, list]:
        """Every read column as a Python list (materialises them all)."""
        return {name: self.values(name) for name in self._arrays}

    def values(self, name: str, keep: bool = True) -> list:
        """The column's values aligned with `rows` (all None when the sheet lacks the column).

        The list is kept for the next call; with keep=False (a column looked at once, e.g. to compare
        it with new values) it is made afresh each time and the table keeps its compact array.
        """
        cached = self._lists.get(name)
        if cached is not None:
            return cached
        if self._released:
            raise RuntimeError(f"the values of {self.sheet} were let go of (release_values) before {name} was read")
        if name not in self._arrays:
            return [None] * len(self.rows)
        values = _materialise(self._arrays[name], self.schema.column(name).type)
        for i, v in self._overrides.get(name, {}).items():
            values[i] = v
        if keep:
            self._lists[name] = values
            self._arrays[name] = None  # (the list holds the column now)
        return values

    def has(self, name: str) -> bool:
        return name in self.columns

    def column_values(self, new: Mapping[str, list] | None = None) -> ColumnValues:
        """The columns by name as a mapping, each column made into a list only when it is looked up;
        `new` columns (a rule's outputs: the table as a job leaves it) stand in for the table's own."""
        return ColumnValues(self, new)

    def release_values(self) -> None:
        """Let go of every column's values (a job whose rules have run, and which only writes now: the
        changes it writes keep what they need). `values` may not be called afterwards."""
        self._lists.clear()
        self._arrays = dict.fromkeys(self._arrays)
        self._overrides.clear()
        self._released = True

    def blank(self, name: str) -> bool:
        """Whether every cell of the column is empty (or the sheet lacks it)."""
        if name in self._lists:
            return self._lists[name].count(None) == len(self.rows)
        arr = self._arrays.get(name)
        return arr is None or (
            arr.null_count == len(arr) and not any(v is not None for v in self._overrides.get(name, {}).values())
        )

    def record(self, i: int) -> dict[str, object]:
        return {name: values[i] for name, values in self.data.items()}

    def records(self) -> list[dict[str, object]]:
        data = self.data
        names = list(data)
        cols = [data[n] for n in names]
        return [dict(zip(names, vals)) for vals in zip(*cols)] if cols else [{} for _ in self.rows]

    def cell_ref(self, name: str, i: int) -> str:
        return f"{column_letter(self.columns[name])}{self.rows[i]}"

    def problem(self, i: int | None, name: str | None, value, reason: str, severity: str = "error") -> Problem:
        return Problem(
            str(self.path),
            self.sheet,
            self.rows[i] if i is not None else self.header_row,
            self.headers.get(name, name) if name else None,
            value,
            reason,
            severity,
        )


class ColumnValues(Mapping[str, list]):
    """A table's columns (its schema's names) as a read-only mapping to lists of values, each made on first
    use; the `new` columns given stand in for the table's own."""

    def __init__(self, table: Table, new: Mapping[str, list] | None = None):
        self._table = table
        self._new = new or {}

    def __getitem__(self, name: str) -> list:
        if name in self._new:
            return self._new[name]
        if name not in self._table.schema:
            raise KeyError(name)
        return self._table.values(name)

    def __iter__(self) -> Iterator[str]:
        return iter(dict.fromkeys([*(c.name for c in self._table.schema.columns), *self._new]))

    def __len__(self) -> int:
        return sum(1 for _name in self)


def read_table(
    path: str | Path, schema: SheetSchema, *, sheet: str | None = None, grid: list[list[object]] | None = None
) -> Table:
    """Read the schema's sheet from a workbook on disk.

    `grid`: the sheet's cells from A1 already in memory (an open Excel workbook's used range read
    through xlwings, toolkit/excel/live.py); then the file is not opened, `sheet` is the sheet's
    actual name, and the same header mapping and value parsing as the exact path are used.
    """
    path = Path(path)
    sheet_name = sheet or schema.sheet
    cells = grid  # the name `grid` is used below for the peeked rows
    expected = schema.expected_headers()
    chosen_instead = None
    if cells is None and not path.exists():
        raise WorkbookRefused(
            _(
                "{name} is not in the folder {folder}: copy the workbook there, or name the office's own file "
                "(`toolkit init --adopt` finds it by its headers)"
            ).format(name=path.name, folder=path.parent)
        )
    if cells is None:
        head, chosen_instead = peek_sheet(path, sheet_name, schema, explicit=sheet is not None)
    else:
        head = _peek_grid(cells, sheet_name)
    grid = head.grid()
    idx = find_header_row(grid, expected)
    if idx is None:
        raise WorkbookRefused(no_header_message(head.sheet, grid, schema), path=path)
    header_cells = grid[idx]
    hmap = map_columns(header_cells, expected)
    table = Table(
        path=path,
        sheet=head.sheet,
        schema=schema,
        header_row=idx + 1,
        columns={n: i + 1 for n, i in hmap.columns.items()},
        headers={n: str(header_cells[i]) for n, i in hmap.columns.items()},
        unknown={i + 1: t for i, t in hmap.unknown.items()},
        header_last_col=max((i + 1 for i, v in enumerate(header_cells) if v not in (None, "")), default=0),
        date1904=head.date1904,
    )
    if chosen_instead is not None:
        table.problems.append(
            Problem(
                str(path),
                head.sheet,
                None,
                None,
                None,
                _(
                    "the settings name sheet '{wanted}', which this workbook does not have; sheet '{used}' holds "
                    'the columns, so it was used (to say so, set sheet = "{used}" under [{role}] in toolkit.toml)'
                ).format(wanted=chosen_instead, used=head.sheet, role=schema.role),
                "warning",
            )
        )
    for name in hmap.missing:
        col = schema.column(name)
        if col.required:
            table.problems.append(
                Problem(
                    str(path),
                    head.sheet,
                    table.header_row,
                    col.header,
                    None,
                    _("required column {column} is missing").format(column=_column_name(col)),
                )
            )
    for name, positions in hmap.duplicates.items():
        letters = ", ".join(column_letter(p + 1) for p in positions)
        table.problems.append(
            Problem(
                str(path),
                head.sheet,
                table.header_row,
                schema.column(name).header,
                None,
                _(
                    "the header appears in more than one column ({letters}); the first one (column {first}) is used"
                ).format(letters=letters, first=column_letter(positions[0] + 1)),
                "warning",
            )
        )
    if not table.columns:
        return table
    if cells is None:
        table.totals_rows = totals_rows(path, head.sheet)
    _load(table, head, cells)
    return table


def peek_sheet(path: Path, sheet_name: str, schema: SheetSchema, *, explicit: bool) -> tuple[Peek, str | None]:
    """The first rows of the schema's sheet, and the configured name when another sheet was used instead.

    When the configured sheet is absent (a workbook whose only sheet is "Customers") and exactly one
    worksheet has a header row of the schema's columns, that one is used; otherwise the workbook is
    refused, naming its sheets.
    """
    names = worksheet_names(path)
    wanted = loose_sheet_name(sheet_name)
    if explicit or any(loose_sheet_name(n) == wanted for n in names):
        return peek(path, sheet_name), None
    expected = schema.expected_headers()
    candidates = []
    for name in names:
        head = peek(path, name)
        if find_header_row(head.grid(), expected) is not None:
            candidates.append(head)
    if len(candidates) == 1:
        return candidates[0], sheet_name
    return peek(path, sheet_name), None  # refused: names the sheets it has


def no_header_message(sheet: str, grid: list[list[object]], schema: SheetSchema, shown_rows: int = 6) -> str:
    """ "No header row found", with the rows looked at and what each lacked (the required headers)."""
    required = [c.name for c in schema.columns if c.required]
    looks = look_at_rows(grid, schema.expected_headers(), required)
    if not looks:
        return _("sheet '{sheet}' is empty: no header row found").format(sheet=sheet)
    lines = [
        _("sheet '{sheet}': no header row found; the rows looked at (a header row names at least {needed}):").format(
            sheet=sheet, needed=", ".join(f"{schema.column(r).header} ({schema.column(r).english})" for r in required)
        )
    ]
    for look in looks[:shown_rows]:
        text = " | ".join(look.cells[:8]) + (" | ..." if len(look.cells) > 8 else "")
        lacking = ", ".join(schema.column(n).header for n in look.lacking)
        lines.append(
            _("row {row}: {cells} - lacks {lacking}").format(row=look.index + 1, cells=text, lacking=lacking or "-")
        )
    lines.append(
        _(
            "add the missing headers, or name the office's own headers as aliases in toolkit.toml "
            "(`toolkit columns` shows how each header is read)"
        )
    )
    return lines[0] + " " + _("; ").join(lines[1:])  # one line, as every message that stops a job


def _peek_grid(grid: list[list[object]], sheet: str, max_rows: int = 30):
    """A Peek (as reader.peek gives for a file) of the first rows of an in-memory grid."""
    head = Peek(sheet=sheet, date1904=False)
    for r, row in enumerate(grid, start=1):
        cells = {c: v for c, v in enumerate(row, start=1) if v is not None and v != ""}
        if cells:
            head.rows.append((r, cells))
            if len(head.rows) >= max_rows:
                break
    return head


def _loaded_columns(table: Table) -> dict[str, int]:
    """The mapped columns whose values are read: not those staff keep for themselves (``read = false``,
    e.g. 备注: recognised and shown by `toolkit columns`, but no rule reads them, and notes can be long)."""
    return {n: c for n, c in table.columns.items() if table.schema.column(n).read}


def _load(table: Table, head, grid=None) -> None:
    schema = table.schema
    loaded = _loaded_columns(table)
    kinds = {c: schema.column(n).type for n, c in loaded.items()}
    by_col = {c: n for n, c in loaded.items()}

    def normalised(c: int, arr):
        name = by_col[c]
        return _normalise(arr, schema.column(name), name in ID_COLUMNS)

    try:
        if grid is not None:
            raise RangeMismatch("the cells are in memory already")
        # each piece of the sheet is normalised as it is read, so the reader's own arrays never pile up
        read = read_columns(
            table.path,
            table.sheet,
            table.header_row,
            kinds,
            expect_headers={c: table.headers[n] for c, n in by_col.items()},
            convert=normalised,
        )
        arrays: dict[str, Any] = {by_col[c]: col.values for c, col in read.columns.items()}
        raws: dict[str, dict[int, object]] = {by_col[c]: col.raw for c, col in read.columns.items()}
    except RangeMismatch:
        arrays, raws = _exact_arrays(table, grid)
        arrays = {name: normalised(table.columns[name], arr) for name, arr in arrays.items()}
    if not arrays:
        return
    height = len(next(iter(arrays.values())))
    # Blank rows (every mapped column empty) are skipped. A normalised text is null when it was blank.
    present = None
    for name, arr in arrays.items():
        has = pc.is_valid(arr)
        raw = raws[name]
        if raw:
            mask = np.zeros(height, bool)
            for r, v in raw.items():
                mask[r] = not (isinstance(v, str) and not v.strip())  # a cell of spaces is blank
            has = pc.or_(has, pa.array(mask))
        present = has if present is None else pc.or_(present, has)
    first = table.header_row + 1
    totals = [r - first for r in table.totals_rows if 0 <= r - first < height]
    if totals:  # an Excel table's totals row sums the records; it is not one
        mask = np.ones(height, bool)
        mask[totals] = False
        present = pc.and_(present, pa.array(mask))
    keep = pc.indices_nonzero(present)
    every_row = len(keep) == height
    kept = keep.to_numpy()
    table.rows = (kept + first).tolist()
    for name in list(arrays):
        col = schema.column(name)
        arr = arrays.pop(name)
        typed = arr if every_row else arr.take(keep)  # (a ChunkedArray from the reader: kept in its pieces)
        del arr
        overrides: dict[int, object] = {}
        raw_rows = raws[name]
        if raw_rows:
            where = np.fromiter(raw_rows, np.int64, len(raw_rows))
            at = np.searchsorted(kept, where)
            found = (at < len(kept)) & (kept[np.minimum(at, len(kept) - 1)] == where) if len(kept) else at < 0
            for own, i, ok in zip(raw_rows.values(), at.tolist(), found.tolist()):  # (the cell's own value)
                if not ok:
                    continue
                if isinstance(own, str) and len(own) > MAX_CELL_TEXT:  # (the readers would cut it short unsaid)
                    table.problems.append(table.problem(i, name, own[:30] + "…", too_long_reason(len(own))))
                    overrides[i] = None
                    continue
                value, err = parse_value(
                    own, col.type, choices=col.choices, choice_aliases=col.choice_aliases, date1904=table.date1904
                )
                if err:
                    if col.owner == "toolkit" and err == beyond_reach_reason():  # (its own columns reach further)
                        err = beyond_reach_reason(last=LAST_COMPUTED_DAY)
                    table.problems.append(table.problem(i, name, own, err))
                overrides[i] = as_id(value) if name in ID_COLUMNS and isinstance(value, str) else value
        _check(table, name, col, typed, overrides)
        if col.type in ("date", "datetime"):
            _refuse_out_of_reach(table, name, typed, overrides, computed=col.owner == "toolkit")
        if col.type in ("integer", "decimal") and pa.types.is_floating(typed.type):
            typed = _refuse_non_finite(table, name, typed, overrides)
        if col.range is not None:
            typed = _refuse_out_of_range(table, name, col, typed, overrides)
        if col.required:
            for i in pc.indices_nonzero(pc.is_null(typed)).to_pylist():
                if i not in overrides:
                    table.problems.append(
                        table.problem(i, name, None, _("'{column}' is required but empty").format(column=col.header))
                    )
        table._arrays[name] = typed
        table._overrides[name] = overrides


def _refuse_out_of_reach(table: Table, name: str, arr, overrides: dict, computed: bool = False) -> None:
    """Dates the calendar does not reach (toolkit/calendar/reach.py) are reported and left out.

    Before 1 March 1900 a date is a small number in a date column, not a date anyone meant: the
    readers turn such a number into a date (4 -> 1900-01-04), and both Excel's fictitious 1900-02-29
    (day 60) and 1900-02-28 (day 59) come back as 1900-02-28. After 2100 a date is a placeholder
    (9999-12-31 typed for "never") or a typing error: no deadline or visit is counted from it, and
    the row's other columns are still used. The toolkit's own columns (`computed`) hold deadlines counted
    from dates in reach, which may go on to LAST_COMPUTED_DAY.
    """
    t = arr.type
    if not (pa.types.is_timestamp(t) or pa.types.is_date(t)) or arr.null_count == len(arr):
        return
    stamps = pa.types.is_timestamp(t)
    first = pa.scalar(FIRST_MOMENT if stamps else FIRST_DAY, type=t)
    last = AFTER_LAST_COMPUTED_MOMENT if computed else AFTER_LAST_MOMENT
    after = pa.scalar(last if stamps else last.date(), type=t)
    early = pc.fill_null(pc.less(arr, first), False)
    late = pc.fill_null(pc.greater_equal(arr, after), False)
    for i in pc.indices_nonzero(pc.or_(early, late)).to_pylist():
        if i in overrides:
            continue
        v = arr[i].as_py()
        shown = f"{v:%Y-%m-%d %H:%M}" if isinstance(v, dt.datetime) and v.time() != dt.time() else f"{v:%Y-%m-%d}"
        reason = (
            beyond_reach_reason(last=LAST_COMPUTED_DAY if computed else LAST_DAY)
            if late[i].as_py()
            else _(
                "not a real date: a date before 1900-03-01 is what Excel shows for a small "
                "number typed in a date column; type the date instead"
            )
        )
        table.problems.append(table.problem(i, name, shown, reason))
        overrides[i] = None


_TOO_LARGE = 1e15  # Excel keeps 15 significant digits: beyond this a count or an amount is no longer exact


def _refuse_non_finite(table: Table, name: str, arr, overrides: dict):
    """NaN and infinity (the fast reader turns text such as "NaN" or "inf" into them) are no numbers,
    and a number beyond 15 digits (1e308) is no count or amount anyone typed on purpose."""
    bad = pc.fill_null(pc.or_(pc.invert(pc.is_finite(arr)), pc.greater_equal(pc.abs(arr), _TOO_LARGE)), False)
    found = pc.indices_nonzero(bad).to_pylist()
    if not found:
        return arr
    for i in found:
        if i not in overrides:
            v = arr[i].as_py()
            reason = (
                _("not a number")
                if v != v or v in (float("inf"), float("-inf"))
                else _("too large: Excel does not keep a number of more than 15 digits exactly")
            )
            table.problems.append(table.problem(i, name, str(v), reason))
        overrides[i] = None
    return pc.if_else(bad, pa.scalar(None, arr.type), arr)


def _column_name(col) -> str:
    """A column as the clerk knows it, quoted: its header, with the English name beside it in English messages."""
    if get_language() == "zh":
        return f"“{col.header}”"
    return f"'{col.header}'" if col.english == col.header else f"'{col.header}' ({col.english})"


def too_long_reason(n: int) -> str:
    return _("text of {n:,} characters: longer than a cell can hold ({limit:,}); shorten it").format(
        n=n, limit=MAX_CELL_TEXT
    )


def range_reason(col: Column) -> str:
    low, high = (f"{b:g}" for b in col.range or ())
    if col.type == "integer":
        return _("out of range: a whole number from {low} to {high}").format(low=low, high=high)
    return _("out of range: a number from {low} to {high}").format(low=low, high=high)


def _refuse_out_of_range(table: Table, name: str, col: Column, arr, overrides: dict):
    """A number outside its column's range (a satisfaction score of -3 or 6) is reported on its cell and
    counted nowhere: the column's value is None, as for any value that cannot be read."""
    for i, v in list(overrides.items()):  # values typed as text, parsed one by one
        if v is not None and not col.in_range(v):
            table.problems.append(table.problem(i, name, v, range_reason(col)))
            overrides[i] = None
    if not (pa.types.is_floating(arr.type) or pa.types.is_integer(arr.type)) or arr.null_count == len(arr):
        return arr
    low, high = col.range or (0, 0)
    bad = pc.fill_null(pc.or_(pc.less(arr, low), pc.greater(arr, high)), False)
    found = pc.indices_nonzero(bad).to_pylist()
    if not found:
        return arr
    for i in found:
        if i not in overrides:
            v = arr[i].as_py()
            shown = int(v) if isinstance(v, float) and v.is_integer() else v
            table.problems.append(table.problem(i, name, shown, range_reason(col)))
            overrides[i] = None
    return pc.if_else(bad, pa.scalar(None, arr.type), arr)


def as_id(s: str) -> str:
    """An ID as typed: trimmed, and full-width characters made half-width."""
    return unicodedata.normalize("NFKC", s).strip() if not s.isascii() else s.strip()


def _normalise(arr, col: Column, is_id: bool):
    """The column as an Arrow array of its type: text trimmed (blank -> null), dates as dates."""
    t = arr.type
    if col.type in ("text", "choice"):
        if not (pa.types.is_string(t) or pa.types.is_large_string(t)):
            arr = arr.cast(pa.string())
        arr = pc.utf8_trim_whitespace(arr)
        if is_id:
            arr = pc.utf8_trim_whitespace(pc.utf8_normalize(arr, "NFKC"))
        return pc.if_else(pc.equal(pc.utf8_length(arr), 0), pa.scalar(None, arr.type), arr)
    if col.type == "date" and pa.types.is_timestamp(t):
        return arr.cast(pa.date32())
    return arr


def _materialise(arr, kind: str) -> list:
    """The column as a Python list of its values (None for empty cells).

    Equal values share one object: each distinct value is made once, and the list holds a pointer
    per row (a tracker column repeats a few states, names and deadlines over 300,000 rows; made
    one by one, its values would take ten times the memory and time).
    """
    n = len(arr)
    if arr.null_count == n:
        return [None] * n
    try:
        encoded = pc.dictionary_encode(arr)
    except pa.ArrowNotImplementedError:  # a type Arrow cannot hash: each value made on its own
        return _plain_values(arr, kind)
    chunks = encoded.chunks if isinstance(encoded, pa.ChunkedArray) else [encoded]
    chunks = [c for c in chunks if len(c)]
    dictionary = chunks[0].dictionary  # (one dictionary for all the pieces)
    distinct = np.empty(len(dictionary) + 1, dtype=object)
    distinct[: len(dictionary)] = _plain_values(dictionary, kind)  # (assigned: never made into a 2-D array)
    distinct[len(dictionary)] = None
    at = [c.indices.fill_null(len(dictionary)).to_numpy() for c in chunks]
    return distinct[np.concatenate(at) if len(at) > 1 else at[0]].tolist()


def _plain_values(arr, kind: str) -> list:
    if pa.types.is_timestamp(arr.type) and arr.type.tz is None:
        # numpy builds datetime objects ~15x faster than Arrow's to_pylist; NaT becomes None
        values = arr.to_numpy(zero_copy_only=False).astype("datetime64[us]").tolist()
        if kind == "date":
            return [v.date() if v is not None else None for v in values]
        return values
    if pa.types.is_date32(arr.type):
        values = arr.to_numpy(zero_copy_only=False).astype("datetime64[D]").tolist()
        if kind == "datetime":
            return [dt.datetime(v.year, v.month, v.day) if v is not None else None for v in values]
        return values
    values = arr.to_pylist()
    if kind == "integer":
        return [int(v) if isinstance(v, float) else v for v in values]
    if kind == "decimal":
        return [Decimal(repr(v)) if isinstance(v, float) else v for v in values]
    if kind == "datetime" and pa.types.is_date(arr.type):
        return [dt.datetime(v.year, v.month, v.day) if v is not None else None for v in values]
    return values


def _check(table: Table, name: str, col: Column, arr, overrides: dict) -> None:
    """Vectorised checks; only the cells that fail them are looked at one by one."""
    if arr.null_count == len(arr):
        return
    if col.type == "choice":
        bad = pc.and_(pc.is_valid(arr), pc.invert(pc.is_in(arr, value_set=pa.array(col.choices, pa.string()))))
        for i in pc.indices_nonzero(pc.fill_null(bad, False)).to_pylist():
            if i in overrides:
                continue
            raw = arr[i].as_py()
            value, err = parse_value(raw, "choice", choices=col.choices, choice_aliases=col.choice_aliases)
            if err:
                table.problems.append(table.problem(i, name, raw, err))
            overrides[i] = value
    elif col.type == "integer" and pa.types.is_floating(arr.type):
        bad = pc.not_equal(arr, pc.floor(arr))
        for i in pc.indices_nonzero(pc.fill_null(bad, False)).to_pylist():
            if i not in overrides:
                table.problems.append(table.problem(i, name, arr[i].as_py(), _("not a whole number")))
                overrides[i] = None


def _exact_arrays(table: Table, grid=None) -> tuple[dict[str, Any], dict[str, dict[int, object]]]:
    """The slower exact path: every cell from A1 through calamine (or `grid`), then the same conversion."""
    grid = read_grid(table.path, table.sheet) if grid is None else grid
    body = grid[table.header_row :]
    arrays, raws = {}, {}
    for name, c in _loaded_columns(table).items():
        col = table.schema.column(name)
        cells = [row[c - 1] if c - 1 < len(row) else None for row in body]
        typed, raw = _typed_cells(cells, col.type)
        arrays[name], raws[name] = typed, raw
    return arrays, raws


def _typed_cells(cells: list, kind: str):
    """Cells of the Python grid as an Arrow array of the column's type, plus the misfits' raw values."""
    raw: dict[int, object] = {}
    out: list = []
    for i, v in enumerate(cells):
        if v == "":
            v = None
        if kind in ("text", "choice"):
            if isinstance(v, str) or v is None:
                out.append(v)
            else:
                out.append(None)
                raw[i] = v
        elif kind in ("date", "datetime"):
            if isinstance(v, dt.datetime) or v is None:
                out.append(v)
            elif isinstance(v, dt.date):
                out.append(dt.datetime(v.year, v.month, v.day))
            else:
                out.append(None)
                raw[i] = v
        else:
            if (isinstance(v, (int, float)) and not isinstance(v, bool)) or v is None:
                out.append(float(v) if v is not None else None)
            else:
                out.append(None)
                raw[i] = v
    typ = {"text": pa.string(), "choice": pa.string(), "date": pa.timestamp("ms"), "datetime": pa.timestamp("ms")}.get(
        kind, pa.float64()
    )
    return pa.array(out, type=typ), raw
