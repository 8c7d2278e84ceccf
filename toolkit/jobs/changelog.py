"""The change log: every cell the toolkit changed, in monthly CSV files staff open in Excel.

`logs/changes-2026-11.csv` in the workbook folder; UTF-8 with a byte-order mark so Excel shows
Chinese correctly. Text that Excel would run as a formula (=, +, -, @, or a tab or carriage
return before one) is prefixed with a quote mark so it stays text. The lines are written as they
are made, some tens of thousands at a time (a first fill logs millions: they are never all held at
once), each write whole lines, so a job killed meanwhile leaves whole lines. Every text field is
guarded against formulas, the workbook and sheet names and the user too (a sheet named ``=1+1``).

The append is all or nothing: when a write fails (a full disk), the lines this job wrote are taken
back and the message says that none of its changes are in the log; a line cut short by a kill is
ended before the next job's lines, so it never swallows them.
"""

from __future__ import annotations

import csv
import datetime as dt
import errno
import getpass
import os
import re
from collections.abc import Iterable, Sequence
from decimal import Decimal
from operator import is_
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc

from toolkit.errors import ToolkitError
from toolkit.i18n import N_, _, ngettext, use_language
from toolkit.jobs.changes import CellChange, ChangeList, ColumnChanges
from toolkit.xlsx.refs import column_letter
from toolkit.xlsx.safety import crash_point

LOG_DIR = "logs"
# The header row, in the language of whoever ran the job that began the month's file (a log read
# later accepts either language's header, and the bilingual one of earlier versions).
COLUMNS = [
    N_("time"),
    N_("user"),
    N_("job"),
    N_("workbook"),
    N_("sheet"),
    N_("cell"),
    N_("key"),
    N_("column"),
    N_("old value"),
    N_("new value"),
]
_OLD_FIRST_HEADER = "时间 time"


def header_row() -> list[str]:
    """The change log's header row in the language in use."""
    return [_(name) for name in COLUMNS]


def is_header(first_field: str) -> bool:
    """Whether a log line starting with `first_field` is a header row (in either language, or the old one)."""
    with use_language("zh"):
        chinese = _(COLUMNS[0])
    return first_field in (COLUMNS[0], chinese, _OLD_FIRST_HEADER)


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


LINES_PER_WRITE = 65_536  # the lines made and written at a time


def append_changes(folder: Path, changes: Iterable[CellChange], when: dt.datetime | None = None) -> Path | None:
    """Append the changes to this month's log, as they are made, in writes of whole lines."""
    if not isinstance(changes, ChangeList):
        changes = ChangeList.of(changes)
    if not changes:
        return None
    when = when or dt.datetime.now()
    folder = Path(folder) / LOG_DIR
    path = folder / f"changes-{when:%Y-%m}.csv"
    user = safe_csv_text(current_user())
    stamp = f"{when:%Y-%m-%d %H:%M:%S}"
    logged = 0
    size = 0
    fd = -1
    try:
        folder.mkdir(exist_ok=True)
        size = path.stat().st_size if path.exists() else 0
        # The csv writer appends to `pieces` (lines the quick way cannot make).
        pieces = _Pieces()
        w = csv.writer(pieces)
        if size == 0:
            pieces.write("\ufeff")  # so Excel shows Chinese correctly
            w.writerow(header_row())
        elif not _ends_with_newline(path):
            pieces.write("\r\n")  # a line cut short (by a crash) does not swallow the next one
        start = "".join(pieces).encode("utf-8")
        pieces.clear()
        key_texts = _KeyTexts()
        crash_point()
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        for column in changes.columns:  # column by column, a slice of rows at a time
            for part in _slices(column, LINES_PER_WRITE):
                block = _column_block(part, stamp, user, key_texts)
                if block is None:
                    _column_lines(part, stamp, user, w)
                    block = "".join(pieces).encode("utf-8")
                    pieces.clear()
                _write_all(fd, [start, block])
                start = b""
                logged += len(part)
        os.fsync(fd)
        os.close(fd)
        fd = -1
        crash_point()
    except OSError as exc:
        # All or nothing: the lines of this job written so far are taken back, so the log lists none of
        # its changes rather than some of them and a line cut short.
        kept = _take_back(fd, path, size)
        reason = _("the disk is full") if exc.errno == errno.ENOSPC else (exc.strerror or str(exc))
        books = ", ".join(sorted({column.workbook for column in changes.columns}))
        if kept or not logged:
            raise ToolkitError(
                ngettext(
                    "{books} was saved, but its {n:,} change could not be added to the change log ({reason})",
                    "{books} was saved, but its {n:,} changes could not be added to the change log ({reason})",
                    len(changes),
                ).format(books=books, n=len(changes), reason=reason),
                path=path,
                hint=_("free some space or fix the folder's permissions; those changes are not listed in the log"),
            ) from None
        raise ToolkitError(
            _(
                "{books} was saved, but only {logged:,} of its {n:,} changes were added to the change log "
                "({reason}); a line cut short is mended by the next job"
            ).format(books=books, logged=logged, n=len(changes), reason=reason),
            path=path,
            hint=_("free some space or fix the folder's permissions; the other changes are not listed in the log"),
        ) from None
    except BaseException:
        if fd >= 0:
            os.close(fd)
        raise
    return path


def _take_back(fd: int, path: Path, size: int) -> bool:
    """Cut the log back to its `size` before this job (closing `fd` if open); whether that worked."""
    try:
        if fd >= 0:
            try:
                os.ftruncate(fd, size)
            finally:
                os.close(fd)
        elif path.exists() and path.stat().st_size > size:
            os.truncate(path, size)
        return True
    except OSError:
        return False


def _slices(column: ColumnChanges, n: int):
    """The column's changes in parts of at most n rows, each holding plain lists."""
    if len(column) <= n and all(type(x) is list for x in (column.rows, column.keys, column.olds, column.news)):
        yield column
        return
    for i in range(0, len(column), n):
        yield ColumnChanges(
            column.job,
            column.workbook,
            column.sheet,
            column.col,
            column.column,
            column.header,
            column.rows[i : i + n],
            column.keys[i : i + n],
            column.olds[i : i + n],
            column.news[i : i + n],
        )


class _Texts(dict):
    """The logged text of values, remembered where equal values always give the same text (text, dates,
    naive datetimes; not numbers, since 1 == 1.0 == True, nor zoned datetimes)."""

    def __missing__(self, value) -> str:
        shown = safe_csv_text(value)
        kind = type(value)
        if kind is str or kind is dt.date or value is None or (kind is dt.datetime and value.tzinfo is None):
            self[value] = shown
        return shown


class _KeyTexts(_Texts):
    """The texts of row keys, and the last column of keys as an Arrow array: a job's columns mostly
    change the same rows, so the next column's keys are usually the same objects in the same order
    (the very same objects: equal keys of other types, 1 and 1.0, are logged differently)."""

    def __init__(self):
        super().__init__()
        self._last: tuple[Sequence, pa.Array] | None = None

    def array_of(self, keys: Sequence) -> pa.Array:
        if self._last is not None and len(self._last[0]) == len(keys) and all(map(is_, self._last[0], keys)):
            return self._last[1]
        array = pa.array(_texts(keys, self), pa.string())
        self._last = (keys, array)
        return array


_PLAIN = {int, float, Decimal, bool, dt.date}  # their logged text is str(value) (a negative number is no formula)
_REMEMBERED = {str, dt.date, dt.datetime, type(None)}


def _texts(values: Sequence, remembered: _Texts) -> list[str]:
    """safe_csv_text of each value, the quick way for the column's kinds of value."""
    kinds = set(map(type, values))
    if kinds <= _PLAIN:
        return list(map(str, values))
    if kinds == {dt.datetime} and all(v.tzinfo is None and not v.microsecond and v.year >= 1000 for v in values):
        return list(map(str, values))  # deadlines, nearly all different: str() is safe_csv_text for these
    if kinds <= _REMEMBERED:
        return list(map(remembered.__getitem__, values))
    return list(map(safe_csv_text, values))


_NEEDS_QUOTING = re.compile('[,"\r\n]')  # what makes csv.writer (QUOTE_MINIMAL) quote a field


def _quoted(texts: pa.Array) -> pa.Array:
    return pc.match_substring_regex(texts, _NEEDS_QUOTING.pattern)


def _column_block(column: ColumnChanges, stamp: str, user, key_texts: _KeyTexts) -> bytes | None:
    """The log lines of one column's changes as UTF-8, or None when a line needs the csv writer.

    A first fill logs millions of lines: they are assembled for the whole column at once by Arrow,
    from the texts of keys and values (remembered: a column repeats the same states and deadlines).
    csv.writer (QUOTE_MINIMAL) quotes only fields holding a comma, a quote mark or a line break, so
    lines without any (nearly always all of them) are exactly the fields joined by commas; the
    others are written by the csv writer.
    """
    if not all(type(f) is str for f in (user, column.job, column.workbook, column.sheet)):
        return None
    job, book, sheet = (safe_csv_text(f) for f in (column.job, column.workbook, column.sheet))
    rows, olds, n = column.rows, column.olds, len(column.rows)
    header = safe_csv_text(column.header)
    start = f"{stamp},{user},{job},{book},{sheet},{column_letter(column.col)}"
    if _NEEDS_QUOTING.search("".join((stamp, user, job, book, sheet, header))):  # e.g. a user "Li, Wei"
        return None
    try:
        keys = key_texts.array_of(column.keys)
        news = pa.array(_texts(column.news, _Texts()), pa.string())
        fields = [start, pa.array(rows, pa.int64()).cast(pa.string()), ",", keys]
        if olds.count(None) == n:  # a first fill: no old values
            old_texts = None
            fields += [f",{header},,", news]
        else:
            old_texts = pa.array(_texts(olds, _Texts()), pa.string())
            fields += [f",{header},", old_texts, ",", news]
        lines = pc.binary_join_element_wise(*fields, "\r\n", "")
    except (pa.ArrowException, UnicodeError, OverflowError):  # e.g. text no UTF-8 can hold: the csv writer's way
        return None
    # the lines whose key, old or new value holds a comma, a quote mark or a line break
    needs_quoting = pc.or_(_quoted(keys), _quoted(news))
    if old_texts is not None:
        needs_quoting = pc.or_(needs_quoting, _quoted(old_texts))
    if not pc.any(needs_quoting).as_py():  # nearly always: the lines are the fields joined by commas
        _validity, offsets, text_bytes = lines.buffers()
        offsets = memoryview(offsets).cast("i")  # a string array's int32 offsets into its text bytes
        return memoryview(text_bytes)[offsets[lines.offset] : offsets[lines.offset + n]].tobytes()
    texts = lines.to_pylist()
    out = _Pieces()
    w = csv.writer(out)
    for i in pc.indices_nonzero(needs_quoting).to_pylist():
        w.writerow(_fields(column, i, stamp, user))
        texts[i] = out.pop()
    return "".join(texts).encode("utf-8")


def _column_lines(column: ColumnChanges, stamp: str, user, w) -> None:
    """The log lines of one column's changes, one by one through the csv writer `w`."""
    for i in range(len(column)):
        w.writerow(_fields(column, i, stamp, user))


def _fields(column: ColumnChanges, i: int, stamp: str, user) -> tuple:
    """The ten fields of the log line of a column's i-th change, as the csv writer is given them."""
    text = safe_csv_text  # (None is logged as "")
    return (
        stamp,
        user,
        text(column.job),
        text(column.workbook),
        text(column.sheet),
        f"{column_letter(column.col)}{column.rows[i]}",
        text(column.keys[i]),
        text(column.header),
        text(column.olds[i]),
        text(column.news[i]),
    )


def _write_all(fd: int, chunks: list[bytes]) -> None:
    """Write the chunks in one call (one append of whole lines)."""
    chunks = [c for c in chunks if c]
    if hasattr(os, "writev") and len(chunks) <= 1000:  # no copy of the whole log into one buffer
        done = os.writev(fd, chunks) if chunks else 0
        if done == sum(map(len, chunks)):
            return
        data = memoryview(b"".join(chunks))[done:]  # a short write (a full disk, say): the rest, as below
    else:
        data = memoryview(b"".join(chunks))
    while data:
        data = data[os.write(fd, data) :]


class _Pieces(list):
    """The csv writer's output as a list of lines (cheaper than a StringIO for millions of lines)."""

    write = list.append


def _ends_with_newline(path: Path) -> bool:
    with open(path, "rb") as fh:
        fh.seek(-1, os.SEEK_END)
        return fh.read(1) == b"\n"
