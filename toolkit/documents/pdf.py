"""PDF copies of Word documents: the whole batch in ONE headless LibreOffice run.

Starting LibreOffice takes seconds; converting a page takes a fraction of one. So a batch of
notices is handed to a single ``soffice --headless --convert-to pdf`` call, with a private user
profile (a temporary folder) so it neither disturbs nor waits for a LibreOffice the user has open.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from toolkit.errors import ToolkitError
from toolkit.i18n import _

MAX_ARGS_CHARS = 100_000  # one call unless the file list is longer than this (then a few calls)


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


def convert_to_pdf(files: list[Path], outdir: Path, *, timeout: float = 900) -> PdfResult:
    """Convert the .docx files to PDF in `outdir` with one LibreOffice run; failures are listed, not raised."""
    result = PdfResult()
    files = [Path(f) for f in files]
    if not files:
        return result
    soffice = require_soffice()
    outdir = Path(outdir)
    outdir.mkdir(parents=True, exist_ok=True)
    start = time.time()
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
    profile = Path(tempfile.mkdtemp(prefix="toolkit-lo-profile-"))
    try:
        for batch in batches:
            err = _run(soffice, profile, batch, outdir, timeout)
            result.calls += 1
            for f in batch:
                pdf = outdir / (f.stem + ".pdf")
                if pdf.exists() and pdf.stat().st_mtime >= start - 2:
                    result.pdfs[f] = pdf
                else:
                    result.failed[f] = err or "LibreOffice wrote no PDF for it"
    finally:
        shutil.rmtree(profile, ignore_errors=True)
    result.seconds = time.time() - start
    return result


def _run(soffice: str, profile: Path, files: list[Path], outdir: Path, timeout: float) -> str | None:
    cmd = [
        soffice,
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
    proc = subprocess.Popen(
        cmd,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        env=env,
        start_new_session=True,
        text=True,
        errors="replace",
    )
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        try:
            os.killpg(proc.pid, signal.SIGKILL)  # the group this call started, nothing else
        except ProcessLookupError:
            pass
        proc.communicate()
        return f"LibreOffice did not finish within {timeout:.0f} s"
    if proc.returncode != 0:
        return f"LibreOffice failed (exit status {proc.returncode}): {(err or out).strip()[-300:]}"
    return None
