"""Which notice is due: a notice kind's conditions, and the stamps that say a row already had it.

Pure functions over plain column values; "now" is the `as_of` parameter. The conditions and
kinds are the typed ``[notices.kinds.*]`` settings (:mod:`toolkit.settings.notices`).

A row is due for a kind when it meets every condition and has no stamp of it - or its stamp is
older than the kind's ``renotify_on`` column's value (the marker in the stamp differs), or older
than ``renotify_after_days``.

A due row still gets no letter when the letter would be of no use or could not be sent, and the
reason is kept (`Skip`):

- past its window: the kind's ``useful_after`` date is more than ``useful_days`` days before the
  run (an acknowledgement a week after receipt, a survey invitation months after closing). These
  are counted, not listed one by one, so years of old rows do not fill every later run's output;
- a promise already past (`past_promises`, not a setting: no customer letter ever promises a date
  before its own date);
- no recipient (`customer_recipient`, `internal_recipient`): a customer letter without the
  customer (the ID is not in the register), the customer's name or a contact field its template
  uses; an internal notice without its handler or account owner, or whose column was not
  recognised at all. A stamp reads ``2026-11-20 受理回执[L2] notices/ack_C001.docx``:
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

# Why a due row gets no letter. The texts are message ids (English; toolkit.i18n shows them in Chinese).
PAST_WINDOW = "past_window"
NO_WINDOW_DATE = "no_window_date"
PROMISE_PAST = "promise_past"
UNKNOWN_CUSTOMER = "unknown_customer"
NO_CUSTOMER_NAME = "no_customer_name"
NO_CONTACT = "no_contact"
NO_CONTACT_FIELD = "no_contact_field"
NO_RECIPIENT_COLUMN = "no_recipient_column"
NO_RECIPIENT = "no_recipient"
LISTED_ONE_BY_ONE = frozenset(
    {PROMISE_PAST, UNKNOWN_CUSTOMER, NO_CUSTOMER_NAME, NO_CONTACT, NO_CONTACT_FIELD, NO_RECIPIENT}
)
# what a clerk can act on row by row; rows past their window, and a column not recognised (one cause
# for every row), are counted per kind

# Fields of a customer letter that promise a date (the derived settlement_date is the promised
# settlement date or the resolve deadline). Fixed here, not in the settings: the guard cannot be
# configured away.
PROMISE_FIELDS = (
    "respond_due",
    "resolve_due",
    "settlement_date",
    "promised_date",
    "feedback_due",
    "survey_due",
    "reply_by",
)
# Fields that address a customer letter: when the template uses one, a row without it gets no letter.
CONTACT_FIELDS = ("contact", "contact_person", "contact_phone", "phone", "email", "address")


@dataclass(frozen=True)
class Skip:
    """A due row that gets no letter: its index in the table, why (one of the constants above), and
    the detail that makes the reason concrete (the field and its value, the column's header)."""

    row: int
    reason: str
    detail: str = ""


def _day(value) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return None


def window_skip(kind: NoticeKind, i: int, value, as_of: dt.datetime) -> Skip | None:
    """Whether row `i` is past the kind's window (`value` is its `useful_after` cell)."""
    if kind.useful_after is None or kind.useful_days is None:
        return None
    day = _day(value)
    if day is None:
        return Skip(i, NO_WINDOW_DATE, kind.useful_after)
    if (as_of.date() - day).days > kind.useful_days:
        return Skip(i, PAST_WINDOW, f"{day:%Y-%m-%d}")
    return None


def past_promises(values: dict[str, object], as_of: dt.datetime) -> list[tuple[str, object]]:
    """The promised dates among `values` (field -> value, the fields a letter's template shows) that are
    before the letter's date: a date before the run's day, a time before the run's time."""
    out: list[tuple[str, object]] = []
    for name, value in values.items():
        if isinstance(value, dt.datetime):
            late = value < as_of
        elif isinstance(value, dt.date):
            late = value < as_of.date()
        else:
            continue
        if late:
            out.append((name, value))
    return out


def customer_recipient(i: int, known_customer: bool, name, contacts: dict[str, object]) -> Skip | None:
    """A customer letter's addressee: the customer in the register, its name, and every contact field
    (`contacts`: field -> value) the letter's template uses."""
    if not known_customer:
        return Skip(i, UNKNOWN_CUSTOMER)
    if _blank(name):
        return Skip(i, NO_CUSTOMER_NAME)
    for field_name, value in contacts.items():
        if _blank(value):
            return Skip(i, NO_CONTACT if field_name in ("contact", "contact_person") else NO_CONTACT_FIELD, field_name)
    return None


def internal_recipient(i: int, column_recognised: bool, value, header: str) -> Skip | None:
    """An internal notice's addressee: the group's column (handler, account owner) was found in the
    workbook, and the row names someone in it."""
    if not column_recognised:
        return Skip(i, NO_RECIPIENT_COLUMN, header)
    if _blank(value):
        return Skip(i, NO_RECIPIENT, header)
    return None


def _blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def due_rows(
    cols: dict[str, list], n: int, kind: NoticeKind, as_of: dt.datetime, force: bool
) -> tuple[list[int], list[int], int, list[Skip]]:
    """(rows matching the conditions, rows of those needing a notice now, rows skipped as already
    notified, rows that would need one but are past the kind's window)."""
    tests = [(c, cols.get(c.column) or [None] * n) for c in kind.when]
    stamps = cols.get(kind.stamp) or [None] * n
    marker_col = cols.get(kind.renotify_on) if kind.renotify_on else None
    window_col = cols.get(kind.useful_after) or [None] * n if kind.useful_after else None
    matching, due, already, skipped = [], [], 0, []
    for i in range(n):
        if not all(holds(c, values[i], as_of) for c, values in tests):
            continue
        stamp = parse_stamp(stamps[i])
        if not force and stamp is not None:
            changed = marker_col is not None and stamp.date is not None and stamp.marker != marker_of(marker_col[i])
            aged = (
                kind.renotify_after_days
                and stamp.date is not None
                and (as_of.date() - stamp.date).days >= kind.renotify_after_days
            )
            if not (changed or aged):
                matching.append(i)
                already += 1
                continue
        skip = window_skip(kind, i, window_col[i], as_of) if window_col is not None else None
        if skip is not None:
            skipped.append(skip)
            continue
        matching.append(i)
        due.append(i)
    return matching, due, already, skipped
