"""PDF copies of Word documents: the whole batch in ONE headless LibreOffice run.

Starting LibreOffice takes seconds; converting a page takes a fraction of one. So a batch of
notices is handed to a single ``soffice --headless --convert-to pdf`` call, with a private user
profile (a temporary folder) so it neither disturbs nor waits for a LibreOffice the user has open.

Every file is accounted for: LibreOffice sometimes exits 0 having skipped some of the files it was
given, so after the call each .docx is looked for its PDF, and those without one are given to a
second call; what is still missing then is listed with what LibreOffice said. LibreOffice ends with
the job: it runs in a process group of its own that is killed on a timeout, on Linux it is told to
die with the job (even when the job is killed outright), and the private profile folder is removed
afterwards - or, after a kill, by the next conversion (profiles whose job is gone).
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from toolkit.errors import ToolkitError
from toolkit.i18n import _
from toolkit.xlsx.safety import pid_alive

MAX_ARGS_CHARS = 100_000  # one call unless the file list is longer than this (then a few calls)
PROFILE_PREFIX = "toolkit-lo-profile-"
_PR_SET_PDEATHSIG = 1


def soffice_path() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def require_soffice() -> str:
    path = soffice_path()
    if path is None:
        raise ToolkitError(
            _("PDF copies need LibreOffice, which is not installed (no 'soffice' command)"),
            hint=_("install LibreOffice Writer (Debian: apt-get install libreoffice-writer), or run without --pdf"),
        )
    return path


@dataclass
class PdfResult:
    pdfs: dict[Path, Path] = field(default_factory=dict)  # .docx -> .pdf
    failed: dict[Path, str] = field(default_factory=dict)  # .docx -> why
    seconds: float = 0.0
    calls: int = 0


def convert_to_pdf(
    files: list[Path], outdir: Path, *, timeout: float = 900, on_progress: Callable[[int], None] | None = None
) -> PdfResult:
    """Convert the .docx files to PDF in `outdir`; failures are listed, not raised.

    One LibreOffice run for the batch; the files it left without a PDF get a second run; what is
    still missing is listed in `failed` with LibreOffice's own words. `on_progress(n)`: called with
    the number of PDFs made so far while LibreOffice works.
    """
    result = PdfResult()
    files = [Path(f) for f in files]
    if not files:
        return result
    soffice = require_soffice()
    outdir = Path(outdir)
    outdir.mkdir(parents=True, exist_ok=True)
    start = time.time()
    remove_stale_profiles()
    remove_leftovers(outdir, files)
    profile = Path(tempfile.mkdtemp(prefix=f"{PROFILE_PREFIX}{os.getpid()}-"))
    said: dict[Path, str] = {}
    try:
        todo = files
        for _attempt in range(2):
            for batch in _batches(todo):
                err = _run(soffice, profile, batch, outdir, timeout, start, result, on_progress)
                result.calls += 1
                for f in batch:
                    pdf = _pdf_of(f, outdir, start)
                    if pdf is not None:
                        result.pdfs[f] = pdf
                        said.pop(f, None)
                    else:
                        said[f] = err or "LibreOffice wrote no PDF for it"
            todo = [f for f in todo if f not in result.pdfs]
            if not todo:
                break
        result.failed = {f: said.get(f, "LibreOffice wrote no PDF for it") for f in todo}
    finally:
        shutil.rmtree(profile, ignore_errors=True)
    result.seconds = time.time() - start
    return result


def _batches(files: list[Path]) -> list[list[Path]]:
    batches: list[list[Path]] = []
    batch: list[Path] = []
    size = 0
    for f in files:
        if batch and size + len(str(f)) > MAX_ARGS_CHARS:
            batches.append(batch)
            batch, size = [], 0
        batch.append(f)
        size += len(str(f)) + 1
    batches.append(batch)
    return batches


def _pdf_of(f: Path, outdir: Path, since: float) -> Path | None:
    pdf = outdir / (f.stem + ".pdf")
    try:
        return pdf if pdf.stat().st_mtime >= since - 2 and pdf.stat().st_size > 0 else None
    except OSError:
        return None


_LEFTOVER = re.compile(r"^lu[0-9A-Za-z]+\.tmp$")


def remove_leftovers(outdir: Path, files: list[Path]) -> None:
    """What a killed LibreOffice leaves in the output folder: its temporary files (lu….tmp) and the lock
    files (.~lock.NAME#) of the files it was writing, which would stop the next conversion of them.
    The caller holds the folder's lock, so no other conversion writes there now."""
    names = {f".~lock.{f.stem}.pdf#" for f in files} | {f".~lock.{f.name}#" for f in files}
    for path in outdir.iterdir():
        if path.name in names or _LEFTOVER.match(path.name):
            with contextlib.suppress(OSError):
                path.unlink()


def remove_stale_profiles(root: Path | None = None) -> int:
    """Remove the private profile folders of conversions whose job is gone (killed); how many."""
    root = Path(root or tempfile.gettempdir())
    removed = 0
    for folder in root.glob(f"{PROFILE_PREFIX}*"):
        pid = folder.name[len(PROFILE_PREFIX) :].split("-", 1)[0]
        if pid.isdigit() and int(pid) != os.getpid() and not pid_alive(int(pid)):
            shutil.rmtree(folder, ignore_errors=True)
            removed += 1
    return removed


def _die_with_parent() -> None:  # runs in the child before exec (Linux): SIGKILL when the job dies
    with contextlib.suppress(Exception):
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)


def _direct_binary(soffice: str) -> str:
    """The LibreOffice program itself rather than its launcher script, where it can be found: the
    launcher's children would outlive a killed job, the program itself dies with it."""
    real = Path(os.path.realpath(soffice))
    candidate = real.parent / "soffice.bin"
    return str(candidate) if candidate.is_file() and os.access(candidate, os.X_OK) else soffice


def _run(
    soffice: str,
    profile: Path,
    files: list[Path],
    outdir: Path,
    timeout: float,
    since: float,
    result: PdfResult,
    on_progress: Callable[[int], None] | None,
) -> str | None:
    cmd = [
        _direct_binary(soffice),
        f"-env:UserInstallation={profile.as_uri()}",
        "--headless",
        "--norestore",
        "--nolockcheck",
        "--nodefault",
        "--convert-to",
        "pdf:writer_pdf_Export",
        "--outdir",
        str(outdir),
        *map(str, files),
    ]
    env = {**os.environ, "HOME": str(profile)}
    for _start in range(3):  # the program itself exits 81 ("restart") once, when it makes a new profile
        err = _run_once(cmd, env, files, outdir, timeout, since, result, on_progress)
        if err != _RESTART:
            return err
    return "LibreOffice could not start"


_RESTART = "restart"


def _run_once(cmd, env, files, outdir, timeout, since, result, on_progress) -> str | None:
    linux = sys.platform.startswith("linux")
    with tempfile.TemporaryFile() as said:
        proc = subprocess.Popen(
            cmd,
            stdout=said,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            env=env,
            start_new_session=True,
            preexec_fn=_die_with_parent if linux else None,  # noqa: PLW1509 - only prctl, before exec
        )
        deadline = time.monotonic() + timeout
        try:
            while True:
                try:
                    proc.wait(timeout=0.5)
                    break
                except subprocess.TimeoutExpired:
                    if on_progress is not None:
                        on_progress(len(result.pdfs) + sum(1 for f in files if _pdf_of(f, outdir, since)))
                    if time.monotonic() > deadline:
                        _kill(proc)
                        return _("LibreOffice did not finish within {seconds} seconds").format(seconds=f"{timeout:.0f}")
        except BaseException:  # interrupted (Ctrl+C, the panel's stop): LibreOffice goes with the job
            _kill(proc)
            raise
        said.seek(0)
        text = said.read().decode("utf-8", "replace").strip()
    if on_progress is not None:
        on_progress(len(result.pdfs) + sum(1 for f in files if _pdf_of(f, outdir, since)))
    errors = [line for line in text.splitlines() if "error" in line.lower()]
    if proc.returncode == 81:
        return _RESTART
    if proc.returncode != 0:
        return _("LibreOffice failed (exit status {code}): {output}").format(code=proc.returncode, output=text[-300:])
    return ("LibreOffice: " + " / ".join(errors)[-300:]) if errors else None


def _kill(proc: subprocess.Popen) -> None:
    with contextlib.suppress(ProcessLookupError):
        if hasattr(os, "killpg"):
            os.killpg(proc.pid, signal.SIGKILL)  # the group this call started, nothing else
        else:  # Windows: no process groups to signal; soffice.exe itself is ended
            proc.kill()
    proc.wait()
