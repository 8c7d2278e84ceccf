"""Which cells the live adapter writes, and in how few Excel calls (pure: no xlwings, no files).

Every ``range.value = ...`` through xlwings is one round trip to Excel (a COM call on Windows, an
Apple Event on a Mac), so a job writes the changed cells of a sheet as a few rectangles, never cell
by cell. A rectangle may hold unchanged cells between the changed ones ("fillers"); those are
written back with what they hold, so only where that puts back exactly the same cell:

- an empty cell (written as empty);
- a number or TRUE/FALSE (a double goes back as the same double);
- text that Excel stores as typed (see :func:`needs_text_prefix`): written without the text prefix,
  so the cell's style is not touched either.

A formula, an error value (#N/A typed into the cell), a date or time (its serial number may not
survive a round trip through COM to the last bit) and text that would need the text prefix (the
prefix would become part of the cell's style) end a rectangle instead. A changed cell that holds a
formula is never written: it is left and reported, as the file engine does.

How the cells are grouped (:func:`plan_blocks`): the changed columns are taken in runs of adjacent
columns; each run is one rectangle from its first to its last changed row when every cell in it is
changed or a filler. Otherwise each column that is clean over that span is kept in a rectangle with
its clean neighbours, and the others are written as runs of rows (changed cells and fillers),
broken at the cells that may not be rewritten.

Text stays text: a string that Excel would turn into something else on assignment - a number
(``001``, ``1,234``, ``１２３``, a long digit string), a date or time (``5-Mar``, ``March 5``,
``2025年3月5日``, ``12:30``), TRUE/FALSE, an error value (``#N/A``) or a formula (a leading ``=``,
``+``, ``-`` or ``@``) - is written with Excel's text prefix ``'``, which Excel keeps out of the
value (xlwings' own advice, xlwings issue #1269). The rule is deliberately wider than Excel's parser
(any digit at all), because that parser follows the PC's regional settings.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from toolkit.xlsx.refs import make_range, make_ref

TEXT_PREFIX = "'"
_LEADS = frozenset("=+-@#'")
_LOGICAL = frozenset({"TRUE", "FALSE"})


def needs_text_prefix(text: str) -> bool:
    """True when Excel might store `text` as something other than this text if it were typed in.

    Full-width forms count as their ASCII twins (Excel in Chinese and Japanese reads ``１２３`` as a
    number); leading and trailing spaces are ignored (Excel ignores them around a number).
    """
    if not text:
        return False
    plain = unicodedata.normalize("NFKC", text).strip()
    if not plain:
        return False
    if plain[0] in _LEADS or text[0] in _LEADS:
        return True
    if plain.upper() in _LOGICAL:
        return True
    return any(ch.isdigit() for ch in plain)


def excel_value(value):
    """A value as Excel should receive it, so it is stored as the file engine stores it.

    Text that Excel would turn into something else gets the text prefix; whole Decimals become ints
    (Excel holds doubles); a date becomes a datetime at midnight.
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
        return TEXT_PREFIX + value if needs_text_prefix(value) else value
    return value


def is_formula(text) -> bool:
    return isinstance(text, str) and text.startswith("=")


def rewritable(formula, value) -> bool:
    """Can this unchanged cell be written back with `value` and stay exactly as it is?

    `formula` is the cell's Range.Formula text (a constant's text, "" when empty), `value` what
    Range.Value gave for it (None for an empty cell and for an error value).
    """
    if formula in (None, ""):
        return value is None
    if is_formula(formula) or value is None:  # a formula, or an error value typed into the cell
        return False
    if isinstance(value, bool) or (isinstance(value, (int, float)) and not isinstance(value, bool)):
        return True
    if isinstance(value, str):
        return not needs_text_prefix(value)
    return False  # dates and times: see the module docstring


@dataclass(frozen=True)
class Block:
    """One write: `values` (rows of Excel-ready values) into the rectangle top..bottom x left..right."""

    top: int
    left: int
    bottom: int
    right: int
    values: list[list[object]] = field(repr=False, compare=False)

    @property
    def ref(self) -> str:
        if self.top == self.bottom and self.left == self.right:
            return make_ref(self.top, self.left)
        return make_range(self.top, self.left, self.bottom, self.right)

    @property
    def cells(self) -> int:
        return (self.bottom - self.top + 1) * (self.right - self.left + 1)


@dataclass
class BlockPlan:
    blocks: list[Block] = field(default_factory=list)
    formulas: set[tuple[int, int]] = field(default_factory=set)  # changed cells holding a formula: left


def column_runs(numbers: Iterable[int]) -> list[list[int]]:
    """Adjacent numbers grouped: [2, 3, 4, 9] -> [[2, 3, 4], [9]]."""
    runs: list[list[int]] = []
    for n in sorted(numbers):
        if runs and n == runs[-1][-1] + 1:
            runs[-1].append(n)
        else:
            runs.append([n])
    return runs


def span(changes: dict[int, dict[int, object]], cols: Sequence[int]) -> tuple[int, int]:
    """The first and last changed row over these columns."""
    return min(min(changes[c]) for c in cols), max(max(changes[c]) for c in cols)


def plan_blocks(
    changes: dict[int, dict[int, object]],
    top: int,
    left: int,
    formulas: Sequence[Sequence[object]],
    values: Sequence[Sequence[object]],
) -> BlockPlan:
    """The writes for one run of adjacent changed columns.

    `changes`: column -> {row: new value} (the toolkit's values, not yet Excel-ready). `formulas` and
    `values`: what Range.Formula and Range.Value (ndim=2) gave for the rectangle whose top-left cell
    is (top, left) and which covers those columns from their first to their last changed row.
    """
    cols = sorted(changes)
    height = len(formulas)
    plan = BlockPlan()
    # per cell: "w" write (changed), "f" filler, "x" may not be written
    kinds: dict[int, list[str]] = {}
    for c in cols:
        j = c - left
        changed = changes[c]
        column = []
        for i in range(height):
            r = top + i
            f, v = formulas[i][j], values[i][j]
            if r in changed:
                if is_formula(f) and v != f:  # (a text "=x" entered with the prefix has Formula "=x" too)
                    plan.formulas.add((r, c))
                    column.append("x")
                else:
                    column.append("w")
            else:
                column.append("f" if rewritable(f, v) else "x")
        kinds[c] = column

    def value_at(r: int, c: int):
        changed = changes[c]
        if r in changed:
            return excel_value(changed[r])
        return values[r - top][c - left]

    clean = [c for c in cols if "x" not in kinds[c]]
    clean_set = set(clean)
    for run in column_runs(clean):
        first, last = span(changes, run)
        plan.blocks.append(
            Block(first, run[0], last, run[-1], [[value_at(r, c) for c in run] for r in range(first, last + 1)])
        )
    for c in cols:
        if c in clean_set:
            continue
        column = kinds[c]
        i = 0
        while i < height:
            if column[i] == "x":
                i += 1
                continue
            j = i
            while j < height and column[j] != "x":
                j += 1
            # rows i..j-1 may be written; trim fillers at both ends
            rows = [k for k in range(i, j) if column[k] == "w"]
            if rows:
                first, last = top + rows[0], top + rows[-1]
                plan.blocks.append(Block(first, c, last, c, [[value_at(r, c)] for r in range(first, last + 1)]))
            i = j
    plan.blocks.sort(key=lambda b: (b.left, b.top))
    return plan


def header_blocks(header_row: int, new_headers: dict[int, str]) -> list[Block]:
    """New headers (column -> text) as one block per run of adjacent columns."""
    return [
        Block(header_row, run[0], header_row, run[-1], [[excel_value(new_headers[c]) for c in run]])
        for run in column_runs(new_headers)
    ]


def merge_refs(cells: Iterable[tuple[int, int]], limit: int = 12) -> str:
    """Cells as people read them: runs down a column joined (AF2:AF40), neighbouring columns with the same
    runs joined into one rectangle (AF2:BD3001); at most `limit` ranges shown."""
    by_col: dict[int, list[int]] = {}
    for r, c in cells:
        by_col.setdefault(c, []).append(r)
    cols_by_run: dict[tuple[int, int], list[int]] = {}
    for c, rows in by_col.items():
        for run in column_runs(rows):
            cols_by_run.setdefault((run[0], run[-1]), []).append(c)
    boxes = []
    for (top, bottom), cols in cols_by_run.items():
        for run in column_runs(cols):
            boxes.append((run[0], top, run[-1], bottom))
    parts = [
        make_ref(top, left) if (top, left) == (bottom, right) else make_range(top, left, bottom, right)
        for left, top, right, bottom in sorted(boxes)
    ]
    shown = ", ".join(parts[:limit])
    if len(parts) > limit:
        shown += f", … (+{len(parts) - limit})"
    return shown
