"""Killed mid-write: a job killed (SIGKILL) anywhere on the write path loses nothing.

A child process (tests/hostile/crashchild.py) runs each job in a forked worker that kills itself
with SIGKILL at the Nth crash point of the write path (``toolkit.xlsx.safety.crash_point``: before
and after every zip part of the new file, the fsync, the backup, the rename, the change log),
for every N the job reaches. After each kill:

- every workbook is byte for byte either its old or its new version, and python-calamine reads it;
- the change log holds whole lines only;
- a later run succeeds, and leaves no `.~toolkit-*` temporary file behind.

Most kill points use a small generated office (12 customers, 40 complaints); the shipped sample
workbooks get every kill point of a cell update and a sample of the points of a sync, plus kills
at random times from outside the worker.
"""

from __future__ import annotations

import csv
import hashlib
import json
import os
import queue
import random
import shutil
import subprocess
import sys
import threading
import zipfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from python_calamine import CalamineWorkbook

pytestmark = pytest.mark.slow  # kills real job processes at hundreds of points: minutes

REPO = Path(__file__).resolve().parents[1]
SAMPLES = REPO / "workbooks"
AS_OF = "2026-11-20T17:00"
TRACKER_SHEET = "投诉跟踪"

KILLS: dict[str, int] = {}  # scenario -> distinct kill points survived
RANDOM_KILLS: dict[str, int] = {}  # scenario -> kills at random times from outside


# ---------------------------------------------------------------------- the child process


class Child:
    def __init__(self):
        self.proc = subprocess.Popen(
            [sys.executable, str(REPO / "tests" / "hostile" / "crashchild.py")],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            cwd=REPO,
            env={**os.environ, "PYTHONPATH": str(REPO)},
        )

    def ask(self, job: str, args: dict, crash_at: int = 0, kill_after: float | None = None) -> dict:
        self.proc.stdin.write(
            json.dumps({"job": job, "args": args, "crash_at": crash_at, "kill_after": kill_after}) + "\n"
        )
        self.proc.stdin.flush()
        line = self.proc.stdout.readline()
        assert line, "the crash-test child process died"
        answer = json.loads(line)
        assert "crash" not in answer, f"{job} raised an unexpected error: {answer['crash']}"
        assert answer["status"] != "hung", f"{job} hung (crash point {crash_at})"
        return answer

    def close(self):
        self.proc.stdin.close()
        self.proc.wait(timeout=30)


class Children:
    """Two child processes (the machine has two cores): `ask` uses the first, `map` both."""

    def __init__(self, n: int = 2):
        self.all = [Child() for _ in range(n)]
        self.idle: queue.Queue = queue.Queue()
        for c in self.all:
            self.idle.put(c)

    def ask(self, *args, **kw) -> dict:
        return self.map(lambda c, _x: c.ask(*args, **kw), [None])[0]

    def map(self, fn, items) -> list:
        """fn(child, item) for every item, two at a time; the first failure is raised."""

        def one(item):
            c = self.idle.get()
            try:
                return fn(c, item)
            finally:
                self.idle.put(c)

        with ThreadPoolExecutor(len(self.all)) as pool:
            return [f.result() for f in [pool.submit(one, item) for item in items]]

    def close(self):
        for c in self.all:
            c.close()


@pytest.fixture(scope="module")
def child():
    c = Children()
    yield c
    c.close()


@pytest.fixture(scope="module")
def small_office(tmp_path_factory) -> Path:
    from toolkit.demo.run import prepare

    folder = tmp_path_factory.mktemp("small-office")
    prepare(folder, source=None, customers=12, complaints=40, seed=5, force=False)
    return folder


def fresh(template: Path, where: Path) -> Path:
    shutil.rmtree(where, ignore_errors=True)
    shutil.copytree(template, where)
    return where


# ---------------------------------------------------------------------- checks

_readable: set[str] = set()
_readable_lock = threading.Lock()


def assert_readable(path: Path) -> None:
    """python-calamine reads every sheet (once per distinct content)."""
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    with _readable_lock:
        if digest in _readable:
            return
    wb = CalamineWorkbook.from_path(str(path))
    for name in wb.sheet_names:
        wb.get_sheet_by_name(name).to_python()
    with _readable_lock:
        _readable.add(digest)


def temps(folder: Path) -> list[Path]:
    return sorted(folder.glob(".~toolkit-*"))


def assert_log_whole(folder: Path) -> None:
    for log in (folder / "logs").glob("*.csv"):
        with open(log, encoding="utf-8-sig", newline="") as fh:
            rows = list(csv.reader(fh))
        assert all(len(r) == 10 for r in rows), f"{log.name} has a cut line"


def assert_backups_readable(folder: Path) -> None:
    for b in (folder / ".toolkit-backups").glob("*.xlsx") if (folder / ".toolkit-backups").is_dir() else ():
        with zipfile.ZipFile(b) as zf:
            assert zf.testzip() is None, b


def kill_everywhere(child, tmp_path, name, template, job, args_for, files, *, recover=None, final=None, points=None):
    """Kill `job` at each crash point; check every file is old or new and a later run recovers.

    `args_for(folder)` gives the job's arguments for a copy of `template`; `files` the workbooks
    the job may write; `recover` (job, args_for) the later run (default: the same job again);
    `final(folder, new)` an extra check after the later run.
    """
    ref = fresh(template, tmp_path / f"{name}-ref")
    old = {f: (ref / f).read_bytes() for f in files}
    done = child.ask(job, args_for(ref))
    assert done["status"] == "exited" and done["error"] is None, done
    total = done["seen"]
    new = {f: (ref / f).read_bytes() for f in files}
    assert any(new[f] != old[f] for f in files), "the job changed nothing"
    for f in files:
        assert_readable(ref / f)
    rec_job, rec_args = recover or (job, args_for)
    chosen = list(range(1, total + 1)) if points is None else points(total)
    outcomes = {"old": 0, "new": 0, "temp left": 0}
    lock = threading.Lock()

    def one(c, n):
        folder = fresh(template, tmp_path / f"{name}-{n}")
        answer = c.ask(job, args_for(folder), crash_at=n)
        assert answer["status"] == "killed", f"{name}: crash point {n} of {total} was not reached: {answer}"
        for f in files:
            data = (folder / f).read_bytes()
            ok = data == old[f] or data == new[f]
            assert ok, f"{name}: after a kill at point {n}, {f} is neither its old nor its new version"
            with lock:
                outcomes["new" if data == new[f] and data != old[f] else "old"] += 1
            assert_readable(folder / f)
        assert_log_whole(folder)
        assert_backups_readable(folder)
        with lock:
            outcomes["temp left"] += bool(temps(folder))
        again = c.ask(rec_job, rec_args(folder))
        assert again["status"] == "exited" and again["error"] is None, (
            f"{name}: the run after a kill at point {n} failed: {again}"
        )
        assert temps(folder) == [], f"{name}: temporary files left after the run that followed a kill at {n}"
        assert_log_whole(folder)
        if final:
            final(folder, new)
        shutil.rmtree(folder)

    child.map(one, chosen)
    KILLS[name] = len(chosen)
    # the kills fell on both sides of the switch, and some left a temporary file to clean up
    assert outcomes["old"] and outcomes["new"] and outcomes["temp left"], outcomes
    return total


def same_as_reference(files):
    def check(folder, new):
        for f in files:
            assert (folder / f).read_bytes() == new[f], f"{f} differs from an uninterrupted run after recovery"

    return check


# ---------------------------------------------------------------------- the engine's writes

UPDATES = {"B2": "=1+2", "C3": "@SUM(A1)", "D4": 42, "E5": 3.25, "F6": "已关闭 ✅", "G7": None}


def test_update_cells_killed_at_every_point(child, small_office, tmp_path):
    files = ["complaints.xlsx"]
    kill_everywhere(
        child,
        tmp_path,
        "update_cells (small)",
        small_office,
        "update_cells",
        lambda d: {"path": str(d / "complaints.xlsx"), "sheet": TRACKER_SHEET, "updates": UPDATES},
        files,
        final=same_as_reference(files),
    )


def test_update_cells_with_fills_killed_at_every_point(child, small_office, tmp_path):
    files = ["customers.xlsx"]
    kill_everywhere(
        child,
        tmp_path,
        "update_cells+fills (small)",
        small_office,
        "update_cells",
        lambda d: {
            "path": str(d / "customers.xlsx"),
            "sheet": "客户台账",
            "updates": {"B3": "新名称", "AZ9": 7},
            "fills": {"B3": "FFC7CE"},
        },
        files,
        recover=("run_jobs", lambda d: {"folder": str(d), "jobs": ["tiers"], "as_of": AS_OF}),
    )


def test_append_rows_killed_at_every_point(child, small_office, tmp_path):
    kill_everywhere(
        child,
        tmp_path,
        "append_rows (small)",
        small_office,
        "append_rows",
        lambda d: {
            "path": str(d / "complaints.xlsx"),
            "sheet": TRACKER_SHEET,
            "rows": [["TS2026-999001", "2026-11-20 09:00", "电话"], ["TS2026-999002"]],
        },
        ["complaints.xlsx"],
    )


def test_add_column_killed_at_every_point(child, small_office, tmp_path):
    kill_everywhere(
        child,
        tmp_path,
        "add_column (small)",
        small_office,
        "add_column",
        lambda d: {"path": str(d / "complaints.xlsx"), "sheet": TRACKER_SHEET, "header": "复核备注"},
        ["complaints.xlsx"],
        recover=(
            "update_cells",
            lambda d: {"path": str(d / "complaints.xlsx"), "sheet": TRACKER_SHEET, "updates": {"A1": "投诉编号"}},
        ),
    )


def test_update_cells_on_the_shipped_tracker_killed_at_every_point(child, tmp_path):
    template = tmp_path / "samples"
    template.mkdir()
    shutil.copy(SAMPLES / "complaints.xlsx", template / "complaints.xlsx")
    files = ["complaints.xlsx"]
    kill_everywhere(
        child,
        tmp_path,
        "update_cells (shipped tracker)",
        template,
        "update_cells",
        lambda d: {"path": str(d / "complaints.xlsx"), "sheet": TRACKER_SHEET, "updates": UPDATES},
        files,
        final=same_as_reference(files),
    )


# ---------------------------------------------------------------------- jobs

BOTH = ["customers.xlsx", "complaints.xlsx"]


def test_sync_killed_at_every_point(child, small_office, tmp_path):
    kill_everywhere(
        child,
        tmp_path,
        "run_jobs sync (small)",
        small_office,
        "run_jobs",
        lambda d: {"folder": str(d), "jobs": ["sync"], "as_of": AS_OF},
        BOTH,
        final=same_as_reference(BOTH),
    )


def test_run_all_jobs_killed_at_every_point(child, small_office, tmp_path):
    kill_everywhere(
        child,
        tmp_path,
        "run_jobs sync+flag+tiers (small)",
        small_office,
        "run_jobs",
        lambda d: {"folder": str(d), "jobs": ["sync", "flag", "tiers"], "as_of": AS_OF},
        BOTH,
        final=same_as_reference(BOTH),
    )


def test_sync_on_the_shipped_workbooks_killed_at_sampled_points(child, tmp_path):
    """The full-size samples: 8 crash points spread over the write path (each run takes a second)."""

    def spread(total):
        return sorted({1, 2, total // 4, total // 2, total // 2 + 1, 3 * total // 4, total - 1, total})

    kill_everywhere(
        child,
        tmp_path,
        "run_jobs sync (shipped workbooks)",
        SAMPLES,
        "run_jobs",
        lambda d: {"folder": str(d), "jobs": ["sync"], "as_of": AS_OF},
        BOTH,
        final=same_as_reference(BOTH),
        points=spread,
    )


def test_sync_killed_from_outside_at_random_times(child, small_office, tmp_path):
    """SIGKILL from outside the worker at random moments, wherever it is (not only at crash points)."""
    rnd = random.Random(20261120)
    ref = fresh(small_office, tmp_path / "ref")
    old = {f: (ref / f).read_bytes() for f in BOTH}
    args = lambda d: {"folder": str(d), "jobs": ["sync", "flag", "tiers"], "as_of": AS_OF}  # noqa: E731
    assert child.ask("run_jobs", args(ref))["error"] is None
    new = {f: (ref / f).read_bytes() for f in BOTH}
    delays = [rnd.uniform(0.0, 0.25) for _ in range(24)]

    def one(c, k):
        folder = fresh(small_office, tmp_path / f"rnd-{k}")
        answer = c.ask("run_jobs", args(folder), kill_after=delays[k])
        for f in BOTH:
            ok = (folder / f).read_bytes() in (old[f], new[f])
            assert ok, f"after a kill at a random time, {f} is neither its old nor its new version"
        assert_log_whole(folder)
        assert c.ask("run_jobs", args(folder))["error"] is None
        assert temps(folder) == []
        for f in BOTH:
            assert (folder / f).read_bytes() == new[f]
        shutil.rmtree(folder)
        return answer["status"] == "killed"

    killed = sum(child.map(one, range(len(delays))))
    RANDOM_KILLS["run_jobs (small), random times"] = killed
    assert killed >= 8


# ---------------------------------------------------------------------- restore


def test_restore_killed_at_every_point(child, small_office, tmp_path):
    from toolkit.xlsx import update_cells

    template = fresh(small_office, tmp_path / "with-backups")
    update_cells(template / "complaints.xlsx", TRACKER_SHEET, {"B2": "第一次"})
    update_cells(template / "complaints.xlsx", TRACKER_SHEET, {"B2": "第二次"})
    kill_everywhere(
        child,
        tmp_path,
        "restore --pick (small)",
        template,
        "restore",
        lambda d: {"path": str(d / "complaints.xlsx"), "pick": 2},
        ["complaints.xlsx"],
        recover=("run_jobs", lambda d: {"folder": str(d), "jobs": ["sync"], "as_of": AS_OF}),
    )


# ---------------------------------------------------------------------- the figure


def test_at_least_200_distinct_kill_points_were_survived():
    if len(KILLS) < 9:
        pytest.skip("run the whole module to count the kill points")
    total = sum(KILLS.values())
    print(
        f"\nkill points survived: {total} ({json.dumps(KILLS, ensure_ascii=False)}); "
        f"random-time kills: {sum(RANDOM_KILLS.values())}"
    )
    assert total >= 200
