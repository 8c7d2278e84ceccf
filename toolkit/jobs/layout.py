"""The look of the columns a job adds to a workbook, planned from the data (pure: no file access).

An added column should look like the sheet it joins, and never show ###:

- its header cell takes the style of the header to its left (the sheet's last own header), so an
  office's bold, coloured header row stays one row; no existing style is changed (the engine reuses
  the neighbour's style index, and appends only what is new);
- its width fits its header and its values: a width set for the column in the settings
  (``width`` of ``[[register.columns]]`` / ``[[tracker.columns]]``, e.g. the notices' stamp columns)
  wins; dates and times get a width at which Excel shows them whole (a date never prints as ###);
- its values get number formats from the engine (dates yyyy-mm-dd, times yyyy-mm-dd hh:mm);
- the state columns (``*_state``, 时效状态 and the visit flag) get highlight rules - 逾期 red,
  即将到期 amber, 按时完成 green by default, settable under ``[layout.highlight]`` - written as
  conditional formats, so the colours follow the clerk's edits (the texts and colours: [layout],
  toolkit/settings/layout.py).

Only columns added by this write get a look: a column the sheet already had keeps the office's.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from toolkit.model.schema import Column

__all__ = ["DEFAULT_HIGHLIGHT", "ColumnLook", "column_width", "highlighted", "plan_look"]

# text the cell contains -> (fill colour, font colour): Excel's own "light red fill with dark red text" etc.
DEFAULT_HIGHLIGHT: dict[str, tuple[str, str]] = {
    "逾期": ("FFC7CE", "9C0006"),
    "即将到期": ("FFEB9C", "9C5700"),
    "按时完成": ("C6EFCE", "006100"),
}
LAST_ROW = 1_048_576  # rules reach the sheet's last row: rows added later are coloured too
DATE_WIDTH, DATETIME_WIDTH = 12.0, 17.5  # yyyy-mm-dd and yyyy-mm-dd hh:mm in Calibri 11, with room
MIN_WIDTH, MAX_WIDTH = 8.0, 60.0
SAMPLE = 2000  # values looked at for a width


@dataclass
class ColumnLook:
    """The look of the columns added to one sheet (what the engine's SheetEdit takes)."""

    like: dict[tuple[int, int], int] = field(default_factory=dict)  # header cell -> col whose style it takes
    widths: dict[int, float] = field(default_factory=dict)
    highlights: list[tuple[int, int, int, str, str, str]] = field(default_factory=list)


def text_width(text: str) -> float:
    """Excel's width units for `text`: a wide (Chinese) character counts two."""
    return float(sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text))


def column_width(column: Column, header: str, values: Iterable[object]) -> float:
    """The width for an added column: the settings' width, else one that fits its header and values."""
    if column.width:
        return float(column.width)
    width = text_width(header) + 2
    for n, v in enumerate(values):
        if n >= SAMPLE:
            break
        if v is None:
            continue
        if isinstance(v, dt.datetime):
            w = DATETIME_WIDTH
        elif isinstance(v, dt.date):
            w = DATE_WIDTH
        else:
            w = text_width(str(v)) + 2
        width = max(width, w)
    if column.type == "datetime":
        width = max(width, DATETIME_WIDTH)
    elif column.type == "date":
        width = max(width, DATE_WIDTH)
    return min(max(width, MIN_WIDTH), MAX_WIDTH)


def highlighted(column: Column) -> bool:
    """Whether a column holds states worth colouring (the deadline states and the visit flag)."""
    return column.owner == "toolkit" and (column.name.endswith("_state") or column.name == "visit_flag")


def plan_look(
    added: Sequence[tuple[Column, int, str, Sequence[object]]],
    header_row: int,
    neighbour_col: int,
    highlight: dict[str, tuple[str, str]] | None = None,
) -> ColumnLook:
    """The look of the added columns: each (column, sheet column, header text, its new values)."""
    colours = DEFAULT_HIGHLIGHT if highlight is None else highlight
    look = ColumnLook()
    for column, col, header, values in added:
        if neighbour_col > 0:
            look.like[(header_row, col)] = neighbour_col
        look.widths[col] = column_width(column, header, values)
        if highlighted(column):
            for text, (fill, font) in colours.items():
                look.highlights.append((col, header_row + 1, LAST_ROW, text, fill, font))
    return look
