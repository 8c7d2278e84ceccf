"""The jobs on the shipped sample workbooks: sync, tiers, flag, run; dry runs, idempotence, the change log."""

import csv
import datetime as dt
import shutil
from pathlib import Path

import pytest
from python_calamine import CalamineWorkbook

from toolkit.cli import main
from toolkit.i18n import use_language
from toolkit.jobs.run import run_jobs
from toolkit.model.records import read_table
from toolkit.settings import load_settings

pytestmark = pytest.mark.usefixtures("speak_english")  # checks English wording (Chinese: test_chinese_first.py)

SAMPLES = Path(__file__).resolve().parents[1] / "workbooks"
AS_OF = dt.datetime(2026, 11, 20, 17, 0)


@pytest.fixture
def office(tmp_path):
    for name in ("customers.xlsx", "complaints.xlsx", "office_days.xlsx"):
        shutil.copy(SAMPLES / name, tmp_path / name)
    return tmp_path


def sheet_values(path, sheet):
    return CalamineWorkbook.from_path(str(path)).get_sheet_by_name(sheet).to_python(skip_empty_area=False)


def staff_cells(folder):
    """Every cell of every staff-owned column in both workbooks, by (file, row, header)."""
    s = load_settings(folder)
    out = {}
    for path, schema in ((s.register_path, s.register), (s.tracker_path, s.tracker)):
        grid = sheet_values(path, schema.sheet)
        header = grid[0]
        staff = {c.header for c in schema.staff_columns}
        for k, h in enumerate(header):
            if h in staff:
                for r, row in enumerate(grid[1:], start=2):
                    out[(path.name, r, h)] = row[k] if k < len(row) else ""
    return out


def test_sync_copies_customer_fields_into_the_tracker(office):
    result = run_jobs(office, ("sync",), as_of=AS_OF)
    assert result.written
    s = load_settings(office)
    register = read_table(s.register_path, s.register)
    tracker = read_table(s.tracker_path, s.tracker)
    names = {}
    dups = set()
    for cid, name in zip(register.values("customer_id"), register.values("name")):
        if cid in names:
            dups.add(cid)
        names[cid] = name
    checked = 0
    for cid, name, check in zip(
        tracker.values("customer_id"), tracker.values("customer_name"), tracker.values("customer_check")
    ):
        if cid in names and cid not in dups:
            assert name == names[cid]
            assert not check
            checked += 1
        elif cid is not None and cid not in names:
            assert check.startswith("客户编号不在台账中")
    assert checked > 2500


def test_sync_counts_complaints_back_onto_the_register(office):
    run_jobs(office, ("sync",), as_of=AS_OF)
    s = load_settings(office)
    register = read_table(s.register_path, s.register)
    tracker = read_table(s.tracker_path, s.tracker)
    # count by hand for the customer with the most complaints
    counts = {}
    for cid, when in zip(tracker.values("customer_id"), tracker.values("received_at")):
        if cid and when and AS_OF - dt.timedelta(days=365) < when <= AS_OF:
            counts[cid] = counts.get(cid, 0) + 1
    busiest = max(counts, key=counts.get)
    i = register.values("customer_id").index(busiest)
    assert register.values("complaints_12m")[i] == counts[busiest]
    last = max(w for c, w in zip(tracker.values("customer_id"), tracker.values("received_at")) if c == busiest and w)
    assert register.values("last_complaint_date")[i] == last.date()


def test_unknown_customer_ids_get_suggestions(office):
    with use_language("zh"):
        result = run_jobs(office, ("sync",), as_of=AS_OF)
    warnings = [p for p in result.problems if "客户编号不在客户台账中" in p.reason]
    assert warnings
    assert any("可能是：" in p.reason and "（编号相近）" in p.reason for p in warnings)


def test_running_twice_changes_nothing_the_second_time(office):
    run_jobs(office, ("sync", "tiers"), as_of=AS_OF)
    before = {n: (office / n).read_bytes() for n in ("customers.xlsx", "complaints.xlsx")}
    again = run_jobs(office, ("sync", "tiers"), as_of=AS_OF)
    assert again.changes == []
    assert {n: (office / n).read_bytes() for n in before} == before


def test_dry_run_writes_nothing_and_lists_the_changes(office, capsys):
    before = {n: (office / n).read_bytes() for n in ("customers.xlsx", "complaints.xlsx")}
    assert main(["sync", str(office), "--dry-run", "--as-of", "2026-11-20 17:00", "--limit", "5"]) == 1
    out = capsys.readouterr().out
    assert "would change" in out and "complaints.xlsx" in out
    assert {n: (office / n).read_bytes() for n in before} == before
    assert not (office / "logs").exists()


def test_staff_columns_are_never_written(office):
    before = staff_cells(office)
    run_jobs(office, ("sync", "tiers"), as_of=AS_OF)
    assert staff_cells(office) == before


def test_every_change_is_in_the_change_log(office):
    with use_language("zh"):  # the header row in the language of whoever began the month's log
        result = run_jobs(office, ("sync",), as_of=AS_OF)
    with open(result.log_file, encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh))
    assert rows[0][:3] == ["时间", "操作人", "任务"]
    assert len(rows) - 1 == len(result.changes)
    first = result.changes[0]
    assert rows[1][2] == "sync" and rows[1][5] == first.ref


def test_a_workbook_open_in_excel_is_not_written(office, capsys):
    (office / "~$complaints.xlsx").write_bytes(b"owner")
    before = (office / "complaints.xlsx").read_bytes()
    assert main(["sync", str(office), "--as-of", "2026-11-20 17:00"]) == 2
    err = capsys.readouterr().err
    assert "complaints.xlsx" in err and "open in Excel" in err
    assert (office / "complaints.xlsx").read_bytes() == before


def test_tiers_are_written_with_reasons_and_expired_overrides_reported(office):
    result = run_jobs(office, ("tiers",), as_of=AS_OF)
    s = load_settings(office)
    register = read_table(s.register_path, s.register)
    tiers = register.values("tier")
    assert set(tiers) <= {"A", "B", "C", "新客户", None}
    assert all(r for t, r in zip(tiers, register.values("tier_reason")) if t)
    assert any("expired" in p.reason for p in result.problems)


def test_the_offices_closed_statuses_decide_which_complaints_are_open(office):
    """sla.closed_statuses is the office's word on what a finished complaint is, in every job of a run."""
    s = load_settings(office)
    tracker = read_table(s.tracker_path, s.tracker)
    statuses = tracker.values("status")
    finished = ["已解决", "已关闭"]
    (office / "toolkit.toml").write_text('[sla]\nclosed_statuses = ["已关闭"]\n', encoding="utf-8")  # 已解决 is open
    run_jobs(office, as_of=AS_OF)  # all three jobs: flag's deadlines feed sync's overdue counts
    register = read_table(s.register_path, s.register)
    expected: dict = {}
    for cid, status, when in zip(tracker.values("customer_id"), statuses, tracker.values("received_at")):
        if cid and status != "已关闭" and (when is None or when <= AS_OF):
            expected[cid] = expected.get(cid, 0) + 1
    assert any(st == "已解决" for st in statuses) and set(finished) <= set(statuses)
    ids = register.values("customer_id")
    dup = {c for c in ids if ids.count(c) > 1}  # duplicated IDs are reported and left alone
    checked = 0
    for cid, n in zip(register.values("customer_id"), register.values("open_complaints")):
        if cid and cid not in dup:
            assert n == expected.get(cid, 0), cid
            checked += 1
    assert checked > 100
