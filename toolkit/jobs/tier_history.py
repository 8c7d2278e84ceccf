"""The tier history workbook (tier_history.xlsx, sheet 等级变更记录): one line per tier change, kept by the tiers job.

::

    from toolkit.jobs.tier_history import read_history
    history = read_history(load_settings("客服台账"))
    history.events          # [TierEvent(changed_on, customer_id, name, previous_tier, tier, reason, ...)] or None

`toolkit tiers` and `toolkit run` add a line for every change of tier they decide (and for any
change the register shows that the history lacks: see :mod:`toolkit.rules.tier_history`), after
the register is written; `--dry-run` lists the lines instead, and `--as-of` dates them. The
monthly report reads the history to tell any past month's tiers and tier changes.

Why a workbook of its own beside the register: it only grows (a line is never changed), staff can
open, filter and print it like any list, and the register's own sheet - which staff edit all day -
is not touched for it. It is made with Chinese headers (English ones as their comments, or the
other way round with ``header_language = "en"``) and afterwards only ever appended to, through
the in-place engine: atomic, backed up, never behind Excel's back (a history open in Excel is left
for the next run, which adds what is missing), and columns or notes staff add stay.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from toolkit.errors import Problem, ToolkitError
from toolkit.formats import show, show_date
from toolkit.i18n import _, ngettext
from toolkit.model.new_workbook import write_workbook
from toolkit.model.records import Table, read_table
from toolkit.model.schema import Column, SheetSchema
from toolkit.rules.monthly import MonthlyFigures
from toolkit.rules.plain import day_of, text_of
from toolkit.rules.tier_history import DECIDED, TierEvent, missing_events
from toolkit.settings import Settings
from toolkit.xlsx import WorkbookEditor, add_column
from toolkit.xlsx.safety import FileStamp, refuse_if_open

BIG_FIRST_WRITE = 5_000  # more lines than this in a new history: written the streaming way


def _col(name, zh, en, kind="text", width=None) -> Column:
    return Column(name=name, header=zh, english=en, type=kind, owner="toolkit", width=width)


HISTORY_COLUMNS = (  # (a line without a day or a customer is reported by read_history itself)
    _col("changed_on", "变更日期", "Changed On", "date", 12),
    _col("customer_id", "客户编号", "Customer ID", "text", 12),
    _col("name", "客户名称", "Customer Name", "text", 28),
    _col("previous_tier", "原等级", "From Tier", "text", 9),
    _col("tier", "新等级", "To Tier", "text", 9),
    _col("reason", "变更依据", "Reason", "text", 60),
    _col("evaluated_at", "评定时间", "Evaluated At", "datetime", 17),
    _col("recorded_how", "记录方式", "Recorded How", "text", 12),
)


def history_schema(sheet: str) -> SheetSchema:
    return SheetSchema(role="tier_history", sheet=sheet, key="customer_id", columns=HISTORY_COLUMNS)


def _row(e: TierEvent) -> dict[str, object]:
    return {
        "changed_on": e.changed_on,
        "customer_id": e.customer_id,
        "name": e.name,
        "previous_tier": e.previous_tier,
        "tier": e.tier,
        "reason": e.reason,
        "evaluated_at": e.evaluated_at,
        "recorded_how": e.recorded_how,
    }


@dataclass
class HistoryRead:
    path: Path
    events: list[TierEvent] | None  # None: there is no history file yet
    problems: list[Problem] = field(default_factory=list)
    table: Table | None = None  # the sheet as read, for appending
    error: str = ""  # why the history could not be read (then events is None)

    def notes_for(self, figures: MonthlyFigures) -> list[str]:
        """What the report's reader should know about where its tiers came from (MonthlyFigures.tier_source)."""
        if self.error:
            return [
                _(
                    "the tier history ({file}) could not be read ({reason}): the month's tiers and tier changes are "
                    "read from the register, which keeps each customer's last change only"
                ).format(file=self.path.name, reason=self.error)
            ]
        if figures.tier_source == "register":
            return [
                _(
                    "there is no tier history ({file}) yet: the month's tiers and tier changes are read from the "
                    "register, which keeps each customer's last change only; `toolkit tiers` starts the history"
                ).format(file=self.path.name)
            ]
        if figures.tier_source == "partial" and figures.tier_history_since is not None:
            return [
                _(
                    "the tier history ({file}) begins on {day}: for earlier days the tiers and tier changes are "
                    "read from the register, which keeps each customer's last change only"
                ).format(file=self.path.name, day=show_date(figures.tier_history_since.date()))
            ]
        return []


def read_history(settings: Settings) -> HistoryRead:
    """The history's lines (events None when there is no history file, or one that cannot be read: `error` says
    why). A line without a day or a customer is reported and left out."""
    hs = settings.tier_history
    path = settings.tier_history_path
    if not path.exists():
        return HistoryRead(path, None)
    try:
        table = read_table(path, history_schema(hs.sheet))
    except ToolkitError as exc:  # damaged, or its sheet renamed: the jobs go on without it and say so
        return HistoryRead(path, None, error=exc.message)
    problems = list(table.problems)
    cols = {c.name: table.values(c.name) for c in HISTORY_COLUMNS}
    events = []
    for i in range(len(table)):
        day, cid = day_of(cols["changed_on"][i]), text_of(cols["customer_id"][i])
        if not isinstance(day, dt.date) or not cid:
            if any(cols[c.name][i] is not None for c in HISTORY_COLUMNS):
                problems.append(
                    table.problem(
                        i,
                        "changed_on" if not isinstance(day, dt.date) else "customer_id",
                        None,
                        _("this line of the tier history has no date or no customer ID; it is not used"),
                        "warning",
                    )
                )
            continue
        evaluated = cols["evaluated_at"][i]
        events.append(
            TierEvent(
                day,
                cid,
                text_of(cols["name"][i]),
                text_of(cols["previous_tier"][i]) or None,
                text_of(cols["tier"][i]) or None,
                text_of(cols["reason"][i]),
                evaluated if isinstance(evaluated, dt.datetime) else None,
                text_of(cols["recorded_how"][i]) or DECIDED,
            )
        )
    return HistoryRead(path, events, problems, table)


class HistoryBook:
    """The history as the tiers job uses it: read with the workbooks, the missing lines appended after them."""

    def __init__(self, settings: Settings):
        self.settings = settings
        self.hs = settings.tier_history
        self.path = settings.tier_history_path
        self.read_result: HistoryRead | None = None
        self.stamp: FileStamp | None = None

    def read(self) -> HistoryRead:
        self.stamp = FileStamp.of(self.path) if self.path.exists() else None
        self.read_result = read_history(self.settings)
        return self.read_result

    @property
    def notes(self) -> list[str]:
        if self.read_result is not None and self.read_result.error:
            return [
                _(
                    "{file} could not be read ({reason}) and was left as it is; put back its backup with "
                    "`toolkit restore`, or move it away, and the next tiers run adds the missing lines"
                ).format(file=self.path.name, reason=self.read_result.error)
            ]
        return []

    def missing(self, candidates: Sequence[TierEvent]) -> list[TierEvent]:
        """The lines to add: the candidates the history does not hold yet (none to a history that cannot be read:
        it is left as it is, and the next run that can read it adds what is missing)."""
        if self.read_result is not None and self.read_result.error:
            return []
        known = (self.read_result.events if self.read_result else None) or []
        return missing_events(candidates, known)

    def append(self, events: Sequence[TierEvent]) -> Path | None:
        """Add the lines (a new workbook the first time). Raises ToolkitError when it cannot be written."""
        if not events:
            return None
        schema = history_schema(self.hs.sheet)
        rows = [_row(e) for e in events]
        keep = self.settings.backups_kept
        if not self.path.exists():
            # (the first run writes a line per customer: streamed at office scale, without the header comments)
            write_workbook(
                self.path,
                schema,
                rows,
                language=self.settings.header_language,
                keep_backups=keep,
                big=len(rows) > BIG_FIRST_WRITE,
            )
            return self.path
        refuse_if_open(self.path)
        table = (
            self.read_result.table
            if self.read_result is not None and self.read_result.table is not None
            else read_table(self.path, schema)
        )
        missing = [c for c in schema.columns if not table.has(c.name)]
        for c in missing:  # a column staff deleted comes back at the right
            add_column(
                self.path,
                table.sheet,
                c.header_for(self.settings.header_language),
                header_row=table.header_row,
                keep_backups=keep,
            )
        if missing:
            table = read_table(self.path, schema)
        width = max(table.columns.values())
        values = []
        for row in rows:
            line: list[object] = [None] * width
            for name, value in row.items():
                line[table.columns[name] - 1] = value
            values.append(line)
        editor = WorkbookEditor(self.path)
        editor.append_rows(table.sheet, values)
        editor.save(keep_backups=keep, expect=None if missing else self.stamp)
        return self.path


def describe_events(events: Sequence[TierEvent]) -> list[tuple]:
    """The lines as table rows for the command line (what was, or with --dry-run would be, added)."""
    return [
        (show(e.changed_on), e.customer_id, e.name, e.previous_tier or "", e.tier or "", e.recorded_how, e.reason)
        for e in events
    ]


def history_headers() -> list[str]:
    return [_("changed on"), _("customer"), _("name"), _("from"), _("to"), _("recorded"), _("reason")]


def appended_message(count: int, file: str, dry_run: bool) -> str:
    if dry_run:
        return ngettext(
            "{file}: {n} line would be added to the tier history",
            "{file}: {n} lines would be added to the tier history",
            count,
        ).format(file=file, n=count)
    return ngettext(
        "{file}: {n} line added to the tier history", "{file}: {n} lines added to the tier history", count
    ).format(file=file, n=count)


def more_lines(n: int) -> str:
    return ngettext("... and {n} more line", "... and {n} more lines", n).format(n=n)


def not_written_note(file: str, reason: str) -> str:
    return _("{file} could not be updated ({reason}); the next tiers run adds the missing lines").format(
        file=file, reason=reason
    )
