"""`toolkit restore` (backups listed and put back atomically) and `toolkit log` (the change log:
who changed which cell when, filtered by customer, complaint, column and time)."""

from __future__ import annotations

import csv
import datetime as dt
import getpass
import re
import shutil
from pathlib import Path

import pytest
from hostile.build import office
from python_calamine import CalamineWorkbook

from toolkit.cli import main
from toolkit.jobs.changelog import append_changes
from toolkit.jobs.changes import CellChange
from toolkit.jobs.log import query_log
from toolkit.jobs.restore import list_workbook_backups, restore_backup
from toolkit.jobs.run import run_jobs
from toolkit.xlsx import update_cells
from toolkit.xlsx.safety import BACKUP_DIR

pytestmark = pytest.mark.usefixtures("speak_english")  # checks English wording (Chinese: test_chinese_first.py)

AS_OF = dt.datetime(2026, 11, 20, 17, 0)
SHEET = "投诉跟踪"


def cell(path: Path, r: int, c: int):
    return CalamineWorkbook.from_path(str(path)).get_sheet_by_name(SHEET).to_python()[r - 1][c - 1]


# ---------------------------------------------------------------------- restore


@pytest.fixture
def edited(tmp_path):
    """complaints.xlsx written three times: versions v0 (original), v1, v2, v3 (current)."""
    folder = office(tmp_path / "office")
    path = folder / "complaints.xlsx"
    versions = [path.read_bytes()]
    for text in ("第一次", "第二次", "第三次"):
        update_cells(path, SHEET, {"F2": text})
        versions.append(path.read_bytes())
    return path, versions


def test_list_shows_backups_newest_first_numbered_with_time_and_size(edited, capsys):
    path, versions = edited
    assert main(["restore", str(path), "--list"]) == 0
    out = capsys.readouterr().out
    lines = [ln for ln in out.splitlines() if re.match(r"\d+ ", ln)]
    assert [ln.split()[0] for ln in lines] == ["1", "2", "3"]
    times = [dt.datetime.strptime(" ".join(ln.split()[1:3]), "%Y-%m-%d %H:%M:%S") for ln in lines]
    assert times == sorted(times, reverse=True)
    backups = list_workbook_backups(path)
    # newest first: backup 1 holds v2 (the version before the last write), backup 3 the original
    assert [b.path.read_bytes() for b in backups] == [versions[2], versions[1], versions[0]]
    for ln, b in zip(lines, backups):
        assert f"{b.size:,}" in ln and b.path.name in ln


def test_pick_restores_atomically_and_backs_up_the_current_version(edited, capsys):
    path, versions = edited
    assert main(["restore", str(path), "--pick", "3"]) == 0
    out = capsys.readouterr().out
    assert "restored" in out and "backup 3" in out
    assert path.read_bytes() == versions[0]
    assert cell(path, 2, 6) == "送货延迟"
    backups = list_workbook_backups(path)
    assert backups[0].path.read_bytes() == versions[3]  # the replaced version is now backup 1
    assert not list(path.parent.glob(".~toolkit-*"))
    # and the restore can itself be undone
    assert main(["restore", str(path), "--pick", "1"]) == 0
    capsys.readouterr()
    assert path.read_bytes() == versions[3]


def test_restoring_the_oldest_backup_when_the_oldest_is_pruned(edited):
    path, versions = edited
    done = restore_backup(path, 3, keep_backups=3)  # making the new backup prunes backup 3 itself
    assert path.read_bytes() == versions[0]
    assert len(list_workbook_backups(path)) == 3
    assert done.restored_from.number == 3


def test_restore_refuses_a_workbook_open_in_excel(edited, capsys):
    path, versions = edited
    (path.parent / ("~$" + path.name)).write_bytes(b"owner")
    assert main(["restore", str(path), "--pick", "2"]) == 2
    err = capsys.readouterr().err
    assert "open in Excel" in err and "Traceback" not in err
    assert path.read_bytes() == versions[3]
    assert len(list_workbook_backups(path)) == 3


@pytest.mark.parametrize(
    "argv_tail, words",
    [
        (["--pick", "9"], ["no backup number 9", "numbered 1 to 3"]),
        (["--pick", "0"], ["no backup number 0"]),
    ],
)
def test_restore_refuses_a_number_not_listed(edited, capsys, argv_tail, words):
    path, versions = edited
    assert main(["restore", str(path), *argv_tail]) == 2
    err = capsys.readouterr().err
    for w in words:
        assert w in err
    assert path.read_bytes() == versions[3]


def test_restore_refuses_a_damaged_backup(edited, capsys):
    path, versions = edited
    damaged = list_workbook_backups(path)[1].path
    damaged.unlink()  # (a hard link to an old version: replace it, do not write through it)
    damaged.write_bytes(b"PK\x03\x04 not really a workbook")
    assert main(["restore", str(path), "--pick", "2"]) == 2
    err = capsys.readouterr().err
    assert "not an Excel workbook" in err or "damaged" in err
    assert path.read_bytes() == versions[3]


def test_restore_without_backups_and_usage(tmp_path, capsys):
    folder = office(tmp_path / "office")
    path = folder / "customers.xlsx"
    assert main(["restore", str(path), "--list"]) == 0
    assert "no backups" in capsys.readouterr().out
    assert main(["restore", str(path), "--pick", "1"]) == 2
    assert "has no backups" in capsys.readouterr().err
    with pytest.raises(SystemExit) as usage:  # --list or --pick is required: a usage error, exit 2
        main(["restore", str(path)])
    assert usage.value.code == 2
    assert "--list" in capsys.readouterr().err


def test_backups_of_similarly_named_workbooks_are_not_mixed_up(tmp_path):
    folder = office(tmp_path / "office")
    other = folder / "complaints.2025.xlsx"
    shutil.copy(folder / "complaints.xlsx", other)
    update_cells(other, SHEET, {"F2": "x"})
    update_cells(folder / "complaints.xlsx", SHEET, {"F2": "y"})
    assert [b.path.name.startswith("complaints.2025.") for b in list_workbook_backups(folder / "complaints.xlsx")] == [
        False
    ]
    assert len(list_workbook_backups(other)) == 1
    assert (folder / BACKUP_DIR).is_dir()


# ---------------------------------------------------------------------- the change log


@pytest.fixture(scope="module")
def synced(tmp_path_factory):
    """The generated small office after one sync and one flag run, with a month-old log line added."""
    from toolkit.demo.run import prepare

    folder = tmp_path_factory.mktemp("office")
    prepare(folder, source=None, customers=12, complaints=40, seed=5, force=False)
    before = {n: (folder / n).read_bytes() for n in ("customers.xlsx", "complaints.xlsx")}
    old_copy = tmp_path_factory.mktemp("before")
    for n, data in before.items():
        (old_copy / n).write_bytes(data)
    started = dt.datetime.now().replace(microsecond=0)
    sync = run_jobs(folder, ("sync",), as_of=AS_OF)
    flag = run_jobs(folder, ("flag",), as_of=AS_OF)
    finished = dt.datetime.now()
    old = CellChange("tiers", "customers.xlsx", "客户台账", 2, 20, "tier", "客户等级", "C00001", "B", "A")
    append_changes(folder, [old], when=dt.datetime(2026, 10, 5, 9, 0))
    return {
        "folder": folder,
        "old_copy": old_copy,
        "sync": sync,
        "flag": flag,
        "started": started,
        "finished": finished,
    }


def read_log(folder: Path) -> list[list[str]]:
    rows = []
    for log in sorted((folder / "logs").glob("changes-*.csv")):
        with open(log, encoding="utf-8-sig", newline="") as fh:
            rows += list(csv.reader(fh))[1:]
    return rows


def test_log_records_user_time_job_and_every_changed_cell(synced):
    folder = synced["folder"]
    changes = synced["sync"].changes + synced["flag"].changes
    rows = [r for r in read_log(folder) if r[0] >= f"{synced['started']:%Y-%m-%d %H:%M:%S}"]
    assert len(rows) == len(changes)
    assert {r[1] for r in rows} == {getpass.getuser()}
    for r in rows:
        when = dt.datetime.strptime(r[0], "%Y-%m-%d %H:%M:%S")
        assert synced["started"] <= when <= synced["finished"]
    assert {(r[2], r[3], r[5]) for r in rows} == {(c.job, c.workbook, c.ref) for c in changes}
    # every cell that differs between the workbooks before and after is in the log
    logged = {(r[3], r[5]) for r in rows}
    for name in ("customers.xlsx", "complaints.xlsx"):
        wb0 = CalamineWorkbook.from_path(str(synced["old_copy"] / name))
        wb1 = CalamineWorkbook.from_path(str(folder / name))
        sheet = wb1.sheet_names[0]
        g0 = wb0.get_sheet_by_name(sheet).to_python(skip_empty_area=False)
        g1 = wb1.get_sheet_by_name(sheet).to_python(skip_empty_area=False)
        differing = set()
        for r in range(max(len(g0), len(g1))):
            a = g0[r] if r < len(g0) else []
            b = g1[r] if r < len(g1) else []
            for c in range(max(len(a), len(b))):
                if (a[c] if c < len(a) else "") != (b[c] if c < len(b) else ""):
                    col = ""
                    n = c + 1
                    while n:
                        n, rem = divmod(n - 1, 26)
                        col = chr(65 + rem) + col
                    differing.add((name, f"{col}{r + 1}"))
        assert differing and differing <= logged, sorted(differing - logged)[:5]


def test_log_filters_by_customer(synced, capsys):
    folder = synced["folder"]
    changes = synced["sync"].changes + synced["flag"].changes
    cid = next(c.key for c in changes if c.workbook == "customers.xlsx")
    from toolkit.model.records import read_table
    from toolkit.settings import load_settings

    s = load_settings(folder)
    tracker = read_table(s.tracker_path, s.tracker)
    theirs = {k for k, c in zip(tracker.values("complaint_id"), tracker.values("customer_id")) if c == cid}
    want = [
        c
        for c in changes
        if (c.workbook == "customers.xlsx" and c.key == cid) or (c.workbook == "complaints.xlsx" and c.key in theirs)
    ]
    if cid == "C00001":
        want_old = 1
    else:
        want_old = 0
    found = query_log(folder, customer=cid.lower())
    assert len(found.entries) == len(want) + want_old
    assert main(["log", str(folder), "--customer", cid]) == 0
    out = capsys.readouterr().out
    assert f"{len(want) + want_old:,} changes match" in out
    assert cid in out and "complaints.xlsx" in out and "customers.xlsx" in out


def test_log_filters_by_complaint_and_column(synced, capsys):
    folder = synced["folder"]
    changes = synced["sync"].changes + synced["flag"].changes
    key = next(c.key for c in changes if c.workbook == "complaints.xlsx")
    want = [c for c in changes if c.workbook == "complaints.xlsx" and c.key == key]
    assert len(query_log(folder, complaint=key).entries) == len(want)
    names = [c for c in changes if c.workbook == "complaints.xlsx" and c.column == "customer_name"]
    for spelling in ("客户名称", "Customer Name", "customer_name", "ＣＵＳＴＯＭＥＲ　ＮＡＭＥ"):
        got = query_log(folder, column=spelling).entries
        # 客户名称 names a register column too (the customer's own name), never changed by a job
        assert len([e for e in got if e.workbook == "complaints.xlsx"]) == len(names), spelling
    assert main(["log", str(folder), "--complaint", key, "--column", "客户名称"]) == 0
    out = capsys.readouterr().out
    assert "1 change matches" in out and key in out


def test_log_filters_by_time(synced, capsys):
    folder = synced["folder"]
    everything = query_log(folder).entries
    october = query_log(folder, until=dt.datetime(2026, 11, 1)).entries
    assert [(e.key, e.old, e.new, e.user) for e in october] == [("C00001", "B", "A", getpass.getuser())]
    assert main(["log", str(folder), "--since", "2026-10-05", "--until", "2026-10-05"]) == 0
    assert "1 change matches" in capsys.readouterr().out  # a date alone in --until means that whole day
    assert main(["log", str(folder), "--until", "2026-10-04"]) == 0
    assert "0 changes match" in capsys.readouterr().out
    now = dt.datetime.now()
    assert main(["log", str(folder), "--since", f"{synced['started']:%Y-%m-%d %H:%M}", "--limit", "3"]) == 0
    out = capsys.readouterr().out
    assert f"{len(everything) - 1:,} changes match. (the first 3 are shown)" in out
    assert main(["log", str(folder), "--since", "yesterday-ish"]) == 2
    err = capsys.readouterr().err
    assert "'yesterday-ish' is not a date" in err and "Traceback" not in err
    assert now


def test_log_survives_a_damaged_line_and_a_missing_log(synced, tmp_path, capsys):
    folder = tmp_path / "office"
    shutil.copytree(synced["folder"], folder)
    log = sorted((folder / "logs").glob("*.csv"))[-1]
    with open(log, "a", encoding="utf-8", newline="") as fh:
        fh.write("2026-11-2")  # a line cut short
    found = query_log(folder)
    assert len(found.entries) == len(query_log(synced["folder"]).entries)
    assert any("not a change-log line" in n for n in found.notes)
    # the next job's lines start on a line of their own
    append_changes(folder, [CellChange("sync", "complaints.xlsx", SHEET, 2, 3, "x", "渠道", "K", "a", "b")])
    assert query_log(folder).entries[-1].new == "b"
    empty = tmp_path / "empty"
    office(empty)
    assert main(["log", str(empty)]) == 0
    assert "No change log" in capsys.readouterr().out
