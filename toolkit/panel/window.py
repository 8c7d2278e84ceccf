"""The desktop panel's window (Tk/ttk, from Python's standard library): the six jobs without Excel macros.

One window, top to bottom:

1. **the workbook folder**: chosen once with the folder dialog and remembered for this user
   (toolkit.panel.memory); under it, whether the register and the tracker are there;
2. **options**: as of now or a typed date and time (read by the toolkit's own date parser, its reading
   shown beside it), and "preview only" (the jobs' dry run: nothing is written);
3. **the six jobs** as buttons, captions and notes from ``[[excel.buttons]]`` like the Excel panel's;
4. **a progress bar** and a line saying what runs and for how long. The job runs in a worker thread
   (toolkit.panel.worker), so the window keeps answering; a click on another job while one runs puts
   it in line (said on that line), a click on the same job again is ignored (said too);
5. **the result**: the title, the outcome (done / done with problems / failed) and as-of; the lines
   the Excel buttons would show (toolkit.jobs.outcome); and three tables: the problems (file, sheet,
   row, column, value, problem - double-click opens the workbook), the changes per workbook and
   column, and the files made (double-click opens one); buttons open the notices and reports folders.

A failed job (a workbook open in Excel or WPS, a bad setting, ...) shows its message - the command
line's words - in the result, in red; the window stays as usable as before. Texts go through
toolkit.i18n: ``--lang``, else ``[panel] language``, else TOOLKIT_LANG, else the office's ``[files]
language``, else the locale, else Chinese; a folder whose settings speak the other language rebuilds
the window in it. Chinese is drawn with a CJK font
(toolkit.panel.fonts).
"""

from __future__ import annotations

import ctypes
import datetime as dt
import functools
import queue
import sys
import time
import tkinter as tk
from pathlib import Path
from tkinter import filedialog, ttk
from tkinter import font as tkfont
from typing import cast

from toolkit.errors import Problem, ToolkitError
from toolkit.formats import show
from toolkit.i18n import _, choose_language, ngettext, set_language
from toolkit.jobs.changes import ChangeList
from toolkit.jobs.outcome import FACE_JOBS, Outcome, record_failure
from toolkit.model.values import parse_value
from toolkit.panel import memory
from toolkit.panel.fonts import apply_cjk_font
from toolkit.panel.opener import open_path
from toolkit.panel.worker import ERROR_LOG, JobRequest, JobRunner
from toolkit.settings import Settings, load_settings, shipped_settings
from toolkit.settings.panel import PanelSettings

POLL_MS = 100
GREEN, AMBER, RED, GREY = "#1e7b34", "#9a6700", "#b42318", "#5f6368"
WARNING_BG, ERROR_BG = "#fff4d6", "#fde7e7"


class PanelWindow:
    """The panel in `root`. Attributes name its widgets so tests can find them on the screen."""

    def __init__(self, root: tk.Tk, folder: Path | None = None, *, language: str | None = None, remember: bool = True):
        self.root = root
        self.forced_language = language
        self.remember = remember
        self.runner = JobRunner()
        self.folder: Path | None = None
        self.settings: Settings | None = None
        self.panel_settings: PanelSettings | None = None
        self.settings_error: str | None = None
        self.outcome: Outcome | None = None
        self.outcomes: list[Outcome] = []  # every finished job, oldest first
        self.language: str | None = None
        self.started_at: float | None = None
        self.step: tuple[int, int] | None = None
        self.close_when_done = False
        self.running: JobRequest | None = None
        self.body: ttk.Frame | None = None
        self.font_family = apply_cjk_font(root)
        # the controls' values, kept when the window is rebuilt (and made once: a Tk variable must be
        # deleted by the window's own thread, not by a garbage collection that happens in the worker's)
        self.folder_var = tk.StringVar(root)
        self.as_of_mode = tk.StringVar(root, value="now")
        self.as_of_var = tk.StringVar(root)
        self.dry_run_var = tk.BooleanVar(root, value=False)
        self._style()
        self._load_folder(Path(folder).resolve() if folder else None)
        self._build()
        root.protocol("WM_DELETE_WINDOW", self.close)
        root.report_callback_exception = self._callback_error
        root.after(POLL_MS, self._poll)

    # ------------------------------------------------------------------------------ folder and language

    def _load_folder(self, folder: Path | None) -> None:
        self.folder, self.settings, self.settings_error = folder, None, None
        self.panel_settings = None
        if folder is not None:
            if not folder.is_dir():
                self.settings_error = _("the folder {folder} does not exist").format(folder=folder)
            else:
                try:
                    self.settings = load_settings(folder)
                    self.panel_settings = self.settings.panel
                except ToolkitError as exc:
                    self.settings, self.settings_error = None, str(exc)
        wanted = self.forced_language or (self.panel_settings.language if self.panel_settings else None)
        office = self.settings.language if self.settings else None  # [files] language: the office's
        self.language = set_language(choose_language(wanted, office))
        if self.language == "zh":  # Tk's own dialogs (the folder dialog on Linux) in Chinese too
            self._tk_locale("zh_cn")
        else:
            self._tk_locale("en")

    def _tk_locale(self, locale: str) -> None:
        try:
            self.root.tk.eval(
                f"package require msgcat; ::msgcat::mclocale {locale}; "
                "namespace eval ::tk {::msgcat::mcload [file join $::tk_library msgs]}"
            )
        except tk.TclError:  # no message catalogs in this Tk: its dialogs stay in English
            pass

    def set_folder(self, folder: Path) -> None:
        """Use `folder` from now on (and remember it); the window is rebuilt in the folder's language, with the
        folder's button captions, keeping the options as they were set."""
        self._load_folder(Path(folder).resolve())
        if self.remember and self.folder is not None and self.folder.is_dir():
            memory.remember_folder(self.folder)
        self._build()

    def choose_folder(self) -> None:
        if self.runner.busy:
            self._say(_("Wait until the job has finished before choosing another folder."), RED)
            return
        start = self.folder if self.folder and self.folder.is_dir() else Path.home()
        chosen = filedialog.askdirectory(
            parent=self.root, title=_("Choose the workbook folder"), initialdir=str(start), mustexist=True
        )
        if chosen:
            self.set_folder(Path(chosen))

    # ------------------------------------------------------------------------------ building the window

    def _style(self) -> None:
        style = ttk.Style(self.root)
        if style.theme_use() == "default" and "clam" in style.theme_names():
            style.theme_use("clam")  # Linux: Tk's "default" theme looks older than the office's other programs
        base = tkfont.nametofont("TkDefaultFont", root=self.root)
        big = base.copy()
        big.configure(size=base.cget("size") + 2, weight="bold")
        title = base.copy()
        title.configure(size=base.cget("size") + 5, weight="bold")
        self._fonts = {"big": big, "title": title}  # kept: Tk deletes a font whose Python object is collected
        line = base.metrics("linespace")
        style.configure("Job.TButton", font=big, padding=(10, 8))
        style.configure("Title.TLabel", font=title)
        style.configure("Note.TLabel", foreground=GREY)
        style.configure("Ok.TLabel", foreground=GREEN, font=big)
        style.configure("Warn.TLabel", foreground=AMBER, font=big)
        style.configure("Fail.TLabel", foreground=RED, font=big)
        style.configure("Plain.TLabel", font=big)
        style.configure("Field.TLabel", font=big)
        style.configure("TLabelframe.Label", font=big)
        style.configure("Treeview", rowheight=line + 8)
        style.configure("TCheckbutton", indicatorsize=14)
        style.configure("TRadiobutton", indicatorsize=14)
        style.configure("Horizontal.TProgressbar", background="#3b73b9")
        style.configure("Treeview.Heading", font=base)

    def _build(self) -> None:
        """(Re)build every widget in the current language; the last result is shown again."""
        if self.body is not None:
            self.body.destroy()
        self.root.title(_("Office toolkit · desktop panel"))
        self.root.minsize(960, 640)
        body = self.body = ttk.Frame(self.root, padding=(14, 8, 14, 10))
        body.pack(fill="both", expand=True)
        body.columnconfigure(0, weight=1)

        head = ttk.Frame(body)
        head.grid(row=0, column=0, sticky="ew")
        ttk.Label(head, text=_("Office toolkit · desktop panel"), style="Title.TLabel").pack(side="left")
        ttk.Label(head, text=_("the Excel panel's jobs, without macros"), style="Note.TLabel").pack(
            side="left", padx=(12, 0), pady=(6, 0)
        )

        # 1. the folder, 2. the options: a small form
        form = ttk.Frame(body)
        form.grid(row=1, column=0, sticky="ew", pady=(6, 0))
        form.columnconfigure(1, weight=1)
        ttk.Label(form, text=_("Workbook folder"), style="Field.TLabel").grid(row=0, column=0, sticky="w", padx=(0, 10))
        self.folder_entry = ttk.Entry(form, textvariable=self.folder_var, state="readonly")
        self.folder_entry.grid(row=0, column=1, sticky="ew", padx=(0, 8))
        self.choose_button = ttk.Button(form, text=_("Choose…"), command=self.choose_folder)
        self.choose_button.grid(row=0, column=2)
        self.open_folder_button = ttk.Button(form, text=_("Open folder"), command=lambda: self._open(self.folder))
        self.open_folder_button.grid(row=0, column=3, padx=(6, 0))
        self.folder_state = ttk.Label(form, text="", style="Note.TLabel")
        self.folder_state.grid(row=1, column=1, columnspan=3, sticky="w", pady=(2, 6))

        ttk.Label(form, text=_("As of"), style="Field.TLabel").grid(row=2, column=0, sticky="w", padx=(0, 10))
        opts = ttk.Frame(form)
        opts.grid(row=2, column=1, columnspan=3, sticky="ew")
        opts.columnconfigure(4, weight=1)
        self.now_radio = ttk.Radiobutton(
            opts, text=_("now"), value="now", variable=self.as_of_mode, command=self._as_of_changed
        )
        self.now_radio.grid(row=0, column=0)
        self.typed_radio = ttk.Radiobutton(
            opts, text=_("this date and time:"), value="typed", variable=self.as_of_mode, command=self._as_of_changed
        )
        self.typed_radio.grid(row=0, column=1, padx=(14, 4))
        self.as_of_entry = ttk.Entry(opts, textvariable=self.as_of_var, width=18)
        self.as_of_entry.grid(row=0, column=2)
        self.as_of_entry.bind("<KeyRelease>", lambda e: self._as_of_changed())
        self.as_of_entry.bind("<FocusIn>", self._typing_as_of)
        self.as_of_hint = ttk.Label(opts, text="", style="Note.TLabel")
        self.as_of_hint.grid(row=0, column=3, sticky="w", padx=(8, 0))
        self.dry_run_check = ttk.Checkbutton(
            opts,
            text=_("Preview only: show what would change, write nothing"),
            variable=self.dry_run_var,
            command=self._update_buttons,
        )
        self.dry_run_check.grid(row=0, column=5, sticky="e")

        # 3. the jobs: one row of buttons; the line under them says what the one under the mouse does
        jobs = ttk.LabelFrame(body, text=_("Jobs"), padding=(8, 4, 8, 6))
        jobs.grid(row=4, column=0, sticky="ew", pady=(8, 0))
        self.job_buttons: dict[str, ttk.Button] = {}
        self.captions: dict[str, str] = {}
        self._notes: dict[str, str] = {}
        for n, (job, caption, note) in enumerate(self._buttons()):
            jobs.columnconfigure(n, weight=1, uniform="jobs")
            button = ttk.Button(jobs, text=caption, style="Job.TButton", command=functools.partial(self.click, job))
            button.grid(row=0, column=n, sticky="ew", padx=3, pady=(2, 4))
            button.bind("<Enter>", functools.partial(self._note_event, job))
            button.bind("<FocusIn>", functools.partial(self._note_event, job))
            button.bind("<Leave>", functools.partial(self._note_event, None))
            self.job_buttons[job], self.captions[job], self._notes[job] = button, caption, note
        self.job_note = ttk.Label(jobs, text="", style="Note.TLabel", anchor="w")
        self.job_note.grid(row=1, column=0, columnspan=len(self.job_buttons), sticky="ew", padx=4)

        # 4. progress
        bar = ttk.Frame(body)
        bar.grid(row=5, column=0, sticky="ew", pady=(8, 0))
        bar.columnconfigure(1, weight=1)
        self.progress = ttk.Progressbar(bar, mode="determinate", length=260, maximum=5)
        self.progress.grid(row=0, column=0, sticky="w")
        self.status = ttk.Label(bar, text=_("Ready."), anchor="w")
        self.status.grid(row=0, column=1, sticky="ew", padx=(10, 0))

        # 5. the result
        res = ttk.LabelFrame(body, text=_("Result"), padding=(10, 4, 10, 6))
        res.grid(row=6, column=0, sticky="nsew", pady=(8, 0))
        body.rowconfigure(6, weight=1)
        res.columnconfigure(0, weight=1)
        res.rowconfigure(2, weight=1)
        self.result_title = ttk.Label(res, text="", style="Plain.TLabel")
        self.result_title.grid(row=0, column=0, sticky="w")
        text_frame = ttk.Frame(res)
        text_frame.grid(row=1, column=0, sticky="ew", pady=(4, 6))
        text_frame.columnconfigure(0, weight=1)
        self.message = tk.Text(
            text_frame,
            height=3,
            wrap="word",
            relief="flat",
            borderwidth=0,
            background=self._background(),
            font="TkDefaultFont",
            cursor="arrow",
        )
        self.message.grid(row=0, column=0, sticky="ew")
        scroll = ttk.Scrollbar(text_frame, orient="vertical", command=self.message.yview)
        scroll.grid(row=0, column=1, sticky="ns")
        self.message.configure(yscrollcommand=scroll.set, state="disabled")
        self.tabs = ttk.Notebook(res)
        self.tabs.grid(row=2, column=0, sticky="nsew")
        self.problem_tree = self._table(
            self.tabs,
            (
                ("file", _("File"), 130),
                ("sheet", _("Sheet"), 90),
                ("row", _("Row"), 55),
                ("column", _("Column"), 110),
                ("value", _("Value"), 140),
                ("problem", _("Problem"), 420),
            ),
        )
        self.problem_tree.tag_configure("warning", background=WARNING_BG)
        self.problem_tree.tag_configure("error", background=ERROR_BG)
        self.problem_tree.bind("<Double-1>", self._open_problem)
        self.problem_tree.bind("<<TreeviewSelect>>", self._problem_selected)
        self.change_tree = self._table(
            self.tabs,
            (
                ("workbook", _("Workbook"), 160),
                ("sheet", _("Sheet"), 110),
                ("column", _("Column"), 200),
                ("cells", _("Cells"), 100),
            ),
        )
        self.change_tree.bind("<Double-1>", self._open_change)
        self.file_tree = self._table(self.tabs, (("name", _("File"), 360), ("folder", _("Folder"), 520)))
        self.file_tree.bind("<Double-1>", self._open_file)
        for tree in (self.problem_tree, self.change_tree, self.file_tree):
            self.tabs.add(cast(ttk.Frame, tree.master), text="")  # the frame _table put the tree in
        foot = ttk.Frame(res)
        foot.grid(row=3, column=0, sticky="ew", pady=(6, 0))
        foot.columnconfigure(2, weight=1)
        self.notices_button = ttk.Button(
            foot, text=_("Open the notices folder"), command=lambda: self._open_output("notices")
        )
        self.notices_button.grid(row=0, column=0)
        self.reports_button = ttk.Button(
            foot, text=_("Open the reports folder"), command=lambda: self._open_output("reports")
        )
        self.reports_button.grid(row=0, column=1, padx=(6, 0))
        ttk.Label(foot, text=_("Double-click a row to open its workbook or file."), style="Note.TLabel").grid(
            row=0, column=2, sticky="e"
        )

        self._show_folder()
        self._as_of_changed()
        self._update_buttons()
        self._show_outcome(self.outcome)

    def _background(self) -> str:
        return ttk.Style(self.root).lookup("TFrame", "background") or "#ececec"

    def _table(self, parent, columns) -> ttk.Treeview:
        frame = ttk.Frame(parent)
        frame.columnconfigure(0, weight=1)
        frame.rowconfigure(0, weight=1)
        tree = ttk.Treeview(frame, columns=[c[0] for c in columns], show="headings", height=6, selectmode="browse")
        for key, heading, width in columns:
            tree.heading(key, text=heading, anchor="w")
            tree.column(key, width=width, minwidth=40, stretch=key in ("problem", "folder", "column"), anchor="w")
        tree.grid(row=0, column=0, sticky="nsew")
        ys = ttk.Scrollbar(frame, orient="vertical", command=tree.yview)
        ys.grid(row=0, column=1, sticky="ns")
        tree.configure(yscrollcommand=ys.set)
        return tree

    def _buttons(self) -> list[tuple[str, str, str]]:
        """(job, caption, note) for the six jobs, from [[excel.buttons]], in the panel's language."""
        shipped_spec = shipped_settings().excel.panel
        spec = self.settings.excel.panel if self.settings is not None else shipped_spec
        en = self.language == "en"
        found = {b.function: ((b.caption_en, b.note_en) if en else (b.caption, b.note)) for b in spec.buttons}
        shipped = {b.function: ((b.caption_en, b.note_en) if en else (b.caption, b.note)) for b in shipped_spec.buttons}
        return [(job, *found.get(job, shipped[job])) for job in FACE_JOBS]

    # ------------------------------------------------------------------------------ the controls' state

    def _show_folder(self) -> None:
        self.folder_var.set(str(self.folder) if self.folder else _("(no folder chosen yet)"))
        if self.folder is None:
            self.folder_state.configure(
                text=_("Choose the folder that holds the customer register and the complaint tracker."), foreground=RED
            )
        elif self.settings_error or self.settings is None:
            self.folder_state.configure(text=self.settings_error or "", foreground=RED)
        else:
            found: list[str] = []
            missing: list[str] = []
            for path in (self.settings.register_path, self.settings.tracker_path):
                (found if path.exists() else missing).append(path.name)
            if missing:
                text = _("Not in this folder: {files}").format(files=_(", ").join(missing))
                self.folder_state.configure(text=text, foreground=RED)
            else:
                self.folder_state.configure(
                    text=_("Found: {files}").format(files=_(", ").join(found)), foreground=GREEN
                )

    def _as_of_changed(self) -> None:
        typed = self.as_of_mode.get() == "typed"
        if not typed:
            self.as_of_hint.configure(text=_("(the time the button is clicked)"), foreground=GREY)
            return
        value, error = self.read_as_of()
        if error:
            self.as_of_hint.configure(text=error, foreground=RED)
        else:
            self.as_of_hint.configure(text=_("read as {when}").format(when=show(value)), foreground=GREEN)

    def read_as_of(self) -> tuple[dt.datetime | None, str | None]:
        """(the as-of to run with, None for now; an error to show instead)."""
        if self.as_of_mode.get() != "typed":
            return None, None
        text = self.as_of_var.get().strip()
        if not text:
            return None, _("type a date and time, e.g. 2026-10-31 18:00")
        value, err = parse_value(text, "datetime")
        if err or value is None:
            return None, _("'{text}' is not a date and time: {reason}").format(text=text, reason=err or "")
        return value, None

    def _update_buttons(self) -> None:
        dry = self.dry_run_var.get()
        self.job_buttons["summary"].state(["disabled"] if dry else ["!disabled"])
        self.choose_button.state(["disabled"] if self.runner.busy else ["!disabled"])
        self._show_note(None)

    def _typing_as_of(self, event=None) -> None:
        """The as-of field was clicked into: a typed time it is."""
        self.as_of_mode.set("typed")
        self._as_of_changed()

    def _note_event(self, job: str | None, event=None) -> None:
        self._show_note(job)

    def _show_note(self, job: str | None) -> None:
        """The line under the buttons: what `job` does; else a hint (or why the report is greyed out)."""
        if job is not None:
            text = f"{self.captions[job]}: {self._notes[job]}"
            if job == "summary" and self.dry_run_var.get():
                text = _("The monthly report has no preview: untick the preview to make it.")
        elif self.dry_run_var.get():
            text = _(
                "Preview: the jobs show what they would change and write nothing (the monthly report is "
                "not available in a preview)."
            )
        else:
            text = _("Point at a button to see what it does; the result shows below.")
        self.job_note.configure(text=text)

    def _say(self, text: str, colour: str | None = None) -> None:
        self.status.configure(text=text, foreground=colour or "")

    # ------------------------------------------------------------------------------ running a job

    def click(self, job: str) -> str:
        """A job's button: start it, or put it in line. Returns what happened (for tests)."""
        title = self.captions[job]
        if self.folder is None:
            self._say(_("Choose the workbook folder first."), RED)
            return "no folder"
        as_of, error = self.read_as_of()
        if error:
            self._say(_("As of: {error}").format(error=error), RED)
            self.as_of_entry.focus_set()
            return "bad as-of"
        dry = self.dry_run_var.get()
        if job == "summary" and dry:
            self._say(_("The monthly report has no preview: untick the preview to make it."), RED)
            return "no preview"
        request = JobRequest(job=job, title=title, folder=self.folder, as_of=as_of, dry_run=dry)
        state = self.runner.submit(request)
        if state == "queued":
            current = self.runner.current.title if self.runner.current else ""
            self._say(_("{job} will run when {current} has finished.").format(job=title, current=current), AMBER)
        elif state == "already":
            self._say(_("{job} is running or waiting already.").format(job=title), AMBER)
        return state

    def _poll(self) -> None:
        while True:
            try:
                event = self.runner.events.get_nowait()
            except queue.Empty:
                break
            self._handle(event)
        if self.runner.busy and self.started_at is not None:
            self._say(self._running_text(), None)
        if self.close_when_done and not self.runner.busy:
            self.root.destroy()
            return
        self.root.after(POLL_MS, self._poll)

    def _handle(self, event: tuple) -> None:
        kind, request = event[0], event[1]
        if kind == "started":
            self.started_at = time.monotonic()
            self.step = None
            self.running = request
            self.progress.configure(mode="indeterminate", value=0)  # moving until the job's first step
            self.progress.start(12)
            self._update_buttons()
            self._show_outcome(None)
            self.result_title.configure(
                text=_("Running {job}; the result will show here.").format(job=request.title), style="Plain.TLabel"
            )
            self._say(self._running_text())
        elif kind == "step":
            done, total = event[2], event[3]
            if self.progress.cget("mode") != "determinate":
                self.progress.stop()
                self.progress.configure(mode="determinate")
            self.progress.configure(maximum=total, value=done)
            self.step = (done, total)
        elif kind == "finished":
            outcome: Outcome = event[2]
            seconds = time.monotonic() - (self.started_at or time.monotonic())
            self.outcome = outcome
            self.outcomes.append(outcome)
            self._show_outcome(outcome)
            self.progress.stop()
            self.progress.configure(mode="determinate", value=self.progress.cget("maximum"))
            self.started_at = None
            self._update_buttons()
            text = _("{job}: {status} ({seconds} s).").format(
                job=outcome.title, status=outcome.status, seconds=f"{seconds:.1f}"
            )
            self._say(text, GREEN if outcome.ok and not outcome.errors else AMBER if outcome.ok else RED)

    def _running_text(self) -> str:
        request = self.running
        title = request.title if request else ""
        seconds = int(time.monotonic() - (self.started_at or time.monotonic()))
        if self.step:
            text = _("Running {job}: step {done} of {total}, {seconds} s so far…").format(
                job=title, done=self.step[0], total=self.step[1], seconds=seconds
            )
        else:
            text = _("Running {job}: {seconds} s so far…").format(job=title, seconds=seconds)
        waiting = [r.title for r in self.runner.waiting]
        if waiting:
            text += " " + _("Waiting: {jobs}.").format(jobs=_(", ").join(waiting))
        return text

    # ------------------------------------------------------------------------------ showing the result

    def _show_outcome(self, out: Outcome | None) -> None:
        for tree in (self.problem_tree, self.change_tree, self.file_tree):
            tree.delete(*tree.get_children())
        self._problem_rows: dict[str, Problem] = {}
        self._change_rows: dict[str, Path] = {}
        self._file_rows: dict[str, Path] = {}
        if out is None:
            self._set_message("", ok=True)
            self._tab_titles(0, 0, 0, dry=False)
            self.result_title.configure(
                text=_("No job has run yet: click one of the buttons above."), style="Plain.TLabel"
            )
            return
        style = "Fail.TLabel" if not out.ok else "Warn.TLabel" if out.errors else "Ok.TLabel"
        if out.dry_run:
            title = _("{title} · {status} · as of {when} · preview, nothing written")
        else:
            title = _("{title} · {status} · as of {when}")
        when = show(out.as_of.replace(second=0)) if out.as_of else ""  # to the minute, as the command line shows it
        self.result_title.configure(text=title.format(title=out.title, status=out.status, when=when), style=style)
        self._set_message("\n".join(out.lines), ok=out.ok)

        shown = self.panel_settings.problems_shown if self.panel_settings else 2000
        for p in out.problems[:shown]:
            reason = (_("warning: ") if p.severity == "warning" else "") + p.reason
            iid = self.problem_tree.insert(
                "",
                "end",
                tags=(p.severity,),
                values=(
                    Path(p.file).name,
                    p.sheet,
                    "" if p.row is None else p.row,
                    p.column or "",
                    show(p.value),
                    reason,
                ),
            )
            self._problem_rows[iid] = p
        if len(out.problems) > shown:
            more = len(out.problems) - shown
            self.problem_tree.insert(
                "",
                "end",
                values=(
                    "",
                    "",
                    "",
                    "",
                    "",
                    ngettext(
                        "... and {n} more (toolkit check lists every problem)",
                        "... and {n} more (toolkit check lists every problem)",
                        more,
                    ).format(n=more),
                ),
            )

        counts: dict[tuple[str, str, str], int] = {}
        for col in _change_columns(getattr(out.result, "changes", None) or []):
            key = (col.workbook, col.sheet, col.header)
            counts[key] = counts.get(key, 0) + len(col)
        folder = self.folder or Path(".")
        for (workbook, sheet, header), n in counts.items():
            iid = self.change_tree.insert("", "end", values=(workbook, sheet, header, f"{n:,}"))
            self._change_rows[iid] = folder / workbook

        for path in out.files:
            path = Path(path)
            iid = self.file_tree.insert("", "end", values=(path.name, str(path.parent)))
            self._file_rows[iid] = path
        self._tab_titles(len(out.problems), sum(counts.values()), len(out.files), dry=out.dry_run)
        made_files = out.job in ("notices", "summary") and out.files  # what the clerk came for: the documents
        if made_files:
            self.tabs.select(2)
        elif out.errors or not (counts or out.files):
            self.tabs.select(0)
        else:
            self.tabs.select(1 if counts else 2)

    def _tab_titles(self, problems: int, changes: int, files: int, *, dry: bool) -> None:
        self.tabs.tab(0, text=_("Problems ({n})").format(n=f"{problems:,}"))
        self.tabs.tab(
            1, text=(_("Would change ({n} cells)") if dry else _("Changed ({n} cells)")).format(n=f"{changes:,}")
        )
        self.tabs.tab(2, text=_("Files ({n})").format(n=f"{files:,}"))

    def _set_message(self, text: str, *, ok: bool) -> None:
        self.message.configure(state="normal")
        self.message.delete("1.0", "end")
        self.message.insert("1.0", text)
        lines = text.count("\n") + 1 if text else 1
        self.message.configure(height=min(max(lines, 2), 6), state="disabled")
        self.message.configure(foreground="black" if ok else RED)

    # ------------------------------------------------------------------------------ opening things

    def _open(self, path: Path | None) -> None:
        if path is None:
            self._say(_("Choose the workbook folder first."), RED)
            return
        try:
            open_path(path)
            self._say(_("Opening {name} …").format(name=Path(path).name), None)
        except ToolkitError as exc:
            self._say(str(exc), RED)

    def _open_problem(self, event=None) -> None:
        problem = self._problem_rows.get(self.problem_tree.focus())
        if problem is not None:
            self._open(Path(problem.file))

    def _problem_selected(self, event=None) -> None:
        """The whole problem in the line under the buttons (the table's column may cut it off)."""
        problem = self._problem_rows.get(self.problem_tree.focus())
        if problem is not None:
            where = [
                Path(problem.file).name,
                problem.sheet,
                _("row {row}").format(row=problem.row) if problem.row is not None else "",
                problem.column or "",
            ]
            text = " · ".join(w for w in where if w)
            if show(problem.value):
                text += _(": ") + show(problem.value)
            self._say(text + " — " + problem.reason, None)

    def _open_change(self, event=None) -> None:
        path = self._change_rows.get(self.change_tree.focus())
        if path is not None:
            self._open(path)

    def _open_file(self, event=None) -> None:
        path = self._file_rows.get(self.file_tree.focus())
        if path is not None:
            self._open(path)

    def output_folder(self, which: str) -> Path | None:
        """Where the notices ("notices") or the reports ("reports") of the folder go."""
        if self.settings is None or self.folder is None:
            return None
        if which == "notices":
            return self.folder / self.settings.notices.output_dir
        return self.folder / self.settings.summary.output_dir

    def _open_output(self, which: str) -> None:
        if self.folder is None:
            self._say(_("Choose the workbook folder first."), RED)
            return
        path = self.output_folder(which)
        if path is None:
            return
        if not path.is_dir():
            self._say(
                _("No notices have been made in this folder yet.")
                if which == "notices"
                else _("No report has been made in this folder yet."),
                AMBER,
            )
            return
        self._open(path)

    def _callback_error(self, kind, exc, tb) -> None:
        """A bug in the window's own code: one line in the window, the details in the error log; it stays open."""
        out = Outcome(job="panel", title="")
        record_failure(out, exc, self.folder if self.folder and self.folder.is_dir() else None, "panel", ERROR_LOG)
        self._say(" ".join(out.lines), RED)

    # ------------------------------------------------------------------------------ closing

    def close(self) -> None:
        if self.runner.busy:
            self.close_when_done = True
            self._say(_("The window closes when the running job has finished."), AMBER)
            return
        self.root.destroy()


def _change_columns(changes):
    """A job's changes as columns (ColumnChanges-like: workbook, sheet, header, len)."""
    columns = getattr(changes, "columns", None)
    if columns is not None:
        return columns
    return ChangeList.of(changes).columns


# ---------------------------------------------------------------------------------- starting the panel


def start_window(
    folder: str | Path | None = None, *, language: str | None = None, remember: bool = True
) -> PanelWindow:
    """Make the panel's window (not yet running its event loop): `folder`, else the one remembered."""
    if folder is not None:
        folder = Path(folder).expanduser()
    else:
        folder = memory.remembered_folder()
    if sys.platform == "win32":  # sharp text on a scaled Windows screen, instead of a blurred bitmap
        try:
            ctypes.windll.shcore.SetProcessDpiAwareness(1)
        except (AttributeError, OSError):
            pass
    try:
        root = tk.Tk(className="OfficeToolkit")
    except tk.TclError as exc:
        raise ToolkitError(
            _("the panel's window cannot be opened here: {reason}").format(reason=exc),
            hint=_(
                "on Linux it needs a desktop (DISPLAY); on a Mac, a Python with Tk, such as the python.org installer's"
            ),
        ) from None
    try:
        window = PanelWindow(root, folder, language=language, remember=remember)
    except BaseException:
        root.destroy()
        raise
    if remember and window.folder is not None and window.folder.is_dir():
        memory.remember_folder(window.folder)
    height = max(640, min(860, root.winfo_screenheight() - 90))
    root.geometry(f"1100x{height}")
    return window


def open_panel(folder: str | Path | None = None, *, language: str | None = None, check: bool = False) -> int:
    """Open the panel on `folder` (default: the one remembered for this user) and run it until closed.

    check: open the window, make sure it shows, close it again and return 0 (for the launchers' tests and
    for an administrator checking an install); nothing is remembered then.
    """
    window = start_window(folder, language=language, remember=not check)
    root = window.root
    try:
        if check:
            root.after(300, root.quit)
            root.mainloop()
            shown = bool(root.winfo_ismapped())
            print(
                _("The panel opened: folder {folder}, language {language}, font {font}.").format(
                    folder=window.folder or _("(none)"), language=window.language, font=window.font_family or "Tk"
                )
            )
            if not shown:
                print(_("The window was not shown."), file=sys.stderr)
            return 0 if shown else 2
        root.mainloop()
        return 0
    finally:
        try:
            root.destroy()
        except tk.TclError:  # already closed by its close button
            pass
