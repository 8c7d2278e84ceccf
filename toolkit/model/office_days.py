"""The office days workbook (office_days.xlsx): the office's own closures and extra working days.

Staff type one day a row (date, kind, note); :func:`parse_overrides` reads such rows, a bad row
is reported and the others kept; :func:`write_office_days` makes a new, empty-or-seeded workbook.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from datetime import date, datetime
from pathlib import Path
from typing import Any

import xlsxwriter

from toolkit.errors import Problem, ToolkitError
from toolkit.i18n import _
from toolkit.model.values import parse_value
from toolkit.xlsx.package import Package
from toolkit.xlsx.reader import read_grid
from toolkit.xlsx.workbook import read_workbook

CLOSURE_KINDS = frozenset({"closure", "closed", "dayoff", "holiday", "休息", "放假", "停业"})
WORKDAY_KINDS = frozenset({"workday", "workingday", "上班", "补班", "加班"})
ACCEPTED_KINDS = "closure / 休息 / 放假 / 停业 for a day off; workday / 上班 / 补班 / 加班 for a working day"


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def parse_date(value: Any) -> date:
    """A day as staff type it (any form :func:`toolkit.model.values.parse_value` reads as a date)."""
    if isinstance(value, datetime):
        return value.date()
    day, reason = parse_value(value, "date")
    if day is None:
        raise ValueError(reason or "no date")
    return day


def _kind(value: Any) -> str | None:
    """'closure' or 'workday' for a recognised kind text, else None."""
    if not isinstance(value, str):
        return None
    key = re.sub(r"[\s\-_]+", "", unicodedata.normalize("NFKC", value)).lower()
    if key in CLOSURE_KINDS:
        return "closure"
    if key in WORKDAY_KINDS:
        return "workday"
    return None


def parse_overrides(rows: Iterable[Any]) -> tuple[set[date], set[date], list[tuple[int, str]]]:
    """Read (date, kind, note) rows into (closures, extra_workdays, problems).

    ``problems`` lists (row_index, message) with 0-based row indexes; a bad row is skipped and
    the others kept.  Blank rows are skipped silently.  A date given both kinds keeps its first
    row and reports the later one.
    """
    closures: set[date] = set()
    workdays: set[date] = set()
    problems: list[tuple[int, str]] = []
    for index, row in enumerate(rows):
        try:
            value, kind_text, *_note = row
        except (TypeError, ValueError):
            problems.append((index, f"expected (date, kind, note), got {row!r}"))
            continue
        if _blank(value) and _blank(kind_text):
            continue
        try:
            day = parse_date(value)
        except ValueError as exc:
            problems.append((index, str(exc)))
            continue
        kind = _kind(kind_text)
        if kind is None:
            problems.append((index, f"{kind_text!r} is not a kind of day; use {ACCEPTED_KINDS}"))
            continue
        mine, other = (closures, workdays) if kind == "closure" else (workdays, closures)
        if day in other:
            problems.append((index, f"{day.isoformat()} is already listed as the opposite kind; this row is ignored"))
            continue
        mine.add(day)
    return closures, workdays, problems


OFFICE_DAYS_HEADERS = ("日期", "类型", "说明")


def write_office_days(path: str | Path, rows: Iterable[tuple[date, str, str]] = ()) -> Path:
    """A new office_days.xlsx: the office's own closures and extra working days, one per row."""
    path = Path(path)
    if path.exists():
        raise ToolkitError(_("already exists; edit it in Excel instead"), path=path)
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("办公日历")
    bold = wb.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1})
    date_fmt = wb.add_format({"num_format": "yyyy-mm-dd"})
    ws.write_row(0, 0, OFFICE_DAYS_HEADERS, bold)
    ws.write_comment(0, 1, "休息/放假/停业 = the office is closed; 上班/补班/加班 = an extra working day")
    ws.set_column(0, 0, 12)
    ws.set_column(1, 1, 10)
    ws.set_column(2, 2, 30)
    ws.freeze_panes(1, 0)
    ws.data_validation(
        1, 1, 500, 1, {"validate": "list", "source": ["休息", "停业", "上班", "补班"], "error_type": "warning"}
    )
    for r, (day, kind, note) in enumerate(rows, start=1):
        ws.write_datetime(
            r, 0, datetime.combine(day, datetime.min.time()) if not isinstance(day, datetime) else day, date_fmt
        )
        ws.write_string(r, 1, kind)
        ws.write_string(r, 2, note)
    wb.close()
    return path


def read_office_days_file(path: Path) -> tuple[set[date], set[date], list[Problem]]:
    """(closures, extra working days, problems) from the first sheet of an office days workbook."""
    with Package.open(path) as pkg:
        sheet = read_workbook(pkg).sheets[0].name
    grid = read_grid(path, sheet)
    body = [tuple((list(r) + [None, None, None])[:3]) for r in grid[1:]]
    closures, extra, errors = parse_overrides(body)
    problems = [Problem(str(path), sheet, i + 2, None, body[i][0], msg) for i, msg in errors]
    return closures, extra, problems
