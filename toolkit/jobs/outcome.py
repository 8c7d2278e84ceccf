"""What a job did, told to the person who clicked it: the Outcome both button faces show.

The Excel buttons (toolkit.macros) and the desktop panel (toolkit.panel) offer the same six jobs
(FACE_JOBS) and call the same library functions as the command line: ``run_jobs`` (sync, flag, tiers
and the three together), ``make_notices`` and ``make_summary``. The functions here make that call
and put the result into an :class:`Outcome`: a title, whether the job finished, the lines of the
message (what changed per workbook, what was made, where), the problems, the files made, and the
job's own result object. The face decides only where the workbooks are read from (a workbook open in
Excel, or the file on disk) and how the Outcome is shown (a message box and the panel sheet, or a
window).

Failures: a ToolkitError (a workbook open in Excel or WPS, a bad setting, a template to correct)
becomes its own message, word for word what the command line prints after ``toolkit:``; anything
else becomes one line naming the error, with the details for whoever maintains the toolkit appended
to a log file in the folder's ``logs/`` (or the temp folder when that cannot be written).
"""

from __future__ import annotations

import datetime as dt
import tempfile
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from toolkit.errors import Problem, ToolkitError
from toolkit.i18n import _, ngettext
from toolkit.jobs.notices import NoticeResult, closing_line, make_notices, recovered_line, skipped_lines
from toolkit.jobs.run import FileWorkbook, JobResult, run_jobs_with
from toolkit.jobs.summary import SummaryResult, make_summary
from toolkit.jobs.tier_history import appended_message
from toolkit.settings import Settings

__all__ = [
    "FACE_JOBS",
    "RUN_JOBS",
    "Outcome",
    "call_notices",
    "call_run_jobs",
    "call_summary",
    "log_error",
    "record_failure",
]

# The six jobs of a panel, in the order the panels show them; the first four are run_jobs' jobs.
RUN_JOBS: dict[str, tuple[str, ...]] = {
    "sync": ("sync",),
    "flag": ("flag",),
    "tiers": ("tiers",),
    "run_all": ("sync", "flag", "tiers"),
}
FACE_JOBS = (*RUN_JOBS, "notices", "summary")


@dataclass
class Outcome:
    """What a button did, as shown in the message box and on the panel."""

    job: str
    title: str
    ok: bool = True
    lines: list[str] = field(default_factory=list)  # the message
    problems: list[Problem] = field(default_factory=list)
    files: list[Path] = field(default_factory=list)
    as_of: dt.datetime | None = None
    result: object = None  # the job's own result (JobResult, NoticeResult, SummaryResult)
    dry_run: bool = False

    @property
    def errors(self) -> int:
        return sum(p.severity == "error" for p in self.problems)

    @property
    def status(self) -> str:
        if not self.ok:
            return _("failed")
        if self.errors:
            return _("done, problems found")
        return _("done")

    def message(self) -> str:
        text = "\n".join(self.lines)
        if self.problems:
            errors = self.errors
            text += "\n\n" + _("{errors} problem(s) and {warnings} warning(s), listed on the panel:").format(
                errors=errors, warnings=len(self.problems) - errors
            )
            for p in self.problems[:5]:
                text += f"\n- {p}"
        return text


# ------------------------------------------------------------------------------ the calls


def call_run_jobs(
    out: Outcome,
    folder: Path,
    settings: Settings,
    jobs: tuple[str, ...],
    *,
    source=None,
    dry_run: bool = False,
    progress=None,
    where: Callable[[Path, int], str] | None = None,
) -> JobResult:
    """run_jobs (through `source(path)` for each workbook, default the file on disk) into `out`.

    `where(path, n)`: a face's words after a workbook's line (the Excel buttons say whether Excel saved it).
    """
    result = run_jobs_with(
        source or FileWorkbook, folder, jobs, as_of=out.as_of, dry_run=dry_run, settings=settings, progress=progress
    )
    out.result = result
    out.problems += result.problems
    by_book = result.changes.count_by_workbook()
    if not by_book:
        out.lines.append(_("Nothing to change."))
    for path in (settings.register_path, settings.tracker_path):
        n = by_book.get(path.name, 0)
        if not n:
            continue
        if dry_run:
            text = ngettext("{file}: would change {n} cell", "{file}: would change {n} cells", n)
        else:
            text = ngettext("{file}: changed {n} cell", "{file}: changed {n} cells", n)
        out.lines.append(text.format(file=path.name, n=f"{n:,}") + (where(path, n) if where else ""))
    if result.tier_history and result.tier_history_file:
        out.lines.append(appended_message(len(result.tier_history), result.tier_history_file.name, dry_run))
    if dry_run:
        out.lines.append(_("Preview only: nothing was written."))
    for note in result.notes:
        out.lines.append(_("Note: {note}").format(note=note))
    if result.log_file:
        out.lines.append(_("Change log: {file}").format(file=result.log_file))
        out.files.append(result.log_file)
    return result


def call_notices(
    out: Outcome, folder: Path, settings: Settings, *, source=None, dry_run: bool = False, progress=None
) -> NoticeResult:
    """make_notices into `out`: how many of each notice, where they are, what could not be made.

    `source(path)`: where the register and the tracker are read and stamped (default: the files on disk).
    """
    result = make_notices(
        folder, as_of=out.as_of, dry_run=dry_run, settings=settings, progress=progress, source=source or FileWorkbook
    )
    out.result = result
    out.problems += result.problems
    by_title: dict[str, int] = {}
    for n in result.made:  # the notices by their names in the panel's language (受理回执 / Acknowledgement)
        title = result.title(n.kind)
        by_title[title] = by_title.get(title, 0) + 1
    kinds = _(", ").join(_("{title} {n}").format(title=t, n=n) for t, n in by_title.items())
    made = len(result.made)
    if not made and not result.failures:
        text = _("No notices are due.")
    elif dry_run and kinds:
        text = ngettext("Notices that would be made: {n} ({kinds})", "Notices that would be made: {n} ({kinds})", made)
    elif dry_run:
        text = ngettext("Notices that would be made: {n}", "Notices that would be made: {n}", made)
    elif kinds:
        text = ngettext("Notices made: {n} ({kinds})", "Notices made: {n} ({kinds})", made)
    else:
        text = ngettext("Notices made: {n}", "Notices made: {n}", made)
    out.lines.append(text.format(n=made, kinds=kinds))
    already = sum(result.already.values())
    if already:
        out.lines.append(
            ngettext(
                "{n} row already had its notice and was skipped",
                "{n} rows already had their notice and were skipped",
                already,
            ).format(n=already)
        )
    out.lines += skipped_lines(result, 50)
    finished = recovered_line(result)
    if finished:
        out.lines.append(finished)
    out.lines.append(closing_line(result))
    for f in result.failures:
        rows = ", ".join(map(str, f.rows[:5])) + (" ..." if len(f.rows) > 5 else "")
        who = f"{f.key} {f.name}" if f.name else f.key
        out.lines.append(
            ngettext(
                "Not made: {who} (row {rows}): {reason}", "Not made: {who} (rows {rows}): {reason}", len(f.rows)
            ).format(who=who, rows=rows, reason=f.reason)
        )
    if dry_run:
        out.lines.append(_("Preview only: nothing was written."))
    elif result.made:
        out.lines.append(_("Folder: {folder}").format(folder=result.out_dir))
    out.files += [n.path for n in result.made if n.path is not None] + list(result.merged) + list(result.pdfs)
    if result.log_file:
        out.lines.append(_("Change log: {file}").format(file=result.log_file))
    return result


def call_summary(out: Outcome, folder: Path, settings: Settings, *, month=None, progress=None) -> SummaryResult:
    """make_summary into `out`: the month, the files made, the notes."""
    result = make_summary(folder, month, as_of=out.as_of, settings=settings, progress=progress)
    out.result = result
    out.problems += list(result.problems)
    out.lines.insert(0, _("Monthly report for {month}").format(month=result.month))
    for label, path in (("Word", result.docx), ("PDF", result.pdf), ("Excel", result.xlsx)):
        if path:
            out.lines.append(f"{label}: {path}")
            out.files.append(Path(path))
    out.lines += [str(n) for n in result.notes]
    return result


# ------------------------------------------------------------------------------ failures


def record_failure(out: Outcome, exc: BaseException, folder: Path | None, job: str, log_name: str) -> None:
    """The job stopped: its own message for an expected error, else one line and the details in a log file.

    `log_name`: the log file under the folder (e.g. "logs/excel-errors.log"); when the folder cannot be
    written, a file of the same name with a "toolkit-" prefix in the temp folder.
    """
    out.ok = False
    if isinstance(exc, ToolkitError):
        out.lines = [str(exc)]
        return
    where = log_error(exc, folder, job, log_name)
    first = (str(exc).strip().splitlines() or [""])[0]
    error = f"{type(exc).__name__}: {first}" if first else type(exc).__name__
    out.lines = [_("Unexpected error: {error}").format(error=error)]
    if where:
        out.lines.append(_("Details: {file}").format(file=where))


def log_error(exc: BaseException, folder: Path | None, job: str, log_name: str) -> Path | None:
    details = "".join(traceback.format_exception(exc))
    candidates = ([Path(folder) / log_name] if folder else []) + [
        Path(tempfile.gettempdir()) / f"toolkit-{Path(log_name).name}"
    ]
    for path in candidates:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            with path.open("a", encoding="utf-8") as f:
                f.write(f"--- {dt.datetime.now():%Y-%m-%d %H:%M:%S} {job}\n{details}\n")
            return path
        except OSError:
            continue
    return None
