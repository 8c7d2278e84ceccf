"""Running the panel's jobs off the window's thread, one at a time, in the order they were asked for.

A Tk window may only be touched by the thread that made it, and must keep handling its events (or
it freezes, and the clerk clicks again). So :class:`JobRunner` runs each job in a worker thread and
reports through a queue the window empties on a timer: ``("started", request)``, ``("step", request,
done, total)`` as the job passes its steps (the ``progress`` hook every job takes), ``("finished",
request, outcome)``. A job asked for while another runs waits in line (the same job twice is not
queued twice), so a second click never runs two jobs on one folder at once - the jobs' own folder
lock would refuse that anyway.

:func:`run_job` is the call itself: the same library functions as the command line and the Excel
buttons, through toolkit.jobs.outcome, so what the panel shows is what they would show.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import queue
import threading
from dataclasses import dataclass
from pathlib import Path

from toolkit.i18n import _
from toolkit.jobs.outcome import FACE_JOBS, RUN_JOBS, Outcome, call_notices, call_run_jobs, call_summary, record_failure
from toolkit.settings import load_settings

ERROR_LOG = "logs/panel-errors.log"
STEPS = {"notices": 6, "summary": 7}  # the steps each job reports (run_jobs: 5), for the progress bar


@dataclass(frozen=True)
class JobRequest:
    job: str  # one of FACE_JOBS
    title: str  # the button's caption
    folder: Path
    as_of: dt.datetime | None  # None: now
    dry_run: bool = False


class _StepCounter:
    """The `progress` a job gets: counts its steps and tells the window."""

    def __init__(self, post, request: JobRequest):
        self.post, self.request = post, request
        self.total = STEPS.get(request.job, 5)
        self.done = 0

    def step(self, text: str) -> None:
        self.done = min(self.done + 1, self.total)
        self.post(("step", self.request, self.done, self.total))


def run_job(request: JobRequest, progress=None) -> Outcome:
    """Run one job on the files in its folder; never raises: a failure is in the Outcome."""
    if request.job not in FACE_JOBS:
        raise ValueError(f"unknown job {request.job!r}")
    as_of = (request.as_of or dt.datetime.now()).replace(microsecond=0)
    out = Outcome(job=request.job, title=request.title, as_of=as_of, dry_run=request.dry_run)
    said = io.StringIO()
    try:
        # a warning a job prints for the terminal (e.g. about the office's own days) belongs in the window too:
        # a panel started by double-click has no terminal (pythonw on Windows has no stderr at all)
        with contextlib.redirect_stderr(said):
            settings = load_settings(request.folder)
            if request.job in RUN_JOBS:
                call_run_jobs(
                    out, request.folder, settings, RUN_JOBS[request.job], dry_run=request.dry_run, progress=progress
                )
            elif request.job == "notices":
                call_notices(out, request.folder, settings, dry_run=request.dry_run, progress=progress)
            else:
                call_summary(out, request.folder, settings, progress=progress)
    except Exception as exc:  # expected: its own message; a bug: one line, the details in logs/panel-errors.log
        record_failure(out, exc, request.folder, request.job, ERROR_LOG)
    for line in said.getvalue().splitlines():
        line = line.strip().removeprefix("toolkit: ").removeprefix("warning: ")
        if line and line not in out.lines:
            out.lines.append(_("Note: {note}").format(note=line))
    return out


class JobRunner:
    """One worker thread per job, one job at a time; events for the window in `events`."""

    def __init__(self):
        self.events: queue.Queue = queue.Queue()
        self.waiting: list[JobRequest] = []
        self.current: JobRequest | None = None
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    @property
    def busy(self) -> bool:
        return self.current is not None

    def submit(self, request: JobRequest) -> str:
        """ "started", "queued", or "already" (that job is running or waiting already)."""
        with self._lock:
            if any(r.job == request.job for r in ([self.current] if self.current else []) + self.waiting):
                return "already"
            if self.current is not None:
                self.waiting.append(request)
                return "queued"
            self._start(request)
            return "started"

    def _start(self, request: JobRequest) -> None:
        self.current = request
        self.events.put(("started", request))
        self._thread = threading.Thread(target=self._work, args=(request,), name=f"panel-{request.job}", daemon=True)
        self._thread.start()

    def _work(self, request: JobRequest) -> None:
        out = run_job(request, _StepCounter(self.events.put, request))
        with self._lock:
            self.events.put(("finished", request, out))
            self.current = None
            if self.waiting:
                self._start(self.waiting.pop(0))

    def join(self, timeout: float | None = None) -> None:
        """Wait for the running job (and those waiting) to end; for closing the window and tests."""
        while True:
            thread = self._thread
            if thread is None or not thread.is_alive():
                with self._lock:
                    if self.current is None:
                        return
            if thread is not None:
                thread.join(timeout)
                if timeout is not None and thread.is_alive():
                    return
