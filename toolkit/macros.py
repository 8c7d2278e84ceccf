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

import datetime as dt
import tempfile
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from toolkit.errors import Problem, ToolkitError, WorkbookBusy
from toolkit.excel import live
from toolkit.jobs.notices import make_notices
from toolkit.jobs.run import FileWorkbook, run_jobs_with
from toolkit.jobs.summary import make_summary
from toolkit.settings import load_settings, shipped_settings

__all__ = ["Outcome", "flag", "notices", "run_all", "summary", "sync", "tiers"]

ERROR_LOG = "logs/excel-errors.log"


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
    result: object = None  # the job's own result (JobResult, NoticeResult, ...)

    @property
    def status(self) -> str:
        if not self.ok:
            return "未完成 failed"
        if any(p.severity == "error" for p in self.problems):
            return "完成，有问题 done, problems found"
        return "完成 done"

    def message(self) -> str:
        text = "\n".join(self.lines)
        if self.problems:
            errors = sum(p.severity == "error" for p in self.problems)
            text += (
                f"\n\n问题 {errors} 个，提醒 {len(self.problems) - errors} 个（见控制面板）"
                f"\n{errors} problem(s), {len(self.problems) - errors} warning(s): listed on the panel."
            )
            for p in self.problems[:5]:
                text += f"\n- {p}"
        return text


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

    Notices stamp the tracker through the file engine, so with the register or the tracker open in
    this Excel the button refuses and asks to save and close it (stamping through Excel would need a
    second writer in toolkit.documents for little gain: notices are made a few times a day).
    """

    def work(book, folder: Path, settings, out: Outcome) -> None:

        for path in (settings.tracker_path, settings.register_path):
            if live.find_open(book.app, path) is not None:
                raise WorkbookBusy(
                    "is open in this Excel; notices are stamped on the workbook file, so save and "
                    "close it, then click the button again",
                    path=path,
                )
        result = make_notices(folder, as_of=out.as_of, settings=settings)
        out.result = result
        out.problems += result.problems
        shown = "、".join(f"{k} {v}" for k, v in result.counts().items()) or "0"
        out.lines.append(f"生成通知书 {len(result.made)} 份（{shown}）；Notices made: {len(result.made)}")
        if result.already:
            out.lines.append(f"之前已生成、本次跳过 {sum(result.already.values())} 行 (rows already done)")
        for f in result.failures:
            out.lines.append(f"未能生成 not made: {f}")
        if result.made:
            out.lines.append(f"文件夹 Folder: {result.out_dir}")
        out.files += [n.path for n in result.made if n.path is not None] + list(result.pdfs)
        if result.log_file:
            out.lines.append(f"改动记录 Change log: {result.log_file}")

    return _run("notices", book, as_of, work)


def summary(book=None, *, as_of: dt.datetime | None = None, month: str | None = None) -> Outcome:
    """The monthly service report (toolkit.jobs.summary.make_summary)."""

    def work(book, folder: Path, settings, out: Outcome) -> None:

        for path in (settings.register_path, settings.tracker_path):
            if live.find_open(book.app, path) is not None:
                out.lines.append(
                    f"{path.name} 在 Excel 中打开：报告按已保存的版本计算 "
                    f"(open in Excel: the report uses its saved version)"
                )
        result = make_summary(folder, month, as_of=out.as_of, settings=settings)
        out.result = result
        out.problems += list(getattr(result, "problems", []) or [])
        out.lines.insert(0, f"月度服务报告 Monthly summary {result.month}")
        for label, path in (("Word", result.docx), ("PDF", result.pdf), ("Excel", result.xlsx)):
            if path:
                out.lines.append(f"{label}: {path}")
                out.files.append(Path(path))
        out.lines += [str(n) for n in (getattr(result, "notes", []) or [])]

    return _run("summary", book, as_of, work)


# ------------------------------------------------------------------------------ the shared part


def _jobs(name: str, jobs: tuple[str, ...], book, as_of) -> Outcome:
    def work(book, folder: Path, settings, out: Outcome) -> None:

        opened: dict[str, live.LiveWorkbook] = {}

        def source(path: Path):
            found = live.find_open(book.app, path)
            if found is None:
                return FileWorkbook(path)
            opened[path.name] = live.LiveWorkbook(found, path)
            return opened[path.name]

        result = run_jobs_with(source, folder, jobs, as_of=out.as_of, settings=settings)
        out.result = result
        out.problems += result.problems
        by_book = result.changes.count_by_workbook()
        if not by_book:
            out.lines.append("没有需要改动的单元格 Nothing to change.")
        for path in (settings.register_path, settings.tracker_path):
            n = by_book.get(path.name, 0)
            src = opened.get(path.name)
            where = ""
            if src is not None and n:
                where = (
                    "（在 Excel 中，已保存 in Excel, saved）"
                    if src.saved
                    else "（在 Excel 中，尚未保存 in Excel, not saved yet: save it to keep the changes）"
                )
            if n:
                out.lines.append(f"{path.name}: 改动 {n:,} 个单元格 changed {n:,} cell(s){where}")
        for note in result.notes:
            out.lines.append(f"注意 note: {note}")
        if result.log_file:
            out.lines.append(f"改动记录 Change log: {result.log_file}")
            out.files.append(result.log_file)

    return _run(name, book, as_of, work)


def workbook_folder(book, spec=None) -> Path:
    """The folder typed on the panel (relative to the panel's folder), else the panel's own folder."""
    spec = spec or shipped_settings().excel.panel
    here = live.book_path(book)
    typed = live.read_cell(book, spec.sheet, spec.folder_cell)
    typed = str(typed).strip() if typed not in (None, "") else ""
    if typed:
        folder = Path(typed)
        if not folder.is_absolute():
            if here is None:
                raise ToolkitError(
                    f"the folder on the panel ('{typed}') is relative, but this workbook is opened "
                    "from a web address (OneDrive/SharePoint)",
                    hint="type the full folder path",
                )
            folder = here.parent / folder
    else:
        if here is None:
            raise ToolkitError(
                "this workbook is opened from a web address (OneDrive/SharePoint), not from a folder on this computer",
                hint=f"type the workbook folder into cell {spec.folder_cell} of "
                f"the sheet '{spec.sheet}', or open the synced copy from File Explorer/Finder",
            )
        folder = here.parent
    if not folder.is_dir():
        raise ToolkitError(
            f"the workbook folder '{folder}' does not exist",
            hint=f"correct cell {spec.folder_cell} of the sheet '{spec.sheet}'",
        )
    return folder


def _run(name: str, book, as_of, work: Callable) -> Outcome:
    if book is None:
        book = live.caller_book()
    shipped = shipped_settings().excel  # the panel as shipped, until the folder's own settings are read
    spec, shown = shipped.panel, shipped.status_problems_shown
    button = next((b for b in spec.buttons if b.function == name), None)
    title = f"{button.caption} {button.caption_en}" if button else name
    out = Outcome(job=name, title=title, as_of=(as_of or dt.datetime.now()).replace(microsecond=0))
    folder = None
    try:
        folder = workbook_folder(book, spec)
        settings = load_settings(folder)
        spec, shown = settings.excel.panel, settings.excel.status_problems_shown
        work(book, folder, settings, out)
    except ToolkitError as exc:
        out.ok = False
        out.lines = [str(exc)]
    except Exception as exc:  # a bug: one readable line here, the traceback in a log file
        out.ok = False
        where = _log_error(folder, name)
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        out.lines = [f"意外错误 Unexpected error: {type(exc).__name__}: {first}"]
        if where:
            out.lines.append(f"详情 Details: {where}")
    _show(book, spec, out, shown)
    return out


def _log_error(folder: Path | None, name: str) -> Path | None:

    for base in ([folder] if folder else []) + [Path(tempfile.gettempdir())]:
        try:
            path = base / ERROR_LOG if base == folder else base / "toolkit-excel-errors.log"
            path.parent.mkdir(parents=True, exist_ok=True)
            with path.open("a", encoding="utf-8") as f:
                f.write(f"--- {dt.datetime.now():%Y-%m-%d %H:%M:%S} {name}\n{traceback.format_exc()}\n")
            return path
        except OSError:
            continue
    return None


def status_rows(out: Outcome, shown: int) -> list[list[object]]:
    """The panel's "last run" block: a fixed height, so the previous run's lines are overwritten."""
    rows: list[list[object]] = [
        ["最近一次运行 Last run", out.title],
        ["运行时间 Run at", dt.datetime.now().replace(microsecond=0)],
        ["基准时间 As of", out.as_of],
        ["结果 Result", out.status],
        ["说明 Message", "\n".join(out.lines)],
        ["问题 Problems", len(out.problems)],
    ]
    for p in out.problems[:shown]:
        rows.append(["", str(p)])
    if len(out.problems) > shown:
        rows.append(
            [
                "",
                f"... 另有 {len(out.problems) - shown} 条 and {len(out.problems) - shown} more "
                "(toolkit check lists them all)",
            ]
        )
    while len(rows) < 7 + shown:
        rows.append([None, None])
    return rows


def _show(book, spec, out: Outcome, shown: int) -> None:
    try:
        live.write_block(book, spec.sheet, spec.status_cell, status_rows(out, shown))
    except Exception:  # the message box below still tells what happened
        pass
    live.alert(book, out.message(), out.title, critical=not out.ok)
