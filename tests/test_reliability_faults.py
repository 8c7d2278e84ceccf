"""Faults other than a kill: a full disk, a read-only folder, a workbook replaced during a job,
two jobs at once - each gives a clear message, and every workbook is unchanged or correctly updated.

The full disk and the read-only folder are real: a small tmpfs mounted for the test (and
remounted read-only). Mounting needs root; without it those tests are skipped, saying so.
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from python_calamine import CalamineWorkbook

from toolkit.cli import main
from toolkit.errors import WorkbookBusy, WorkbookRefused
from toolkit.i18n import _, ngettext
from toolkit.jobs.run import run_jobs
from toolkit.xlsx import update_cells
from toolkit.xlsx.editor import WorkbookEditor
from toolkit.xlsx.safety import FileStamp

pytestmark = pytest.mark.usefixtures("speak_english")  # checks English wording (Chinese: test_chinese_first.py)

REPO = Path(__file__).resolve().parents[1]
AS_OF = dt.datetime(2026, 11, 20, 17, 0)
AS_OF_ARG = ["--as-of", "2026-11-20 17:00"]
BOTH = ("customers.xlsx", "complaints.xlsx")
PAGE = 4096


@pytest.fixture(scope="module")
def small_office(tmp_path_factory) -> Path:
    from toolkit.demo.run import prepare

    folder = tmp_path_factory.mktemp("small-office")
    prepare(folder, source=None, customers=12, complaints=40, seed=5, force=False)
    return folder


@pytest.fixture(scope="module")
def reference(small_office, tmp_path_factory):
    """The small office after an uninterrupted sync: the new bytes of both workbooks, and the log."""
    folder = tmp_path_factory.mktemp("reference")
    copy_office(small_office, folder)
    result = run_jobs(folder, ("sync",), as_of=AS_OF)
    return {"new": {f: (folder / f).read_bytes() for f in BOTH}, "result": result, "folder": folder}


def copy_office(src: Path, dst: Path) -> Path:
    dst.mkdir(parents=True, exist_ok=True)
    for f in BOTH:
        shutil.copy(src / f, dst / f)
    return dst


def snapshot(folder: Path) -> dict[str, bytes]:
    return {f: (folder / f).read_bytes() for f in BOTH}


def readable(path: Path) -> None:
    wb = CalamineWorkbook.from_path(str(path))
    for name in wb.sheet_names:
        wb.get_sheet_by_name(name).to_python()


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.glob(".~toolkit-*"))


def log_rows(folder: Path) -> list[list[str]]:
    rows = []
    for log in sorted((folder / "logs").glob("*.csv")):
        with open(log, encoding="utf-8-sig", newline="") as fh:
            rows += list(csv.reader(fh))[1:]
    return rows


# ---------------------------------------------------------------------- a real small disk


@contextlib.contextmanager
def tmpfs(where: Path, size: str):
    where.mkdir(parents=True, exist_ok=True)
    proc = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(where)], capture_output=True, text=True
    )
    if proc.returncode != 0:
        pytest.skip(
            f"cannot mount a small tmpfs to make a real full or read-only disk (needs root): "
            f"{(proc.stderr or proc.stdout).strip()}"
        )
    try:
        yield where
    finally:
        subprocess.run(["umount", "-l", str(where)], capture_output=True)


def remount_read_only(where: Path) -> None:
    proc = subprocess.run(["mount", "-o", "remount,ro", str(where)], capture_output=True, text=True)
    if proc.returncode != 0:
        pytest.skip(f"cannot remount the tmpfs read-only: {proc.stderr.strip()}")


def fill_disk(folder: Path, leave: int) -> None:
    """Fill the file system holding `folder` so that about `leave` bytes stay free."""
    filler = folder / "filler.bin"
    fd = os.open(filler, os.O_WRONLY | os.O_CREAT | os.O_TRUNC)
    try:
        while os.write(fd, b"\0" * PAGE) > 0:
            pass
    except OSError:
        pass
    finally:
        os.close(fd)
    with contextlib.suppress(OSError):
        os.truncate(filler, max(filler.stat().st_size - leave, 0))
    st = os.statvfs(folder)
    assert abs(st.f_bavail * st.f_frsize - leave) <= 2 * PAGE


def pages(n: int) -> int:
    return -(-n // PAGE) * PAGE


def test_disk_full_before_anything_is_written(small_office, tmp_path, capsys):
    with tmpfs(tmp_path / "disk", "256k") as disk:
        folder = copy_office(small_office, disk / "office")
        before = snapshot(folder)
        fill_disk(disk, leave=PAGE)
        code = main(["run", str(folder), *AS_OF_ARG])
        out, err = capsys.readouterr()
        assert code == 2 and "Traceback" not in out + err
        assert "customers.xlsx" in err and "disk is full" in err and "left as it was" in err
        assert snapshot(folder) == before
        assert leftovers(folder) == []
        assert not (folder / "logs").exists() or log_rows(folder) == []


def test_disk_full_after_the_register_was_saved(small_office, reference, tmp_path, capsys):
    """The register fits, the tracker does not: the register is correctly updated and logged, the
    tracker left as it was, and the message says which is which."""
    new = reference["new"]
    reg_changes = [c for c in reference["result"].changes if c.workbook == "customers.xlsx"]
    assert reg_changes and any(c.workbook == "complaints.xlsx" for c in reference["result"].changes)
    log_bytes = (
        sum(len(",".join(map(str, (c.ref, c.key, c.header, c.old, c.new))).encode()) + 60 for c in reg_changes) + 200
    )
    leave = pages(len(new["customers.xlsx"])) + pages(log_bytes) + PAGE
    assert leave < pages(len(new["customers.xlsx"])) + pages(log_bytes) + pages(len(new["complaints.xlsx"]))
    with tmpfs(tmp_path / "disk", "512k") as disk:
        folder = copy_office(small_office, disk / "office")
        before = snapshot(folder)
        fill_disk(disk, leave=leave)
        code = main(["sync", str(folder), *AS_OF_ARG])
        out, err = capsys.readouterr()
        assert code == 2 and "Traceback" not in out + err
        assert "complaints.xlsx" in err and "disk is full" in err and "left as it was" in err
        assert told_saved(len(reg_changes)) in err, err
        assert (folder / "customers.xlsx").read_bytes() == new["customers.xlsx"]
        assert (folder / "complaints.xlsx").read_bytes() == before["complaints.xlsx"]
        readable(folder / "customers.xlsx")
        assert leftovers(folder) == []
        logged = log_rows(folder)
        assert sorted(r[5] for r in logged) == sorted(c.ref for c in reg_changes)
        # with room again, the same job finishes the work
        os.unlink(disk / "filler.bin")
        assert main(["sync", str(folder), *AS_OF_ARG]) in (0, 1)
        capsys.readouterr()
        assert snapshot(folder) == new


def test_disk_full_for_the_change_log_is_reported(small_office, tmp_path, capsys):
    """The engine's write fits but the log line does not: said plainly, no traceback."""
    from toolkit.jobs.changelog import append_changes

    with tmpfs(tmp_path / "disk", "128k") as disk:
        folder = disk / "office"
        folder.mkdir()
        (folder / "logs").mkdir()
        fill_disk(disk, leave=0)
        change = reference_change()
        with pytest.raises(Exception) as info:
            append_changes(folder, [change] * 2000)
        said = ngettext(
            "{books} was saved, but its {n:,} change could not be added to the change log ({reason})",
            "{books} was saved, but its {n:,} changes could not be added to the change log ({reason})",
            2000,
        ).format(books="complaints.xlsx", n=2000, reason=_("the disk is full"))
        assert said in str(info.value)
        assert type(info.value).__name__ == "ToolkitError"


def reference_change():
    from toolkit.jobs.changes import CellChange

    return CellChange(
        "sync",
        "complaints.xlsx",
        "投诉跟踪",
        2,
        26,
        "customer_name",
        "客户名称",
        "TS2026-000001",
        None,
        "上海中丰饮料有限公司" * 20,
    )


def test_read_only_folder(small_office, tmp_path, capsys):
    with tmpfs(tmp_path / "disk", "512k") as disk:
        folder = copy_office(small_office, disk / "office")
        before = snapshot(folder)
        remount_read_only(disk)
        with pytest.raises(OSError):
            (folder / "probe").write_bytes(b"x")  # root cannot write either: the file system refuses
        code = main(["run", str(folder), *AS_OF_ARG])
        out, err = capsys.readouterr()
        assert code == 2 and "Traceback" not in out + err
        assert "read-only" in err and "nothing was changed" in err
        assert snapshot(folder) == before
        for command in ("run", "sync", "flag", "tiers", "notices"):  # a dry run writes nothing: it needs no lock
            code = main([command, str(folder), "--dry-run", *AS_OF_ARG])
            out, err = capsys.readouterr()
            assert code in (0, 1) and "Traceback" not in out + err and "lock" not in err, (command, err)
        # reading still works
        assert main(["check", str(folder)]) in (0, 1)
        out, err = capsys.readouterr()
        assert "Traceback" not in out + err and "rows" in out
        with pytest.raises(Exception) as info:
            update_cells(folder / "complaints.xlsx", "投诉跟踪", {"B2": "x"})
        assert "read-only" in str(info.value)
        assert snapshot(folder) == before


def test_read_only_backup_folder_leaves_the_workbook_as_it_was(small_office, tmp_path, capsys):
    """The workbook's folder is writable but its backups cannot be made: nothing is replaced."""
    with tmpfs(tmp_path / "disk", "512k") as disk:
        folder = copy_office(small_office, tmp_path / "office")
        backups = folder / ".toolkit-backups"
        backups.mkdir()
        subprocess.run(["mount", "--bind", str(disk), str(backups)], check=True)
        try:
            subprocess.run(["mount", "-o", "remount,bind,ro", str(backups)], check=True)
            before = snapshot(folder)
            code = main(["sync", str(folder), *AS_OF_ARG])
            out, err = capsys.readouterr()
            assert code == 2 and "Traceback" not in out + err
            assert "read-only" in err and "left as it was" in err
            assert snapshot(folder) == before
            assert leftovers(folder) == []
        finally:
            subprocess.run(["umount", "-l", str(backups)], capture_output=True)


# ---------------------------------------------------------------------- the file system respected


def test_a_workbook_that_is_a_link_is_written_through_to_the_shared_file(small_office, reference, tmp_path):
    """The office keeps links to workbooks in a shared folder: the shared files are updated, the links stay."""
    shared = copy_office(small_office, tmp_path / "shared drive")
    folder = tmp_path / "office"
    folder.mkdir()
    for f in BOTH:
        (folder / f).symlink_to(shared / f)
    result = run_jobs(folder, ("sync",), as_of=AS_OF)
    assert len(result.changes) == len(reference["result"].changes) > 0
    for f in BOTH:
        assert (folder / f).is_symlink() and (folder / f).resolve() == (shared / f).resolve()
    assert snapshot(shared) == reference["new"]  # the same bytes as a job on the files themselves
    assert leftovers(folder) == leftovers(shared) == []
    assert sorted(p.name for p in shared.iterdir()) == sorted(BOTH)  # nothing else left in the shared folder


def test_a_read_only_workbook_is_refused_and_left_alone(small_office, tmp_path, capsys):
    folder = copy_office(small_office, tmp_path / "office")
    (folder / "complaints.xlsx").chmod(0o444)
    before = snapshot(folder)
    code = main(["run", str(folder), *AS_OF_ARG])
    out, err = capsys.readouterr()
    assert code == 2 and "Traceback" not in out + err
    assert "complaints.xlsx" in err and "read-only" in err, err
    assert snapshot(folder) == before  # the register was not written either
    assert (folder / "complaints.xlsx").stat().st_mode & 0o777 == 0o444
    assert main(["run", str(folder), "--dry-run", *AS_OF_ARG]) in (0, 1)  # reading it is fine
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    with pytest.raises(WorkbookRefused, match="read-only"):
        update_cells(folder / "complaints.xlsx", "投诉跟踪", {"F2": "x"})
    assert snapshot(folder) == before


def test_the_new_file_keeps_the_old_ones_owner_and_permissions(small_office, tmp_path):
    if os.geteuid() != 0:
        pytest.skip("giving a file to another user needs root")
    folder = copy_office(small_office, tmp_path / "office")
    path = folder / "complaints.xlsx"
    os.chown(path, 4321, 4322)
    path.chmod(0o600)
    update_cells(path, "投诉跟踪", {"F2": "written by a job run as root"})
    st = path.stat()
    assert (st.st_uid, st.st_gid, st.st_mode & 0o7777) == (4321, 4322, 0o600)
    assert (
        CalamineWorkbook.from_path(str(path)).get_sheet_by_name("投诉跟踪").to_python()[1][5]
        == "written by a job run as root"
    )


# ---------------------------------------------------------------------- replaced during a job


def told_saved(n: int) -> str:
    """What a job that saved the register but not the tracker says of the register (in the clerk's language)."""
    return ngettext(
        "{books} was saved already, with its {n:,} change, listed in {log}",
        "{books} was saved already, with its {n:,} changes, listed in {log}",
        n,
    ).format(books="customers.xlsx", n=n, log=Path("logs") / f"changes-{dt.datetime.now():%Y-%m}.csv")


class ReplaceDuring:
    """A progress object that replaces a workbook (as Excel's save does: a new file renamed over it)."""

    def __init__(self, path: Path, at_step: str):
        self.path, self.at_step, self.done = path, at_step, False

    def step(self, text: str) -> None:
        if text.startswith(self.at_step) and not self.done:
            tmp = self.path.with_name("staff-saved.tmp")
            shutil.copy(self.path, tmp)
            update_cells(tmp, "投诉跟踪", {"F2": "staff typed this while the job ran"}, keep_backups=0)
            os.replace(tmp, self.path)
            self.done = True


@pytest.mark.parametrize("at_step", ["applying the rules", "writing customers.xlsx", "writing complaints.xlsx"])
def test_workbook_replaced_during_a_job(small_office, reference, tmp_path, at_step):
    """Staff save the tracker while a job runs. Replaced before the job writes anything: neither
    workbook is written. Replaced once the register is saved: the register is correctly updated
    (and logged), the tracker is not written. Either way the staff's version is kept and named."""
    folder = copy_office(small_office, tmp_path / "office")
    before = snapshot(folder)
    spy = ReplaceDuring(folder / "complaints.xlsx", at_step)
    with pytest.raises(WorkbookBusy) as info:
        run_jobs(folder, ("sync",), as_of=AS_OF, progress=spy)
    assert spy.done
    assert "complaints.xlsx" in str(info.value) and "changed by someone else" in str(info.value)
    assert "nothing was written" in str(info.value)
    register_now = (folder / "customers.xlsx").read_bytes()
    reg_changes = [c for c in reference["result"].changes if c.workbook == "customers.xlsx"]
    if at_step == "applying the rules":
        assert register_now == before["customers.xlsx"]
        assert log_rows(folder) == []
        assert "saved" not in str(info.value)
    elif at_step == "writing customers.xlsx":  # (replaced before the first write: caught before it)
        assert register_now == reference["new"]["customers.xlsx"] or register_now == before["customers.xlsx"]
    if register_now != before["customers.xlsx"]:
        assert register_now == reference["new"]["customers.xlsx"]
        assert sorted(r[5] for r in log_rows(folder)) == sorted(c.ref for c in reg_changes)
        # the message tells the truth: the register was saved, with its changes in the log
        assert told_saved(len(reg_changes)) in str(info.value), str(info.value)
    grid = CalamineWorkbook.from_path(str(folder / "complaints.xlsx")).get_sheet_by_name("投诉跟踪").to_python()
    assert grid[1][5] == "staff typed this while the job ran"
    assert leftovers(folder) == []
    # run again: it now works on the staff's version
    again = run_jobs(folder, ("sync",), as_of=AS_OF)
    assert "complaints.xlsx" in {p.name for p in again.written}
    grid = CalamineWorkbook.from_path(str(folder / "complaints.xlsx")).get_sheet_by_name("投诉跟踪").to_python()
    assert grid[1][5] == "staff typed this while the job ran"


def test_engine_refuses_a_file_changed_after_it_was_read(small_office, tmp_path):
    folder = copy_office(small_office, tmp_path / "office")
    path = folder / "complaints.xlsx"
    stamp = FileStamp.of(path)
    update_cells(path, "投诉跟踪", {"F3": "someone else"})
    changed = path.read_bytes()
    ed = WorkbookEditor(path)
    ed.set("投诉跟踪", "F4", "the job's value")
    with pytest.raises(WorkbookBusy, match="changed by someone else"):
        ed.save(expect=stamp)
    assert path.read_bytes() == changed
    assert leftovers(folder) == []


# ---------------------------------------------------------------------- two jobs at once

HOLD_LOCK = textwrap.dedent("""
    import sys
    from toolkit.xlsx.safety import folder_lock
    with folder_lock(sys.argv[1]):
        print("locked", flush=True)
        sys.stdin.read()
""")


def test_a_second_job_is_refused_while_one_runs(small_office, tmp_path, capsys):
    folder = copy_office(small_office, tmp_path / "office")
    before = snapshot(folder)
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD_LOCK, str(folder)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        cwd=REPO,
    )
    try:
        assert holder.stdout.readline().strip() == "locked"
        for argv in (
            ["run", str(folder), *AS_OF_ARG],
            ["sync", str(folder), *AS_OF_ARG],
            ["restore", str(folder / "complaints.xlsx"), "--pick", "1"],
        ):
            code = main(argv)
            out, err = capsys.readouterr()
            assert code == 2 and "Traceback" not in out + err, argv
            if argv[0] != "restore":
                assert "another toolkit job is running" in err, argv
        with pytest.raises(WorkbookBusy, match="another toolkit job"):
            update_cells(folder / "complaints.xlsx", "投诉跟踪", {"B2": "x"})
        assert snapshot(folder) == before
        # a dry run only reads: it is refused too rather than reading a folder mid-job
        assert main(["run", str(folder), "--dry-run", *AS_OF_ARG]) == 2
        capsys.readouterr()
    finally:
        holder.stdin.close()
        holder.wait(timeout=30)
    assert main(["sync", str(folder), *AS_OF_ARG]) in (0, 1)
    capsys.readouterr()


WRITER = textwrap.dedent("""
    import sys, time
    from toolkit.errors import WorkbookBusy, WorkbookRefused
    from toolkit.xlsx import update_cells
    path, col, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
    busy = 0
    for i in range(n):
        while True:
            try:
                update_cells(path, "投诉跟踪", {f"{col}{i + 2}": f"{col}-{i}"}, keep_backups=2)
                break
            except WorkbookBusy:
                busy += 1
                time.sleep(0.001)
    print(busy)
""")


def test_two_writers_never_interleave(small_office, tmp_path):
    """Two processes update the same workbook 25 times each, as fast as they can: every update of
    both survives (no write is lost to the other's), and the file is whole."""
    folder = copy_office(small_office, tmp_path / "office")
    path = folder / "complaints.xlsx"
    n = 25
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", WRITER, str(path), col, str(n)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            cwd=REPO,
        )
        for col in ("BA", "BB")
    ]
    outs = [p.communicate(timeout=120) for p in procs]
    for p, (_out, err) in zip(procs, outs):
        assert p.returncode == 0, err
    grid = CalamineWorkbook.from_path(str(path)).get_sheet_by_name("投诉跟踪").to_python()
    for k, col in ((52, "BA"), (53, "BB")):
        assert [grid[i + 1][k] for i in range(n)] == [f"{col}-{i}" for i in range(n)]
    assert leftovers(folder) == []


def test_two_jobs_started_together_give_the_same_result_as_one(small_office, reference, tmp_path):
    folder = copy_office(small_office, tmp_path / "office")
    cmd = [sys.executable, "-m", "toolkit", "sync", str(folder), *AS_OF_ARG]
    procs = [
        subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=REPO) for _ in range(2)
    ]
    outs = [p.communicate(timeout=120) for p in procs]
    codes = [p.returncode for p in procs]
    assert set(codes) <= {0, 1, 2} and {0, 1} & set(codes), outs
    for code, (out, err) in zip(codes, outs):
        assert "Traceback" not in out + err
        if code == 2:
            assert "another toolkit job is running" in err
    assert snapshot(folder) == reference["new"]
    assert len(log_rows(folder)) == len(reference["result"].changes)  # logged once, not twice
