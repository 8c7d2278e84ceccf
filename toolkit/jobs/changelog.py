"""The change log: every cell the toolkit changed, in monthly CSV files staff open in Excel.

`logs/changes-2026-11.csv` in the workbook folder; UTF-8 with a byte-order mark so Excel shows
Chinese correctly. Text that Excel would run as a formula (=, +, -, @) is prefixed with a
quote mark so it stays text.
"""

from __future__ import annotations

import csv
import datetime as dt
import getpass
import os
from pathlib import Path
from typing import Iterable

from toolkit.jobs.changes import CellChange

LOG_DIR = "logs"
COLUMNS = ["时间 time", "操作人 user", "任务 job", "工作簿 workbook", "工作表 sheet", "单元格 cell", "编号 key",
           "列 column", "原值 old", "新值 new"]
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_csv_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return f"{value:%Y-%m-%d %H:%M:%S}"
    text = str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def current_user() -> str:
    try:
        return getpass.getuser()
    except Exception:  # no login name (some services): fall back to the process id
        return f"pid {os.getpid()}"


def append_changes(folder: Path, changes: Iterable[CellChange], when: dt.datetime | None = None) -> Path | None:
    changes = list(changes)
    if not changes:
        return None
    when = when or dt.datetime.now()
    folder = Path(folder) / LOG_DIR
    folder.mkdir(exist_ok=True)
    path = folder / f"changes-{when:%Y-%m}.csv"
    new = not path.exists()
    user = current_user()
    stamp = f"{when:%Y-%m-%d %H:%M:%S}"
    with open(path, "a", encoding="utf-8-sig" if new else "utf-8", newline="") as fh:
        w = csv.writer(fh)
        if new:
            w.writerow(COLUMNS)
        for ch in changes:
            w.writerow([stamp, user, ch.job, ch.workbook, ch.sheet, ch.ref, safe_csv_text(ch.key), ch.header,
                        safe_csv_text(ch.old), safe_csv_text(ch.new)])
        fh.flush()
        os.fsync(fh.fileno())
    return path
