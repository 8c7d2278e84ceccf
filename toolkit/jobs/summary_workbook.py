"""Where a new month goes in monthly_summary.xlsx: in month order, with everything staff put on the rows kept.

A month reported for the first time normally comes after every month in the sheet and is added
below the last row. A month reported later than a newer one (a past month made afterwards) goes
in its place instead: the rows from the first later month down move one row down - every cell of
them, staff's notes beside the figures included, so a note stays beside its month - and the new
month takes the freed row. The last row moves the way a row is added, so a table over the rows
grows with it. Charts over the rows keep their ranges and so show the months in order.

The engine writes values, not cell formats or formulas, so rows are moved only when that loses
nothing: none of the rows to move holds a formula or an error value, a merged cell, a comment or
a link, and they all look alike (the same font, fill, border and alignment column by column, and
the same number format in staff's columns). Otherwise the month is added at the end, as before,
and a note says why (sorting the sheet by 月份 in Excel puts it in place).
"""

from __future__ import annotations

import datetime as dt
from copy import copy
from dataclasses import dataclass, field
from pathlib import Path

from toolkit.i18n import _
from toolkit.xlsx.refs import make_ref

_MOVABLE = (str, int, float, bool, dt.date)  # what a cell read back can be written again as (dt.datetime included)


@dataclass
class MonthPlacement:
    """How to put the new month's row: `target` None = add it at the end (`why` says why when it is not last)."""

    target: int | None = None
    cells: dict[tuple[int, int], object] = field(default_factory=dict)  # (row, col) -> value, rows target..last
    last_row: list[object] = field(default_factory=list)  # the block's last row, added below it
    why: str = ""


def place_month(
    path: Path,
    sheet: str,
    month_rows: list[tuple[int, object]],
    wanted,
    new_values: list[object],
    toolkit_cols: set[int],
) -> MonthPlacement:
    """Plan the new month's row. `month_rows`: (sheet row, Month) of the rows holding a month; `new_values`:
    the new row's values from column A; `toolkit_cols`: the columns the toolkit fills (1-based)."""
    later = [r for r, m in month_rows if m is not None and m > wanted]
    if not later:
        return MonthPlacement()
    target = min(later)
    import openpyxl  # noqa: PLC0415 - openpyxl loads only when a past month is put in its place

    try:
        wb = openpyxl.load_workbook(path, data_only=False, rich_text=False)
    except Exception as exc:  # noqa: BLE001 - openpyxl raises many kinds; the month is then added at the end
        return MonthPlacement(
            why=_(
                "{file}: the month was added at the end, not in month order, because the sheet "
                "could not be looked at ({reason})"
            ).format(file=path.name, reason=exc)
        )
    ws = wb[sheet]
    last = _last_row(ws)
    width = max(ws.max_column, len(new_values))
    refusal = _why_not_movable(ws, target, last, width, toolkit_cols)
    if refusal:
        return MonthPlacement(
            why=_(
                "{file}: the month was added at the end, not in month order: {reason}; sort the "
                "sheet by its month column in Excel to put it in place"
            ).format(file=path.name, reason=refusal)
        )
    rows = {r: [ws.cell(r, c).value for c in range(1, width + 1)] for r in range(target, last + 1)}
    cells: dict[tuple[int, int], object] = {}
    new = list(new_values) + [None] * (width - len(new_values))
    for c in range(1, width + 1):
        cells[(target, c)] = new[c - 1]
    for r in range(target + 1, last + 1):
        for c in range(1, width + 1):
            cells[(r, c)] = rows[r - 1][c - 1]
    moved_last = rows[last]
    while moved_last and moved_last[-1] is None:
        moved_last.pop()
    return MonthPlacement(target, cells, moved_last)


def _last_row(ws) -> int:
    last = 0
    for row in ws.iter_rows():
        if any(cell.value is not None for cell in row):
            last = row[0].row
    return last


def _why_not_movable(ws, first: int, last: int, width: int, toolkit_cols: set[int]) -> str:
    """Why rows first..last cannot be moved one row down by their values alone ("" when they can)."""
    for rng in ws.merged_cells.ranges:
        if rng.max_row >= first:
            return _("cells {cells} are merged").format(cells=rng.coord)
    for rng in getattr(ws, "array_formulae", {}) or {}:
        return _("the sheet has an array formula ({cells})").format(cells=rng)
    looks: dict[int, tuple] = {}
    for r in range(first, last + 1):
        for c in range(1, width + 1):
            cell = ws.cell(r, c)
            ref = make_ref(r, c)
            if cell.data_type == "f" or (isinstance(cell.value, str) and cell.value.startswith("=")):
                return _("cell {cell} holds a formula").format(cell=ref)
            if cell.data_type == "e":
                return _("cell {cell} holds an error value").format(cell=ref)
            if cell.value is not None and not isinstance(cell.value, _MOVABLE):
                return _("cell {cell} holds a value the toolkit does not move").format(cell=ref)
            if cell.comment is not None:
                return _("cell {cell} has a comment").format(cell=ref)
            if cell.hyperlink is not None:
                return _("cell {cell} has a link").format(cell=ref)
            # (copies: openpyxl's style proxies compare as objects, the styles themselves by value)
            look = (
                copy(cell.font),
                copy(cell.fill),
                copy(cell.border),
                copy(cell.alignment),
                None if c in toolkit_cols else cell.number_format,
            )
            if c in looks and looks[c] != look:
                return _("row {row} is formatted differently from the rows above it").format(row=r)
            looks.setdefault(c, look)
    return ""
