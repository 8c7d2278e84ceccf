"""Which notice is due: a notice kind's conditions, and the stamps that say a row already had it.

Pure functions over plain column values; "now" is the `as_of` parameter. The conditions and
kinds are the typed ``[notices.kinds.*]`` settings (:mod:`toolkit.settings.notices`).

A row is due for a kind when it meets every condition and has no stamp of it - or its stamp is
older than the kind's ``renotify_on`` column's value (the marker in the stamp differs), or older
than ``renotify_after_days``. A stamp reads ``2026-11-20 受理回执[L2] notices/ack_C001.docx``:
the date, the notice's title, the marker (when the kind has ``renotify_on``) and the file.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from toolkit.settings.notices import Condition, NoticeKind


def holds(condition: Condition, value: object, as_of: dt.datetime) -> bool:
    """Whether a cell's `value` meets one of a notice kind's `when` conditions."""
    op, arg = condition.op, condition.arg
    blank = value is None or (isinstance(value, str) and not value.strip())
    if op == "empty":
        return blank == bool(arg)
    if op == "on_as_of":
        day = value.date() if isinstance(value, dt.datetime) else value
        return (isinstance(day, dt.date) and day == as_of.date()) == bool(arg)
    text = "" if blank else str(value).strip()
    assert isinstance(arg, tuple), condition  # the settings give every other test a tuple of texts
    if op == "in":
        return not blank and text in arg
    if op == "not_in":
        return blank or text not in arg
    if op == "starts_with":
        return not blank and any(text.startswith(a) for a in arg)
    raise AssertionError(op)


# ------------------------------------------------------------------------------------------ stamps

_STAMP = re.compile(r"^(\d{4}-\d{2}-\d{2})\s+([^\s\[]+)(?:\[([^\]]*)\])?(?:\s+(.*))?$")


@dataclass(frozen=True)
class Stamp:
    date: dt.date | None
    title: str
    marker: str | None
    file: str | None


def parse_stamp(text) -> Stamp | None:
    if text is None or not str(text).strip():
        return None
    m = _STAMP.match(str(text).strip())
    if not m:
        return Stamp(None, str(text), None, None)
    try:
        day = dt.date.fromisoformat(m.group(1))
    except ValueError:
        day = None
    return Stamp(day, m.group(2), m.group(3), m.group(4))


def stamp_text(as_of: dt.datetime, title: str, marker: str | None, file: str) -> str:
    title = "".join(title.split())
    return f"{as_of:%Y-%m-%d} {title}" + (f"[{marker}]" if marker is not None else "") + f" {file}"


def marker_of(value) -> str:
    """The text a stamp keeps of the `renotify_on` column's value, to see later whether it changed."""
    if value is None:
        return ""
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return str(value).strip()


# ------------------------------------------------------------------------------------------ deciding


def due_rows(
    cols: dict[str, list], n: int, kind: NoticeKind, as_of: dt.datetime, force: bool
) -> tuple[list[int], list[int], int]:
    """(rows matching the conditions, rows of those needing a notice now, rows skipped as already notified)."""
    tests = [(c, cols.get(c.column) or [None] * n) for c in kind.when]
    stamps = cols.get(kind.stamp) or [None] * n
    marker_col = cols.get(kind.renotify_on) if kind.renotify_on else None
    matching, due, already = [], [], 0
    for i in range(n):
        if not all(holds(c, values[i], as_of) for c, values in tests):
            continue
        matching.append(i)
        stamp = parse_stamp(stamps[i])
        if force or stamp is None:
            due.append(i)
            continue
        if marker_col is not None and stamp.date is not None and stamp.marker != marker_of(marker_col[i]):
            due.append(i)
        elif (
            kind.renotify_after_days
            and stamp.date is not None
            and (as_of.date() - stamp.date).days >= kind.renotify_after_days
        ):
            due.append(i)
        else:
            already += 1
    return matching, due, already
