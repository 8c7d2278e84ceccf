"""`toolkit log`: who changed what, when - the change log filtered by customer, complaint, column and time.

The log is `logs/changes-YYYY-MM.csv` in the workbook folder (see :mod:`toolkit.jobs.changelog`):
one line per changed cell with the time, the operating-system user, the job, the workbook, sheet
and cell, the row's key (customer ID in the register, complaint number in the tracker), the
column's header and the old and new value.

- ``customer``: the register's lines for that customer, and the tracker's lines for the
  complaints the tracker now lists under that customer.
- ``complaint``: the tracker's lines for that complaint number.
- ``column``: any header the column is known by (``客户名称``, ``Customer Name``,
  ``customer_name``), ignoring case, spaces and full-width/half-width differences.
- ``since`` / ``until``: times; a date alone in ``until`` means the end of that day.
"""

from __future__ import annotations

import csv
import datetime as dt
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from toolkit.errors import ToolkitError
from toolkit.formats import show
from toolkit.i18n import N_, _
from toolkit.jobs.changelog import COLUMNS, FORMULA_START, LOG_DIR, is_header
from toolkit.model.headers import normalize_header
from toolkit.model.records import read_table
from toolkit.model.values import parse_value
from toolkit.settings import load_settings
from toolkit.textout import format_table


@dataclass(frozen=True)
class LogEntry:
    time: dt.datetime | None
    user: str
    job: str
    workbook: str
    sheet: str
    cell: str
    key: str
    column: str
    old: str
    new: str
    source: str  # "changes-2026-11.csv:17"


@dataclass
class LogQuery:
    entries: list[LogEntry] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    files: list[Path] = field(default_factory=list)


def _id(text: str | None) -> str:
    """IDs compared as staff mean them: full-width made half-width, spaces trimmed, case ignored."""
    return unicodedata.normalize("NFKC", text or "").strip().casefold()


def _stored(text: str) -> str:
    """A logged value as it was: the quote mark that kept formula-like text as text in Excel removed."""
    if text.startswith("'") and text[1:].startswith(FORMULA_START):
        return text[1:]
    return text


def read_log(folder: str | Path) -> LogQuery:
    """Every line of every monthly change log in `folder`/logs, oldest file first."""
    out = LogQuery()
    log_dir = Path(folder) / LOG_DIR
    if not log_dir.is_dir():
        return out
    out.files = sorted(log_dir.glob("changes-*.csv"))
    for path in out.files:
        try:
            with open(path, encoding="utf-8-sig", errors="replace", newline="") as fh:
                for n, row in enumerate(csv.reader(fh), 1):
                    if not row or (n == 1 and is_header(row[0])):
                        continue
                    if len(row) != len(COLUMNS):
                        out.notes.append(
                            _("{file} line {n} is not a change-log line; skipped").format(file=path.name, n=n)
                        )
                        continue
                    when = None
                    try:
                        when = dt.datetime.strptime(row[0], "%Y-%m-%d %H:%M:%S")
                    except ValueError:
                        out.notes.append(
                            _("{file} line {n}: the time '{time}' cannot be read").format(
                                file=path.name, n=n, time=row[0]
                            )
                        )
                    out.entries.append(
                        LogEntry(
                            when,
                            row[1],
                            row[2],
                            row[3],
                            row[4],
                            row[5],
                            _stored(row[6]),
                            _stored(row[7]),
                            _stored(row[8]),
                            _stored(row[9]),
                            f"{path.name}:{n}",
                        )
                    )
        except (OSError, csv.Error) as exc:
            out.notes.append(_("{file} cannot be read ({reason}); skipped").format(file=path.name, reason=exc))
    return out


def parse_when(text: str, *, end_of_day: bool = False) -> dt.datetime:
    """A --since/--until value; with `end_of_day`, a date alone means the start of the next day."""

    value, err = parse_value(text, "datetime")
    if err or value is None:
        raise ToolkitError(
            _("'{text}' is not a date or time: {reason}").format(text=text, reason=err or _("it is empty"))
        )
    if end_of_day and ":" not in text and value.time() == dt.time(0, 0):
        value += dt.timedelta(days=1)
    return value


def _column_names(settings, name: str) -> set[str]:
    """Every header text (normalised) naming the same column as `name`, in either workbook."""
    wanted = normalize_header(name)
    found = {wanted}
    if settings is not None:
        for schema in (settings.register, settings.tracker):
            for col in schema.columns:
                texts = {
                    normalize_header(t) for t in (*col.accepted_headers, col.header_for("zh"), col.header_for("en"))
                }
                if wanted in texts:
                    found |= texts
    return found


def query_log(
    folder: str | Path,
    *,
    customer: str | None = None,
    complaint: str | None = None,
    column: str | None = None,
    since: dt.datetime | None = None,
    until: dt.datetime | None = None,
    settings=None,
) -> LogQuery:
    """The change-log lines matching every filter given (`until` is exclusive)."""

    folder = Path(folder)
    settings = settings or load_settings(folder)
    log = read_log(folder)
    register_name = settings.register_path.name
    tracker_name = settings.tracker_path.name
    entries = log.entries
    if since is not None:
        entries = [e for e in entries if e.time is not None and e.time >= since]
    if until is not None:
        entries = [e for e in entries if e.time is not None and e.time < until]
    if column:
        names = _column_names(settings, column)
        entries = [e for e in entries if normalize_header(e.column) in names]
    if complaint:
        want = _id(complaint)
        entries = [e for e in entries if e.workbook == tracker_name and _id(e.key) == want]
    if customer:
        want = _id(customer)
        complaints = _complaints_of(settings, want, log) if any(e.workbook == tracker_name for e in entries) else set()
        entries = [
            e
            for e in entries
            if (e.workbook == register_name and _id(e.key) == want)
            or (e.workbook == tracker_name and _id(e.key) in complaints)
        ]
    log.entries = entries
    return log


def _complaints_of(settings, customer: str, log: LogQuery) -> set[str]:
    """The complaint numbers the tracker lists under `customer` (normalised)."""

    try:
        tracker = read_table(settings.tracker_path, settings.tracker)
    except ToolkitError as exc:
        log.notes.append(
            _("the tracker cannot be read ({reason}), so only the register's lines are shown").format(
                reason=exc.message
            )
        )
        return set()
    return {
        _id(k)
        for k, c in zip(tracker.values("complaint_id"), tracker.values("customer_id"))
        if k and c and _id(c) == customer
    }


# the jobs as the log records them, named in the clerk's language when shown
_JOB_NAMES = {"sync": N_("sync"), "flag": N_("flag"), "tiers": N_("tiers"), "notices": N_("notices")}


def format_entries(entries: list[LogEntry]) -> str:

    rows = [
        (
            show(e.time) if e.time else "?",
            e.user,
            _(_JOB_NAMES[e.job]) if e.job in _JOB_NAMES else e.job,
            e.workbook,
            e.cell,
            e.key,
            e.column,
            e.old,
            e.new,
        )
        for e in entries
    ]
    headers = [_(name) for name in COLUMNS if name != "sheet"]
    return format_table(headers, rows, max_width=40)
