"""The Excel buttons: one function per job, run by the control panel's VBA through xlwings' RunPython:

    RunPython "import toolkit.macros as m; m.sync()"

Each finds the workbook folder from the calling workbook (the folder typed on the panel, else the
panel's own folder) and its settings, runs the job - through Excel for a workbook open in that Excel,
through the file engine otherwise (toolkit.excel.live) - and tells the user what happened: a message
box and the "last run" block on the panel. Expected errors (a workbook open elsewhere, a bad setting, a
missing template) become a readable message; anything unexpected becomes one line plus a log file
with the details, never a Python traceback pop-up.

Every function takes `book` (default: the caller, `xw.Book.caller()`) and `as_of` (default: now), so
the same code runs under test against an in-memory stand-in for Excel; it returns the Outcome shown.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import sys
import warnings
from collections.abc import Callable
from pathlib import Path

from toolkit.errors import ToolkitError, WorkbookBusy
from toolkit.excel import live
from toolkit.i18n import _, use_language
from toolkit.jobs.outcome import Outcome, call_notices, call_run_jobs, call_summary, log_error, record_failure
from toolkit.jobs.run import FileWorkbook
from toolkit.settings import load_settings, shipped_settings
from toolkit.settings.files import office_language

__all__ = ["Outcome", "flag", "notices", "run_all", "summary", "sync", "tiers"]

ERROR_LOG = "logs/excel-errors.log"


# ------------------------------------------------------------------------------ the buttons


def sync(book=None, *, as_of: dt.datetime | None = None) -> Outcome:
    """Customer fields into the tracker, complaint figures back to the register."""
    return _jobs("sync", ("sync",), book, as_of)


def flag(book=None, *, as_of: dt.datetime | None = None) -> Outcome:
    """Deadlines, lateness and escalation per complaint; next visit per customer."""
    return _jobs("flag", ("flag",), book, as_of)


def tiers(book=None, *, as_of: dt.datetime | None = None) -> Outcome:
    """Customer tiers from the thresholds, with overrides and no flip-flopping."""
    return _jobs("tiers", ("tiers",), book, as_of)


def run_all(book=None, *, as_of: dt.datetime | None = None) -> Outcome:
    """Tiers, flags and sync together: one read and one write per workbook."""
    return _jobs("run_all", ("sync", "flag", "tiers"), book, as_of)


def notices(book=None, *, as_of: dt.datetime | None = None) -> Outcome:
    """The Word notices due now, stamped on their rows.

    A register or tracker open in this Excel is read and stamped there (unsaved edits included), like
    the other jobs; one that is not open is stamped on disk.
    """

    def work(book, folder: Path, settings, out: Outcome) -> None:
        opened: dict[Path, live.LiveWorkbook] = {}
        result = call_notices(out, folder, settings, source=_sources(book, opened))
        counts: dict[str, int] = {}
        for ch in result.changes:
            counts[ch.workbook] = counts.get(ch.workbook, 0) + 1
        out.lines += [f"{path.name}: {_in_excel(src)}" for path, src in opened.items() if counts.get(path.name)]

    return _run("notices", book, as_of, work)


def summary(book=None, *, as_of: dt.datetime | None = None, month: str | None = None) -> Outcome:
    """The monthly service report (toolkit.jobs.summary.make_summary)."""

    def work(book, folder: Path, settings, out: Outcome) -> None:
        for path in (settings.register_path, settings.tracker_path):
            if live.find_open(book.app, path) is not None:
                out.lines.append(
                    _("{file} is open in Excel: the report uses the version last saved").format(file=path.name)
                )
        call_summary(out, folder, settings, month=month)

    return _run("summary", book, as_of, work)


# ------------------------------------------------------------------------------ the shared part


def _jobs(name: str, jobs: tuple[str, ...], book, as_of) -> Outcome:
    def work(book, folder: Path, settings, out: Outcome) -> None:
        opened: dict[Path, live.LiveWorkbook] = {}

        def where(path: Path, n: int) -> str:
            src = opened.get(path)
            return _in_excel(src) if src is not None else ""

        call_run_jobs(out, folder, settings, jobs, source=_sources(book, opened), where=where)

    return _run(name, book, as_of, work)


def _sources(book, opened: dict[Path, live.LiveWorkbook]) -> Callable:
    """The jobs' workbook source: the workbook open in this Excel (kept in `opened`), else the file on disk.

    A workbook of the same name that xlwings cannot place (opened from a OneDrive/SharePoint address it
    cannot match to a synced file) may be this very file: the job stops rather than write the file behind
    that window's back.
    """

    def source(path: Path):
        unresolved: list[tuple[str, str]] = []
        found = live.find_open(book.app, path, unresolved=unresolved)
        if found is not None:
            opened[path] = live.LiveWorkbook(found, path)
            return opened[path]
        if unresolved:
            name, reason = unresolved[0]
            raise WorkbookBusy(
                _(
                    "a workbook named {name} is open in this Excel from a web address (OneDrive/"
                    "SharePoint) that xlwings could not match to a file on this computer ({reason}), so "
                    "the toolkit cannot tell whether it is this file; nothing was changed"
                ).format(name=name, reason=reason),
                path=path,
                hint=_(
                    "close that workbook in Excel or open the synced copy from File Explorer/Finder, "
                    "then click the button again (README: OneDrive / SharePoint)"
                ),
            )
        return FileWorkbook(path)

    return source


def _in_excel(src: live.LiveWorkbook) -> str:
    """Said after a workbook changed in this Excel: whether it was saved."""
    if src.saved:
        return _(" (in Excel, saved)")
    if src.save_error:
        return _(" (in Excel, NOT saved: {reason}; save it in Excel to keep the changes)").format(reason=src.save_error)
    return _(" (in Excel, not saved yet: save it to keep the changes)")


def workbook_folder(book, spec=None) -> Path:
    """The folder typed on the panel (relative to the panel's folder), else the panel's own folder."""
    spec = spec or shipped_settings().excel.panel
    here, why = live.book_location(book)
    typed = live.read_cell(book, spec.sheet, spec.folder_cell)
    typed = str(typed).strip() if typed not in (None, "") else ""
    cloud_hint = _(
        "type the workbook folder's full path into cell {cell} of the sheet '{sheet}', or open the "
        "synced copy of the panel from File Explorer/Finder, or give xlwings the synced folder on the "
        "sheet xlwings.conf (ONEDRIVE_CONSUMER_WIN, ONEDRIVE_COMMERCIAL_WIN, SHAREPOINT_WIN; on a Mac "
        "the _MAC names): README, OneDrive / SharePoint"
    ).format(cell=spec.folder_cell, sheet=spec.sheet)
    if typed:
        folder = Path(typed)
        if not folder.is_absolute():
            if here is None:
                raise ToolkitError(
                    _(
                        "the folder on the panel ('{typed}') is relative, but xlwings could not match "
                        "this panel's web address (OneDrive/SharePoint) to a folder on this computer "
                        "({reason})"
                    ).format(typed=typed, reason=why),
                    hint=cloud_hint,
                )
            folder = here.parent / folder
    else:
        if here is None:
            raise ToolkitError(
                _(
                    "xlwings could not match this panel's web address (OneDrive/SharePoint) to a folder "
                    "on this computer ({reason})"
                ).format(reason=why),
                hint=cloud_hint,
            )
        folder = here.parent
    if not folder.is_dir():
        raise ToolkitError(
            _("the workbook folder '{folder}' does not exist").format(folder=folder),
            hint=_("correct cell {folder_cell} of the sheet '{sheet}'").format(
                folder_cell=spec.folder_cell, sheet=spec.sheet
            ),
        )
    return folder


def _run(name: str, book, as_of, work: Callable) -> Outcome:
    if book is None:
        try:
            book = live.caller_book()
        except Exception as exc:  # no workbook to show a message in: RunPython shows this line in its error box
            log_error(exc, None, name, ERROR_LOG)
            sys.exit(
                _(
                    "The toolkit could not reach the workbook whose button was clicked ({reason}). Buttons work "
                    "in Microsoft Excel only; in WPS or LibreOffice use the toolkit's desktop panel."
                ).format(reason=(str(exc).strip().splitlines() or [type(exc).__name__])[0])
            )
    shipped = shipped_settings().excel  # the panel as shipped, until the folder's own settings are read
    spec, shown = shipped.panel, shipped.status_problems_shown
    language = spec.language
    out = Outcome(
        job=name, title=_caption(spec, name, language), as_of=(as_of or dt.datetime.now()).replace(microsecond=0)
    )
    folder = None
    said = io.StringIO()  # whatever the job prints goes to the panel: RunPython drops stderr on Windows and
    #                       shows it as an error box on a Mac
    with contextlib.redirect_stderr(said), warnings.catch_warnings(record=True) as caught:
        try:
            with use_language(language):
                folder = workbook_folder(book, spec)
            # the office's language before its settings are checked, so that a wrong setting is told in it too
            language = office_language(folder) or language
            out.title = _caption(spec, name, language)
            with use_language(language):
                settings = load_settings(folder)
            spec, shown = settings.excel.panel, settings.excel.status_problems_shown
            language = spec.language
            out.title = _caption(spec, name, language)
            with use_language(language):
                work(book, folder, settings, out)
        except Exception as exc:  # expected: its own message; a bug: one readable line, the traceback in a log file
            with use_language(language):
                record_failure(out, exc, folder, name, ERROR_LOG)
        with use_language(language):
            warning_prefixes = ("toolkit: warning: ", _("toolkit: warning: {problem}").format(problem=""))
            for text in said.getvalue().splitlines() + [str(w.message) for w in caught]:
                text = text.strip()
                for prefix in warning_prefixes:
                    text = text.removeprefix(prefix)
                if text:
                    out.lines.append(_("Note: {text}").format(text=text))
            _show(book, spec, out, shown, folder)
    return out


def _caption(spec, name: str, language: str) -> str:
    """The button's caption in `language` (its function name if no button runs it)."""
    button = next((b for b in spec.buttons if b.function == name), None)
    if button is None:
        return name
    return button.caption if language == "zh" else button.caption_en


def status_rows(out: Outcome, shown: int) -> list[list[object]]:
    """The panel's "last run" block: a fixed height, so the previous run's lines are overwritten."""
    rows: list[list[object]] = [
        [_("Last run"), out.title],
        [_("Run at"), dt.datetime.now().replace(microsecond=0)],
        [_("As of"), out.as_of],
        [_("Result"), out.status],
        [_("Message"), "\n".join(out.lines)],
        [_("Problems"), len(out.problems)],
    ]
    for p in out.problems[:shown]:
        rows.append(["", str(p)])
    if len(out.problems) > shown:
        rows.append(
            [
                "",
                _("... and {n} more (`toolkit check` lists them all)").format(n=len(out.problems) - shown),
            ]
        )
    while len(rows) < 7 + shown:
        rows.append([None, None])
    return rows


def _show(book, spec, out: Outcome, shown: int, folder: Path | None) -> None:
    """The panel's "last run" block, then the message box; a failure of either goes to the error log."""
    try:
        live.write_block(book, spec.sheet, spec.status_cell, status_rows(out, shown))
    except Exception as exc:  # the message box below still tells what happened
        log_error(exc, folder, f"{out.job}: the panel's last-run block", ERROR_LOG)
    try:
        live.alert(book, out.message(), out.title, critical=not out.ok)
    except Exception as exc:  # nowhere left to tell it: the log file keeps it
        log_error(exc, folder, f"{out.job}: the message box", ERROR_LOG)
