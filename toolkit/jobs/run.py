"""The jobs: sync, flag, tiers - and run, which does all three with one read and one write per workbook.

Every job has the same shape: read both workbooks once, let the pure rules decide, turn the
decisions into cell changes, write each workbook once (or, with dry_run, only report).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from toolkit.errors import Problem, ToolkitError, WorkbookBusy
from toolkit.i18n import _, ngettext
from toolkit.jobs.changelog import append_changes
from toolkit.jobs.changes import ChangeList, TablePlan, plan_changes, write_plan
from toolkit.jobs.office import job_time, office_calendar
from toolkit.jobs.problems import data_problems
from toolkit.jobs.tier_history import HistoryBook, not_written_note
from toolkit.model.records import Table, read_table
from toolkit.progress import NoProgress
from toolkit.rules import sla as sla_rules
from toolkit.rules import sync as sync_rules
from toolkit.rules import tiers as tier_rules
from toolkit.rules import visits as visit_rules
from toolkit.rules.known import EVENT_COLUMNS, known_as_of
from toolkit.rules.plain import text_of
from toolkit.rules.tier_history import TierEvent, register_events
from toolkit.settings import Settings, load_settings, require_folder
from toolkit.xlsx.package import Package
from toolkit.xlsx.refs import parse_ref
from toolkit.xlsx.safety import (
    FileStamp,
    clean_stale_temps,
    folder_lock,
    refuse_unless_writable,
)

JOBS = ("sync", "flag", "tiers")


@dataclass
class JobResult:
    jobs: tuple[str, ...]
    as_of: dt.datetime
    dry_run: bool
    changes: ChangeList = field(default_factory=ChangeList)
    problems: list[Problem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    written: list[Path] = field(default_factory=list)
    log_file: Path | None = None
    rows: dict[str, int] = field(default_factory=dict)
    tier_history: list[TierEvent] = field(default_factory=list)  # lines added (with dry_run: to add) to the history
    tier_history_file: Path | None = None  # the tier history workbook, when the tiers job ran
    added: dict[str, list[str]] = field(default_factory=dict)  # workbook name -> headers of the columns added


class FileWorkbook:
    """A workbook on disk, through the file engine: read_table to read, write_plan to write in place
    (atomic replace, backups, owner-file and stamp checks). The command line always uses this."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self.stamp: FileStamp | None = None

    def check_writable(self) -> None:
        refuse_unless_writable(self.path)

    def read(self, schema) -> Table:
        return read_table(self.path, schema)

    def snapshot(self) -> None:
        if self.path.exists():
            self.stamp = FileStamp.of(self.path)

    def check_unchanged(self) -> None:
        if self.stamp is not None and self.path.exists() and FileStamp.of(self.path) != self.stamp:
            raise WorkbookBusy(
                _("was changed by someone else while the job ran; nothing was written"),
                path=self.path,
                hint=_("run the job again"),
            )

    def preflight(self, plan: TablePlan) -> None:
        with Package.open(self.path) as pkg:
            pkg.check_parts()

    def write(self, plan: TablePlan, settings: Settings) -> list[Problem]:
        """Write the plan; cells left alone (formulas) are dropped from the plan and reported."""
        report, problems = write_plan(
            plan, keep_backups=settings.backups_kept, stamp=self.stamp, highlight=settings.layout.colours()
        )
        if report.skipped_formulas:
            plan.drop_cells({parse_ref(ref.rpartition("!")[2]) for ref in report.skipped_formulas})
        return problems


class WorkbookSource(Protocol):
    """Where a job reads one workbook from and writes it back to: the file on disk (FileWorkbook) or the
    workbook open in Excel (toolkit.excel.live.LiveWorkbook). The rules never know which."""

    path: Path

    def check_writable(self) -> None: ...  # refuse early when the job may not write it
    def snapshot(self) -> None: ...  # remember its state before reading
    def read(self, schema) -> Table: ...
    def check_unchanged(self) -> None: ...  # refuse when someone changed it while the job ran
    def preflight(self, plan: TablePlan) -> None: ...  # refuse a damaged workbook before the first write
    def write(self, plan: TablePlan, settings: Settings) -> list[Problem]: ...


def _missing_required(table: Table) -> list[str]:
    return [c.name for c in table.schema.columns if c.required and not table.has(c.name)]


def run_jobs(
    folder: str | Path = ".",
    jobs: tuple[str, ...] = JOBS,
    *,
    as_of: dt.datetime | None = None,
    dry_run: bool = False,
    settings: Settings | None = None,
    progress=None,
) -> JobResult:
    """Run the named jobs on the workbooks in `folder`.

    `progress` (optional) gets `.step(text)` calls as the job moves on: read, decide, write, log.
    """
    return run_jobs_with(FileWorkbook, folder, jobs, as_of=as_of, dry_run=dry_run, settings=settings, progress=progress)


def run_jobs_with(
    source: Callable[[Path], WorkbookSource],
    folder: str | Path = ".",
    jobs: tuple[str, ...] = JOBS,
    *,
    as_of: dt.datetime | None = None,
    dry_run: bool = False,
    settings: Settings | None = None,
    progress=None,
) -> JobResult:
    """run_jobs, reading and writing each workbook through `source(path)` (FileWorkbook, or the
    Excel adapter for a workbook open in Excel). Same rules, same changes, same change log."""
    progress = progress or NoProgress()
    unknown = [j for j in jobs if j not in JOBS]
    if unknown:
        raise ToolkitError(_("unknown job '{job}'; the jobs are: {jobs}").format(job=unknown[0], jobs=", ".join(JOBS)))
    folder = Path(folder)
    settings = settings or load_settings(require_folder(folder))
    as_of = job_time(as_of)
    result = JobResult(jobs=tuple(jobs), as_of=as_of, dry_run=dry_run)
    reg_src, trk_src = source(settings.register_path), source(settings.tracker_path)
    history = None
    if "tiers" in jobs:  # every tier change decided is added to the tier history (toolkit/jobs/tier_history.py)
        history = HistoryBook(settings)
        result.tier_history_file = history.path
    if not dry_run:
        for src in (reg_src, trk_src):
            src.check_writable()
    with folder_lock(folder, required=not dry_run):
        if not dry_run:
            clean_stale_temps(folder)
        progress.step(_("reading the workbooks"))
        for src in (reg_src, trk_src):
            src.snapshot()
        register, tracker = _read_both(reg_src, trk_src, settings)
        if history is not None:
            result.problems += history.read().problems
            result.notes += history.notes
        result.rows = {"register": len(register), "tracker": len(tracker)}
        result.problems += data_problems(settings, register, tracker, as_of)  # the same list for every command
        for table in (register, tracker):
            missing = _missing_required(table)
            if missing:
                raise ToolkitError(
                    _("sheet '{sheet}' lacks required columns: {columns}; nothing was changed").format(
                        sheet=table.sheet, columns=_(", ").join(table.schema.column(m).header for m in missing)
                    ),
                    path=table.path,
                    hint=_("`toolkit check` lists the details"),
                )
        reg_plan, trk_plan = TablePlan(register), TablePlan(tracker)
        progress.step(_("applying the rules"))
        decide(settings, register, tracker, jobs, as_of, reg_plan, trk_plan, result)
        result.changes = reg_plan.changes + trk_plan.changes
        for plan in (reg_plan, trk_plan):
            if plan.new_headers:
                result.added[plan.table.path.name] = [header for _col, header in plan.new_headers.values()]
        if history is not None:  # decide() left the register's changes there: keep those the history lacks
            result.tier_history = history.missing(result.tier_history)
        if dry_run:
            return result
        for table in (register, tracker):  # decided: the values the changes do not hold are let go before writing
            table.release_values()
        for src, plan in ((reg_src, reg_plan), (trk_src, trk_plan)):  # a damaged part found before the first write
            if plan.changes or plan.new_headers:
                src.preflight(plan)
        for src in (reg_src, trk_src):  # changed while we decided (and checked): write neither workbook
            src.check_unchanged()
        logged_at = dt.datetime.now()
        saved = 0  # the changes written (and logged) so far
        for src, plan in ((reg_src, reg_plan), (trk_src, trk_plan)):
            progress.step(_("writing {file}").format(file=plan.table.path.name))
            if plan.changes or plan.new_headers:
                try:
                    result.problems += src.write(plan, settings)
                except ToolkitError as exc:
                    if result.written:  # the other workbook is saved and logged: the message says so
                        raise after_partial_write(exc, result, folder, saved) from None
                    raise
                result.written.append(plan.table.path)
                saved += len(plan.changes)
                # logged as soon as the workbook is saved, so a later failure cannot leave them out
                result.log_file = append_changes(folder, plan.changes, when=logged_at) or result.log_file
        result.changes = reg_plan.changes + trk_plan.changes
        if history is not None and result.tier_history:
            _append_history(history, result)
        progress.step(_("writing the change log"))
    return result


def after_partial_write(exc: ToolkitError, result: JobResult, folder: Path, n: int) -> ToolkitError:
    """The error of a workbook not written after the other was saved, telling exactly what was written: the
    saved workbook, its number of changes and the log that lists them (the same kind of error, so every face
    treats it as before)."""
    saved = ", ".join(p.name for p in result.written)
    log = result.log_file.relative_to(folder) if result.log_file and result.log_file.is_relative_to(folder) else None
    told = (
        ngettext(
            "{books} was saved already, with its {n:,} change, listed in {log}",
            "{books} was saved already, with its {n:,} changes, listed in {log}",
            n,
        ).format(books=saved, n=n, log=log)
        if log is not None
        else _("{books} was saved already").format(books=saved)
    )
    return type(exc)(f"{exc.message}; {told}", path=exc.path, hint=exc.hint)


def _append_history(history: HistoryBook, result: JobResult) -> None:
    """After the register: a history that cannot be written now (open in Excel) is caught up by the next run."""
    try:
        history.append(result.tier_history)
    except (ToolkitError, OSError) as exc:
        reason = exc.message if isinstance(exc, ToolkitError) else (exc.strerror or str(exc))
        result.notes.append(not_written_note(history.path.name, reason))
        result.tier_history = []


def _read_both(reg_src: WorkbookSource, trk_src: WorkbookSource, settings: Settings) -> tuple[Table, Table]:
    """Read the register and the tracker; two files on disk at once (the reader lets go of the
    interpreter while it unpacks a sheet), a workbook open in Excel on this thread (Excel wants that)."""
    if not (isinstance(reg_src, FileWorkbook) and isinstance(trk_src, FileWorkbook)):
        return reg_src.read(settings.register), trk_src.read(settings.tracker)
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="read") as pool:
        register = pool.submit(reg_src.read, settings.register)
        tracker = trk_src.read(settings.tracker)
        return register.result(), tracker


_FIGURE_INPUTS = ("customer_id", "received_at", "status", "satisfaction")  # what complaint_figures reads


def decide(
    settings: Settings,
    register: Table,
    tracker: Table,
    jobs,
    as_of: dt.datetime,
    reg_plan: TablePlan,
    trk_plan: TablePlan,
    result: JobResult,
) -> None:
    """All decisions of the requested jobs, in dependency order, as planned cell changes."""
    lang = settings.header_language
    reg_ids = register.values("customer_id")
    index = sync_rules.index_register(reg_ids, register.values("name"), register.values("phone"))
    # only the tracker columns the rules read become lists (a list costs 8 bytes a row and column)
    tracker_cols = {name: tracker.values(name) for name in dict.fromkeys(sla_rules.INPUT_COLUMNS + _FIGURE_INPUTS)}
    # times typed after --as-of are not known yet (toolkit/rules/known.py)
    tracker_cols.update(known_as_of(tracker_cols, EVENT_COLUMNS["tracker"], as_of))
    reg_known = known_as_of(register.column_values(), EVENT_COLUMNS["register"], as_of)
    reg_cols = register.column_values(reg_known)  # (other columns become lists when a rule looks them up)
    dup_rows = [reg_ids[i] in index.duplicates if reg_ids[i] else False for i in range(len(reg_ids))]

    # 1. complaint figures per customer (sync), needed by tiers
    sla_states = tracker.values("sla_state")
    figures: dict[str, list] = {}
    if "sync" in jobs or "tiers" in jobs:
        figures = sync_rules.complaint_figures(
            reg_ids,
            tracker_cols,
            as_of,
            sla_states,
            closed_statuses=settings.sla.closed_statuses,
            score_scale=settings.tracker.column("satisfaction").range,
        )
    # 2. tiers
    tiers_now = reg_cols["tier"]
    if "tiers" in jobs:
        outputs, _expired = tier_rules.evaluate_all(reg_cols, figures["complaints_12m"], as_of.date(), settings.tiers)
        # (expired overrides are reported with the data's other problems: toolkit/jobs/problems.py)
        plan_changes(reg_plan, "tiers", outputs, keep=_keep_rows(dup_rows, outputs), language=lang)
        decided = [text_of(a) != text_of(b) for a, b in zip(outputs["tier"], reg_cols["tier"])]
        reg_cols = register.column_values({**reg_known, **outputs})  # the register as the job leaves it
        result.tier_history = register_events(reg_cols, decided, as_of, leave=dup_rows)
        tiers_now = outputs["tier"]
    # 3. deadlines and escalation (flag), visits
    if "flag" in jobs:
        cal, warn = office_calendar(settings.folder, settings, problems=[])  # its problems: data_problems
        tier_by_id = {cid: tiers_now[p] for cid, p in index.position.items()}
        tiers = [tier_by_id.get(cid) for cid in tracker_cols["customer_id"]]
        outputs = sla_rules.evaluate_all(tracker_cols, tiers, as_of, settings.sla, cal)
        plan_changes(trk_plan, "flag", outputs, language=lang)
        sla_states = outputs["sla_state"]
        due_years = {d.year for k, v in outputs.items() if k.endswith("_due") for d in v if d is not None}
        provisional_years = sorted(y for y in due_years if not cal.is_known(dt.date(y, 1, 1)))  # known by year
        for year in provisional_years:
            warn(year)
            result.notes.append(
                _(
                    "deadlines in {year} are provisional: the statutory holiday calendar does not know that year yet"
                ).format(year=year)
            )
        visits = visit_rules.evaluate_visits(
            reg_cols["last_visit_date"],
            reg_cols["first_contact_date"],
            tiers_now,
            as_of.date(),
            settings.visits,
            register.values("next_visit_due"),
        )
        plan_changes(reg_plan, "flag", visits, keep=_keep_rows(dup_rows, visits), language=lang)
    # 4. sync: customer fields into the tracker, figures back to the register
    if "sync" in jobs:
        fields, keep, _unknown = sync_rules.customer_fields_for_tracker(
            tracker_cols["customer_id"],
            {**{name: reg_cols[name] for name in sync_rules.CUSTOMER_FIELDS.values()}, "tier": tiers_now},
            index,
            tracker.values("customer_name"),
            tracker.values("contact_phone"),
        )
        _keep_unreadable_sources(register, tracker_cols["customer_id"], reg_ids, keep)
        plan_changes(trk_plan, "sync", fields, keep=keep, language=lang)  # (unknown IDs: data_problems)
        if "flag" in jobs:  # overdue counts from this run's deadlines
            figures = {
                **figures,
                "overdue_complaints": sync_rules.overdue_counts(reg_ids, tracker_cols["customer_id"], sla_states),
            }
        plan_changes(reg_plan, "sync", figures, keep=_keep_rows(dup_rows, figures), language=lang)


def _keep_unreadable_sources(register: Table, tracker_ids: list, reg_ids: list, keep: dict[str, list]) -> None:
    """A register value that could not be read (reported on its cell: a name longer than a cell holds, say) is
    not copied as blank over the tracker's copy: those tracker cells are left as they are."""
    by_header = {register.headers.get(src, src): col for col, src in sync_rules.CUSTOMER_FIELDS.items()}
    found = [(by_header[p.column], p.row) for p in register.problems if p.column in by_header and p.severity == "error"]
    if not found:
        return
    index = {row: i for i, row in enumerate(register.rows)}
    unreadable: dict[str, set] = {}
    for col, row in found:
        cid = reg_ids[index[row]] if row in index else None
        if cid is not None:
            unreadable.setdefault(col, set()).add(cid)
    for col, ids in unreadable.items():
        for i, cid in enumerate(tracker_ids):
            if cid in ids:
                keep[col][i] = True


def _keep_rows(dup_rows: list[bool], outputs: dict[str, list]) -> dict[str, list]:
    """Register rows whose customer ID is duplicated are reported and left alone."""
    return {name: dup_rows for name in outputs}
