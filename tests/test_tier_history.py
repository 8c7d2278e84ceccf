"""The tier history (tier_history.xlsx, 等级变更记录): every tier change the tiers job decides becomes one line,
once; `--dry-run` lists the lines instead; a history that cannot be written is caught up by the next run; and
after several monthly runs the history tells each past month's tier distribution and tier changes as the register
showed them at the time - which the register alone, keeping one change per customer, cannot."""

from __future__ import annotations

import datetime as dt
import shutil
from collections import Counter
from pathlib import Path

import openpyxl
import pytest

from toolkit.cli import main as toolkit_main
from toolkit.errors import SettingsError
from toolkit.jobs.run import run_jobs
from toolkit.jobs.summary import make_summary
from toolkit.jobs.tier_history import read_history
from toolkit.model.records import read_table
from toolkit.rules.tier_history import (
    DECIDED,
    FROM_REGISTER,
    TierEvent,
    TierTimeline,
    missing_events,
    register_events,
)
from toolkit.settings import load_settings
from toolkit.settings.tier_history import read_tier_history
from toolkit.xlsx import update_cells

REPO = Path(__file__).resolve().parents[1]
D = dt.date
T = dt.datetime


def _ev(day, cid, prev, tier, evaluated=None, how=DECIDED):
    return TierEvent(day, cid, "", prev, tier, "", evaluated, how)


# ------------------------------------------------------------------------------------------ the rules

HISTORY = [
    _ev(D(2026, 9, 5), "X", None, "新客户", T(2026, 9, 5, 18)),
    _ev(D(2026, 10, 5), "X", "新客户", "C", T(2026, 10, 5, 18)),
    _ev(D(2026, 11, 5), "X", "C", "A", T(2026, 11, 5, 18)),
    _ev(D(2026, 12, 5), "X", "A", "C", T(2026, 12, 5, 18)),
]
REGISTER = {
    "customer_id": ["X", "Y"],
    "tier": ["C", "B"],
    "previous_tier": ["A", None],
    "tier_changed_on": [D(2026, 12, 5), None],
    "tier_reason": ["", ""],
}


def test_the_history_tells_every_day_of_several_changes():
    timeline = TierTimeline(REGISTER, HISTORY)
    assert timeline.since == T(2026, 9, 5, 18)
    at = {
        d: timeline.tier_at("X", T(*d))
        for d in ((2026, 9, 6), (2026, 10, 1), (2026, 11, 1), (2026, 12, 1), (2027, 1, 1))
    }
    assert at == {
        (2026, 9, 6): "新客户",
        (2026, 10, 1): "新客户",
        (2026, 11, 1): "C",
        (2026, 12, 1): "A",
        (2027, 1, 1): "C",
    }
    assert timeline.tier_at("Y", T(2026, 10, 1)) == "B"  # never changed: the register's tier
    assert timeline.tier_at("X", T(2026, 9, 1)) == "新客户"  # before the history: taken as it was
    [change] = timeline.changes(T(2026, 11, 1), T(2026, 12, 1))
    assert (change.customer_id, change.previous_tier, change.tier, change.changed_on) == ("X", "C", "A", D(2026, 11, 5))
    assert timeline.changes(T(2026, 9, 1), T(2026, 10, 1)) == []  # a first grading is no change


def test_the_register_alone_reaches_back_one_change():
    timeline = TierTimeline(REGISTER, None)
    assert not timeline.has_history and timeline.since is None
    assert timeline.tier_at("X", T(2026, 12, 1)) == "A"  # right: the last change's old tier
    assert timeline.tier_at("X", T(2026, 11, 1)) == "A"  # wrong - it was C - and nothing can tell
    assert timeline.changes(T(2026, 11, 1), T(2026, 12, 1)) == []


def test_a_customer_graded_after_the_day_had_no_tier_then_once_the_history_covers_it():
    history = HISTORY + [_ev(D(2026, 11, 5), "Z", None, "新客户", T(2026, 11, 5, 18))]
    timeline = TierTimeline(
        {
            **REGISTER,
            "customer_id": ["X", "Y", "Z"],
            "tier": ["C", "B", "新客户"],
            "previous_tier": ["A", None, None],
            "tier_changed_on": [D(2026, 12, 5), None, D(2026, 11, 5)],
            "tier_reason": ["", "", ""],
        },
        history,
    )
    assert timeline.tier_at("Z", T(2026, 10, 1)) is None
    assert timeline.tier_at("Z", T(2026, 12, 1)) == "新客户"


def test_lines_come_from_the_register_once():
    cols = {
        "customer_id": ["X", "Y", "W", None],
        "name": ["甲", "乙", "丙", None],
        "tier": ["C", "B", "A", "C"],
        "previous_tier": ["A", None, "B", None],
        "tier_changed_on": [D(2026, 12, 5), None, D(2026, 12, 5), None],
        "tier_reason": ["营收", "", "订单", ""],
    }
    lines = register_events(cols, [True, False, False, False], T(2026, 12, 5, 18), leave=[False, False, True, False])
    assert [(e.customer_id, e.previous_tier, e.tier, e.recorded_how) for e in lines] == [("X", "A", "C", DECIDED)]
    assert missing_events(lines, HISTORY) == []  # the history has X's A -> C of 5 December
    assert missing_events(lines + lines, []) == lines  # each line once


# ------------------------------------------------------------------------------------------ the job on the sample


@pytest.fixture
def sample(tmp_path) -> Path:
    folder = tmp_path / "客服台账"
    shutil.copytree(REPO / "workbooks", folder)
    return folder


def _history_rows(folder: Path) -> list[tuple]:
    ws = openpyxl.load_workbook(folder / "tier_history.xlsx")["等级变更记录"]
    return [tuple(r) for r in ws.iter_rows(min_row=2, values_only=True)]


def test_every_tier_change_is_added_once_and_a_dry_run_only_lists_them(sample, capsys):
    as_of = "2026-09-05 18:00"
    assert toolkit_main(["tiers", str(sample), "--as-of", as_of, "--dry-run", "--limit", "3"]) == 1
    out = capsys.readouterr().out
    assert not (sample / "tier_history.xlsx").exists()
    assert "变更日期" in out and "等级评定" in out and "tier_history.xlsx：等级变更记录将新增" in out
    dry = run_jobs(sample, ("tiers",), as_of=T(2026, 9, 5, 18), dry_run=True)
    assert len(dry.tier_history) == 496 and not (sample / "tier_history.xlsx").exists()

    first = run_jobs(sample, ("tiers",), as_of=T(2026, 9, 5, 18))
    assert first.tier_history == dry.tier_history  # what the dry run listed is what was added
    rows = _history_rows(sample)
    assert len(rows) == 496
    assert rows[0][:5] == (T(2026, 9, 5), "C00001", "北京智恒货运代理有限公司", None, "C")
    assert rows[0][6:] == (T(2026, 9, 5, 18), "等级评定")
    before = (sample / "tier_history.xlsx").read_bytes()
    again = run_jobs(sample, ("tiers",), as_of=T(2026, 9, 5, 18))  # running the job twice adds nothing
    assert again.tier_history == [] and (sample / "tier_history.xlsx").read_bytes() == before
    # --as-of dates the lines: a month later, the new customers of 90 days ago become C
    later = run_jobs(sample, ("tiers",), as_of=T(2026, 10, 5, 18))
    assert later.tier_history and {e.changed_on for e in later.tier_history} == {D(2026, 10, 5)}
    assert all(e.previous_tier == "新客户" and e.tier == "C" for e in later.tier_history)
    assert len(_history_rows(sample)) == 496 + len(later.tier_history)


def test_a_history_open_in_excel_is_caught_up_by_the_next_run(sample):
    run_jobs(sample, ("tiers",), as_of=T(2026, 9, 5, 18))
    owner = sample / "~$tier_history.xlsx"
    owner.write_text("someone")
    missed = run_jobs(sample, ("tiers",), as_of=T(2026, 10, 5, 18))
    assert missed.tier_history == [] and len(_history_rows(sample)) == 496
    assert any("tier_history.xlsx" in n and "下次客户分级时会补上" in n for n in missed.notes)
    register = read_table(load_settings(sample).register_path, load_settings(sample).register)
    changed = [
        cid
        for cid, on in zip(register.values("customer_id"), register.values("tier_changed_on"))
        if on == D(2026, 10, 5)
    ]
    assert changed  # the register was written all the same
    owner.unlink()
    caught = run_jobs(sample, ("tiers",), as_of=T(2026, 10, 5, 18))
    assert sorted(e.customer_id for e in caught.tier_history) == sorted(changed)
    assert {(e.changed_on, e.recorded_how) for e in caught.tier_history} == {(D(2026, 10, 5), FROM_REGISTER)}


def test_columns_and_notes_staff_add_to_the_history_stay(sample):
    run_jobs(sample, ("tiers",), as_of=T(2026, 9, 5, 18))
    path = sample / "tier_history.xlsx"
    wb = openpyxl.load_workbook(path)
    ws = wb["等级变更记录"]
    ws["I1"] = "核对人"
    ws["I2"] = "王经理已核"
    wb.save(path)
    run_jobs(sample, ("tiers",), as_of=T(2026, 10, 5, 18))
    ws = openpyxl.load_workbook(path)["等级变更记录"]
    assert (ws["I1"].value, ws["I2"].value) == ("核对人", "王经理已核")
    assert ws.cell(ws.max_row, 1).value == T(2026, 10, 5) and ws.cell(ws.max_row, 9).value is None


def test_a_wrong_history_setting_is_named():
    with pytest.raises(SettingsError, match="tier_history.workbook.*xlsx"):
        read_tier_history({"tier_history": {"workbook": "history.txt"}}, "toolkit.toml")
    with pytest.raises(SettingsError, match="tier_history.colour"):
        read_tier_history({"tier_history": {"colour": "red"}}, "toolkit.toml")


def _set_register(folder: Path, customer: str, values: dict[str, object]) -> None:
    """What a clerk types into the register between two monthly runs."""
    settings = load_settings(folder)
    register = read_table(settings.register_path, settings.register)
    row = register.rows[register.values("customer_id").index(customer)]
    update_cells(
        settings.register_path,
        register.sheet,
        {register.cell_ref(name, 0).rstrip("0123456789") + str(row): v for name, v in values.items()},
    )


def _distribution(tiers: dict[str, str | None], first_contact: dict, cutoff: dt.datetime) -> Counter:
    return Counter(
        t
        for cid, t in tiers.items()
        if first_contact.get(cid) is None or dt.datetime.combine(first_contact[cid], dt.time()) < cutoff
    )


def test_the_history_tells_past_months_after_several_monthly_runs(sample, tmp_path):
    """Monthly runs on the 5th from September to December; C00002 is raised to A in November (its figures typed
    in before the run) and falls back to C in December. Each month's report, made afterwards, gives the tiers
    and changes the register showed during that month."""
    settings = load_settings(sample)
    seen: dict[dt.date, dict[str, str | None]] = {}
    for month in (9, 10, 11, 12):
        if month == 11:
            _set_register(
                sample, "C00002", {"revenue_12m": 1_000_000, "orders_12m": 30, "last_order_date": D(2026, 11, 1)}
            )
        if month == 12:
            _set_register(sample, "C00002", {"revenue_12m": 0, "orders_12m": 0})
        run_jobs(sample, as_of=T(2026, month, 5, 18))
        register = read_table(settings.register_path, settings.register)
        seen[D(2026, month, 5)] = dict(zip(register.values("customer_id"), register.values("tier")))
    first_contact = dict(zip(register.values("customer_id"), register.values("first_contact_date")))
    assert [seen[D(2026, m, 5)]["C00002"] for m in (9, 10, 11, 12)] == ["C", "C", "A", "C"]

    for month, tiers_then, before in (
        (9, seen[D(2026, 9, 5)], None),
        (10, seen[D(2026, 10, 5)], seen[D(2026, 9, 5)]),
        (11, seen[D(2026, 11, 5)], seen[D(2026, 10, 5)]),
    ):
        result = make_summary(sample, f"2026-{month:02d}", as_of=T(2027, 1, 10), out_dir=tmp_path)
        f = result.figures
        assert Counter(dict(f.tier_distribution)) == _distribution(tiers_then, first_contact, f.kpis.cutoff), month
        if before is not None:
            changed = {cid for cid, t in tiers_then.items() if before.get(cid) and before[cid] != t}
            assert {c.customer_id for c in f.tier_changes} == changed
            assert f.kpis.tier_changes == len(changed)
        assert f.tier_source == ("partial" if month == 9 else "history")
    november = make_summary(sample, "2026-11", as_of=T(2027, 1, 10), out_dir=tmp_path)
    [raised] = [c for c in november.figures.tier_changes if c.customer_id == "C00002"]
    assert (raised.previous_tier, raised.tier, raised.direction) == ("C", "A", "up")

    # the register alone (no history) gets October wrong: C00002's last change (A -> C in December) says A
    (sample / "tier_history.xlsx").rename(sample / "elsewhere.xlsx")
    october = make_summary(sample, "2026-10", as_of=T(2027, 1, 10), out_dir=tmp_path)
    assert october.figures.tier_source == "register"
    assert dict(october.figures.tier_distribution) != dict(
        _distribution(seen[D(2026, 10, 5)], first_contact, october.figures.kpis.cutoff)
    )
    assert any("还没有等级变更记录" in n for n in october.notes)
    from docx import Document

    assert "尚无等级变更记录" in "\n".join(p.text for p in Document(october.docx).paragraphs)


def test_the_history_read_back_skips_and_reports_a_line_without_a_date(sample):
    run_jobs(sample, ("tiers",), as_of=T(2026, 9, 5, 18))
    path = sample / "tier_history.xlsx"
    wb = openpyxl.load_workbook(path)
    wb["等级变更记录"]["A3"] = None
    wb.save(path)
    history = read_history(load_settings(sample))
    assert len(history.events) == 495
    [problem] = history.problems
    assert problem.row == 3 and problem.severity == "warning"


def test_a_damaged_history_stops_neither_the_tiers_job_nor_the_report(sample, tmp_path):
    run_jobs(sample, ("tiers",), as_of=T(2026, 9, 5, 18))
    damaged = b"PK\x03\x04 not a workbook any more"
    (sample / "tier_history.xlsx").write_bytes(damaged)
    result = run_jobs(sample, ("tiers",), as_of=T(2026, 10, 5, 18))
    assert result.tier_history == [] and (sample / "tier_history.xlsx").read_bytes() == damaged
    assert any("tier_history.xlsx" in n and "toolkit restore" in n for n in result.notes)
    report = make_summary(sample, "2026-10", as_of=T(2026, 11, 20), out_dir=tmp_path)
    assert report.figures.tier_source == "register"
    assert any("tier_history.xlsx" in n and "无法读取" in n for n in report.notes)
