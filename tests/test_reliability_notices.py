"""A notice batch is all-or-nothing per notice: killed anywhere, a re-run yields each notice exactly once.

A notice counts as made when its .docx (and its PDF, when asked for) exists and its stamp is written
on its row. The batch writes a journal of what it is about to make before the first file; a run that
finds one keeps what was made (converting what lacks its PDF, writing the stamps) and makes the rest.

The child process of the crash tests (tests/hostile/crashchild.py) runs the notices job in a forked
worker that kills itself with SIGKILL at the Nth crash point (after the journal, after every .docx,
after the conversion, at every step of the workbook writes and the change log, before the journal is
removed), or is killed from outside at a random moment; the same child then runs the job again. After
each kill and re-run:

- the notice files are exactly those of an uninterrupted run (none twice, none missing), with a PDF
  each when PDFs were asked for;
- the stamps are exactly those of an uninterrupted run, and every stamp names a file that exists;
- no journal, no ``.part`` file, no LibreOffice and no LibreOffice profile of the killed job is left.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from toolkit.documents.pdf import PROFILE_PREFIX, soffice_path
from toolkit.model.records import read_table
from toolkit.settings import load_settings

pytestmark = pytest.mark.slow  # kills real job processes at dozens of points: minutes

REPO = Path(__file__).resolve().parents[1]
AS_OF = "2026-11-20T17:00"
KINDS = ["ack", "escalation", "visit"]
TMP = Path(tempfile.gettempdir())
STAMPS = {"tracker": ("notice_ack", "notice_escalation"), "register": ("notice_visit",)}


class Child:
    """The crash tests' child process: one JSON request per line, each job in a forked worker."""

    def __init__(self):
        self.proc = subprocess.Popen(
            [sys.executable, str(REPO / "tests" / "hostile" / "crashchild.py")],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            cwd=REPO,
            env={**os.environ, "PYTHONPATH": str(REPO)},
        )

    def ask(self, args: dict, crash_at: int = 0, kill_after: float | None = None) -> dict:
        request = {"job": "notices", "args": args, "crash_at": crash_at, "kill_after": kill_after}
        self.proc.stdin.write(json.dumps(request) + "\n")
        self.proc.stdin.flush()
        line = self.proc.stdout.readline()
        assert line, "the crash-test child process died"
        answer = json.loads(line)
        assert "crash" not in answer, f"the notices job raised an unexpected error: {answer['crash']}"
        assert answer["status"] != "hung", f"the notices job hung (crash point {crash_at})"
        return answer

    def close(self):
        self.proc.stdin.close()
        self.proc.wait(timeout=30)


@pytest.fixture(scope="module")
def child():
    c = Child()
    yield c
    c.close()


def fresh(sample_office_run: Path, tmp_path: Path, name: str) -> Path:
    dst = tmp_path / name / "客服台账"
    shutil.copytree(sample_office_run, dst)
    return dst


def state(folder: Path) -> tuple[dict[str, list], list[str]]:
    """(the stamp columns' values, the notice files), for comparing runs."""
    settings = load_settings(folder)
    stamps = {}
    for role, schema, path in (
        ("tracker", settings.tracker, settings.tracker_path),
        ("register", settings.register, settings.register_path),
    ):
        table = read_table(path, schema)
        for col in STAMPS[role]:
            stamps[col] = list(table.values(col)) if table.has(col) else [None] * len(table)
    out = folder / "notices"
    files = sorted(p.name for p in out.iterdir()) if out.is_dir() else []
    return stamps, files


def check_whole(folder: Path, reference: tuple[dict[str, list], list[str]], pdf: bool = False) -> None:
    stamps, files = state(folder)
    ref_stamps, ref_files = reference
    assert files == ref_files, f"extra: {set(files) - set(ref_files)}; missing: {set(ref_files) - set(files)}"
    assert stamps == ref_stamps
    for values in stamps.values():
        for text in values:
            if text:
                assert (folder / text.split(" ", 2)[2]).is_file(), text
    docs = [f for f in files if f.endswith(".docx")]
    assert not [f for f in files if f.endswith(".part") or f.startswith(".")], files
    if pdf:
        assert sorted(f for f in files if f.endswith(".pdf")) == sorted(d[:-5] + ".pdf" for d in docs)


def test_notices_killed_at_every_kind_of_point_are_made_exactly_once(child, sample_office_run, tmp_path):
    ref_folder = fresh(sample_office_run, tmp_path, "reference")
    answer = child.ask({"folder": str(ref_folder), "as_of": AS_OF, "kinds": KINDS})
    assert answer["status"] == "exited" and answer["code"] == 0 and answer["error"] is None
    reference = state(ref_folder)
    points = answer["seen"]
    docs = len(reference[1])
    assert docs >= 30 and points > docs + 5  # the journal, every .docx, the workbook writes, the log
    # every point but the .docx ones, which are sampled (each is like the next): about 40 kills
    chosen = sorted({1, 2, 3, docs // 2, docs, *range(docs + 1, points + 1)})
    for n in chosen:
        folder = fresh(sample_office_run, tmp_path, f"kill{n}")
        killed = child.ask({"folder": str(folder), "as_of": AS_OF, "kinds": KINDS}, crash_at=n)
        assert killed["status"] == "killed", (n, killed)
        again = child.ask({"folder": str(folder), "as_of": AS_OF, "kinds": KINDS})
        assert again["status"] == "exited" and again["error"] is None, (n, again)
        check_whole(folder, reference)
        shutil.rmtree(folder.parent)


def test_notices_killed_from_outside_at_random_times_are_made_exactly_once(child, sample_office_run, tmp_path):
    ref_folder = fresh(sample_office_run, tmp_path, "reference")
    started = time.monotonic()
    child.ask({"folder": str(ref_folder), "as_of": AS_OF, "kinds": KINDS})
    seconds = time.monotonic() - started
    reference = state(ref_folder)
    rng = random.Random(14)
    killed = 0
    for n in range(6):
        folder = fresh(sample_office_run, tmp_path, f"random{n}")
        answer = child.ask({"folder": str(folder), "as_of": AS_OF, "kinds": KINDS}, kill_after=rng.uniform(0, seconds))
        killed += answer["status"] == "killed"
        child.ask({"folder": str(folder), "as_of": AS_OF, "kinds": KINDS})
        check_whole(folder, reference)
    assert killed >= 3


def _alive(pid: int) -> bool:
    try:
        return "Z" not in Path(f"/proc/{pid}/stat").read_text().split(")")[-1][:3]  # a zombie is gone too
    except OSError:
        return False


def _soffice_of(pid: int) -> list[int]:
    """LibreOffice processes whose profile belongs to the job `pid`."""
    found = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            cmd = (proc / "cmdline").read_bytes().decode("utf-8", "replace")
        except OSError:
            continue
        if f"{PROFILE_PREFIX}{pid}-" in cmd:
            found.append(int(proc.name))
    return found


@pytest.mark.skipif(soffice_path() is None, reason="LibreOffice is not installed")
def test_notices_killed_during_the_pdf_phase_end_with_every_pdf_and_no_libreoffice_left(
    child, sample_office_run, tmp_path
):
    kinds = ["escalation", "visit"]
    ref_folder = fresh(sample_office_run, tmp_path, "reference")
    started = time.monotonic()
    answer = child.ask({"folder": str(ref_folder), "as_of": AS_OF, "kinds": kinds, "pdf": True})
    seconds = time.monotonic() - started
    assert answer["status"] == "exited" and answer["error"] is None
    reference = state(ref_folder)
    docs = sum(1 for f in reference[1] if f.endswith(".docx"))

    # killed right after the conversion, before any stamp: the re-run stamps what was made
    folder = fresh(sample_office_run, tmp_path, "after-pdf")
    killed = child.ask({"folder": str(folder), "as_of": AS_OF, "kinds": kinds, "pdf": True}, crash_at=docs + 2)
    assert killed["status"] == "killed"
    assert all(v is None for v in state(folder)[0]["notice_visit"])  # nothing stamped yet
    child.ask({"folder": str(folder), "as_of": AS_OF, "kinds": kinds, "pdf": True})
    check_whole(folder, reference, pdf=True)

    # killed from outside while LibreOffice converts: LibreOffice goes with it, its profile is removed later
    folder = fresh(sample_office_run, tmp_path, "during-pdf")
    args = {"folder": str(folder), "as_of": AS_OF, "kinds": kinds, "pdf": True}
    before = {p.name for p in TMP.glob(f"{PROFILE_PREFIX}*")}
    killed = child.ask(args, kill_after=seconds * 0.7)  # the conversion takes most of the run
    assert killed["status"] == "killed"
    # the killed job's profile (other jobs on the machine may be converting too: their jobs are alive)
    left = {
        p.name
        for p in TMP.glob(f"{PROFILE_PREFIX}*")
        if p.name not in before and not _alive(int(p.name[len(PROFILE_PREFIX) :].split("-")[0]))
    }
    assert left, "the job was not killed while LibreOffice was converting"
    pids = {int(name[len(PROFILE_PREFIX) :].split("-")[0]) for name in left}
    time.sleep(2)
    assert all(_soffice_of(pid) == [] for pid in pids), "LibreOffice outlived the killed job"
    child.ask(args)
    check_whole(folder, reference, pdf=True)
    assert not [p for p in TMP.glob(f"{PROFILE_PREFIX}*") if p.name in left]
