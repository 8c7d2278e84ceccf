"""The change log: every cell the toolkit changed, in monthly CSV files staff open in Excel.

`logs/changes-2026-11.csv` in the workbook folder; UTF-8 with a byte-order mark so Excel shows
Chinese correctly. Text that Excel would run as a formula (=, +, -, @, or a tab or carriage
return before one) is prefixed with a quote mark so it stays text. Each job's lines are appended
in one write, so a job killed meanwhile leaves whole lines.
"""

from __future__ import annotations

import csv
import datetime as dt
import errno
import getpass
import os
from decimal import Decimal
from pathlib import Path
from typing import Iterable

from toolkit.errors import ToolkitError
from toolkit.jobs.changes import CellChange
from toolkit.xlsx.refs import column_letter
from toolkit.xlsx.safety import crash_point

LOG_DIR = "logs"
COLUMNS = ["时间 time", "操作人 user", "任务 job", "工作簿 workbook", "工作表 sheet", "单元格 cell", "编号 key",
           "列 column", "原值 old", "新值 new"]
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")  # text Excel would run: logged with a leading quote


def safe_csv_text(value) -> str:
    kind = type(value)
    if kind is str:  # the most common value: checked first (this runs four times per logged change)
        return "'" + value if value.startswith(FORMULA_START) else value
    if value is None:
        return ""
    if kind is dt.datetime and value.microsecond == 0 and value.tzinfo is None and value.year >= 1000:
        return str(value)  # the same text as the format below, at a third of the cost
    if isinstance(value, dt.datetime):
        return f"{value:%Y-%m-%d %H:%M:%S}"
    if isinstance(value, (int, float, Decimal, dt.date)):  # a number (also a negative one) is no formula
        return str(value)
    text = str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


def current_user() -> str:
    try:
        return getpass.getuser()
    except Exception:  # no login name (some services): fall back to the process id
        return f"pid {os.getpid()}"


def append_changes(folder: Path, changes: Iterable[CellChange], when: dt.datetime | None = None) -> Path | None:
    """Append the changes to this month's log in one write, so a job killed meanwhile adds whole lines or none."""
    changes = list(changes)
    if not changes:
        return None
    when = when or dt.datetime.now()
    folder = Path(folder) / LOG_DIR
    path = folder / f"changes-{when:%Y-%m}.csv"
    user = current_user()
    stamp = f"{when:%Y-%m-%d %H:%M:%S}"
    try:
        folder.mkdir(exist_ok=True)
        size = path.stat().st_size if path.exists() else 0
        # The lines are gathered in `pieces` (the csv writer appends to it too) and encoded every few
        # thousand lines, so the log of a first fill (millions of lines) is never held as one wide str.
        pieces = _Pieces()
        w = csv.writer(pieces)
        if size == 0:
            pieces.write("\ufeff")  # so Excel shows Chinese correctly
            w.writerow(COLUMNS)
        elif not _ends_with_newline(path):
            pieces.write("\r\n")  # a line cut short (by a crash) does not swallow the next one
        chunks = []
        add = pieces.append
        text, letter = safe_csv_text, column_letter  # column_letter is cached: the same few columns
        prefixes: dict[tuple, str] = {}  # the fields shared by all lines of a job's column
        headers: dict[str, str] = {}
        for n, ch in enumerate(changes, 1):
            job, book, sheet = ch.job, ch.workbook, ch.sheet
            prefix = prefixes.get((job, book, sheet))
            if prefix is None:  # ("" for fields that are not text: csv.writer writes those its own way)
                prefix = prefixes[(job, book, sheet)] = f"{stamp},{user},{job},{book},{sheet}," \
                    if all(type(f) is str for f in (user, job, book, sheet)) else ""
            header = headers.get(ch.header)
            if header is None:
                header = headers[ch.header] = text(ch.header)
            old = ch.old
            cell, key, old, new = f"{letter(ch.col)}{ch.row}", text(ch.key), "" if old is None else text(old), \
                text(ch.new)
            line = f"{prefix}{cell},{key},{header},{old},{new}"
            # csv.writer (QUOTE_MINIMAL) quotes only fields holding a comma, a quote mark or a line
            # break; a line without any (nearly all) is exactly the fields joined by commas.
            if prefix and line.count(",") == 9 and '"' not in line and "\n" not in line and "\r" not in line:
                add(line + "\r\n")
            else:
                w.writerow((stamp, user, job, book, sheet, cell, key, header, old, new))
            if n % 20_000 == 0:  # encoded as it goes: the log of a first fill is millions of lines
                chunks.append("".join(pieces).encode("utf-8"))
                pieces.clear()
        chunks.append("".join(pieces).encode("utf-8"))
        del pieces
        data = b"".join(chunks)
        del chunks
        crash_point()
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view):]
            os.fsync(fd)
        finally:
            os.close(fd)
        crash_point()
    except OSError as exc:
        reason = "the disk is full" if exc.errno == errno.ENOSPC else (exc.strerror or str(exc))
        books = ", ".join(sorted({ch.workbook for ch in changes}))
        raise ToolkitError(f"{books} was saved, but its {len(changes)} change(s) could not be added to the "
                           f"change log ({reason})", path=path,
                           hint="free some space or fix the folder's permissions; those changes are not listed "
                                "in the log") from None
    return path


class _Pieces(list):
    """The csv writer's output as a list of lines (cheaper than a StringIO for millions of lines)."""

    write = list.append


def _ends_with_newline(path: Path) -> bool:
    with open(path, "rb") as fh:
        fh.seek(-1, os.SEEK_END)
        return fh.read(1) == b"\n"
