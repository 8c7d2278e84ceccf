"""Every value in range or reported: what a clerk types that the rules cannot count with is a problem on
its cell - file, sheet, row, column, value - listed by `check` and by every job; the row's other columns
are still used, and no input ends in a traceback.

- Dates the office calendar does not reach (toolkit/calendar/reach.py: 1900-03-01 to 2100-12-31), such as
  9999-12-31 23:00 typed as a "never" placeholder, in every date column of both workbooks, typed as a
  date, as text and as Excel's day number; the same on the command line (--as-of, --month, toolkit due).
- Satisfaction scores: one definition (whole numbers 1-5, the column's range in the settings) for the
  register's average (sync), the monthly report and `check`: -3, 6, TRUE and 3.5 are problems on their
  cells and are counted nowhere.
- A value longer than a cell can hold (32,767 characters) is a problem on its cell, and the other rows
  are still done.
"""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import openpyxl
import pytest

from toolkit.calendar.reach import LAST_COMPUTED_DAY, LAST_DAY
from toolkit.cli import main
from toolkit.demo.sample_data import generate
from toolkit.demo.workbooks import write_sample
from toolkit.jobs.init import init_folder
from toolkit.jobs.summary import make_summary
from toolkit.model.records import read_table
from toolkit.settings import load_settings, shipped_settings

AS_OF = ["--as-of", "2026-11-20 17:00"]
FAR = dt.datetime(9999, 12, 31, 23, 0)
# three ways a clerk's "never" reaches a cell: a date, text, Excel's day number of 9999-12-31 23:00
FAR_FORMS = (FAR, "9999-12-31 23:00", 2958465.9583333335)

SETTINGS = shipped_settings()
DATE_COLUMNS = [
    (schema.role, column.name, column.header)
    for schema in (SETTINGS.register, SETTINGS.tracker)
    for column in schema.columns
    if column.type in ("date", "datetime")
]
# the last day the reason names: the calendar's reach for what staff type, the reach of the toolkit's own dates
_LAST = {
    column.header: (LAST_COMPUTED_DAY if column.owner == "toolkit" else LAST_DAY).isoformat()
    for schema in (SETTINGS.register, SETTINGS.tracker)
    for column in schema.columns
}
JOBS = [
    ["check"],
    ["run", *AS_OF],
    ["sync", *AS_OF],
    ["flag", *AS_OF],
    ["tiers", *AS_OF],
    ["run", "--dry-run", *AS_OF],
    ["notices", "--dry-run", *AS_OF],
    ["notices", *AS_OF],
    ["summary", "--month", "2026-10", *AS_OF],
]


@pytest.fixture(scope="module")
def sample_office(tmp_path_factory) -> Path:
    """A small office kept as the toolkit lays it out (every column), with clean hand-typed data."""
    folder = tmp_path_factory.mktemp("office")
    init_folder(folder)
    write_sample(folder, generate(24, 80, seed=13, messy=False), force=True)
    return folder


def _headers(ws) -> dict[str, int]:
    return {c.value: c.column for c in ws[1] if c.value}


def _edit(path: Path, cells: dict[tuple[int, str], object]) -> None:
    """Type values into cells (row, header) as a clerk would in Excel (openpyxl stands in for the clerk)."""
    wb = openpyxl.load_workbook(path)
    ws = wb.worksheets[0]
    where = _headers(ws)
    for (row, header), value in cells.items():
        ws.cell(row=row, column=where[header]).value = value
    wb.save(path)


def _far_office(sample_office: Path, tmp_path: Path) -> tuple[Path, dict[str, list[tuple[str, int, str]]]]:
    """The sample office with 9999-12-31 23:00 in every date column, each on its own row, in turn as a
    date, text and a day number; returns the folder and, per workbook, the (header, row, form) typed."""
    folder = tmp_path / "office"
    shutil.copytree(sample_office, folder)
    settings = load_settings(folder)
    typed: dict[str, list[tuple[str, int, str]]] = {"register": [], "tracker": []}
    for role, path in (("register", settings.register_path), ("tracker", settings.tracker_path)):
        cells = {}
        columns = [(name, header) for r, name, header in DATE_COLUMNS if r == role]
        for k, (_name, header) in enumerate(columns):
            row = 2 + k
            form = FAR_FORMS[k % len(FAR_FORMS)]
            cells[(row, header)] = form
            typed[role].append((header, row, type(form).__name__))
        _edit(path, cells)
    return folder, typed


def test_every_date_column_has_far_dates_reported_by_the_reader(sample_office, tmp_path):
    folder, typed = _far_office(sample_office, tmp_path)
    settings = load_settings(folder)
    for role, schema, path in (
        ("register", settings.register, settings.register_path),
        ("tracker", settings.tracker, settings.tracker_path),
    ):
        table = read_table(path, schema)
        found = {(p.column, p.row) for p in table.problems if _LAST[p.column] in p.reason}
        assert found == {(header, row) for header, row, _form in typed[role]}, role
        for header, row, _form in typed[role]:
            name = next(c.name for c in schema.columns if c.header == header)
            assert table.values(name)[table.rows.index(row)] is None  # not counted with


@pytest.mark.parametrize("job", JOBS, ids=lambda a: " ".join(a[:2]))
def test_every_job_lists_far_dates_on_their_cells_and_finishes(sample_office, tmp_path, capsys, job):
    folder, typed = _far_office(sample_office, tmp_path)
    code = main([job[0], str(folder), *job[1:]])
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err and "Error" not in err, err
    assert code in (0, 1), (code, err)
    shown = out + err
    for role, book in (("register", "customers.xlsx"), ("tracker", "complaints.xlsx")):
        for header, row, _form in typed[role]:
            line = next((ln for ln in shown.splitlines() if f" {row} " in ln and header in ln and book in ln), None)
            assert line is not None, (book, header, row, shown[-3000:])
            assert "9999-12-31" in line and _LAST[header] in line


def test_the_rows_other_columns_still_work(sample_office, tmp_path, capsys):
    """A far 受理时间 gives the complaint no deadlines, but sync still fills its customer's name; a far
    最近回访日期 gives no next visit from it, but the customer's figures are still written."""
    folder, _typed = _far_office(sample_office, tmp_path)
    settings = load_settings(folder)
    assert main(["run", str(folder), *AS_OF]) == 1
    capsys.readouterr()
    tracker = read_table(settings.tracker_path, settings.tracker)
    i = tracker.rows.index(2)  # 受理时间 9999-12-31 23:00
    assert tracker.values("received_at")[i] is None
    register = read_table(settings.register_path, settings.register)
    name_of = dict(zip(register.values("customer_id"), register.values("name")))
    assert tracker.values("customer_name")[i] == name_of[tracker.values("customer_id")[i]] is not None
    j = register.rows.index(4)  # 最近回访日期 9999-12-31 (as a day number)
    assert register.values("open_complaints")[j] is not None
    assert register.values("complaints_12m")[j] is not None


@pytest.mark.parametrize(
    "argv,words",
    [
        (["run", "--as-of", "9999-12-31"], ["--as-of", "2100-12-31"]),
        (["notices", "--dry-run", "--as-of", "9999-12-31 23:00"], ["--as-of", "2100-12-31"]),
        (["summary", "--month", "9999-12", *AS_OF], ["9999-12", "2100-12-31"]),
        (["due", "2026-11-20 10:00", "99999999 working days"], ["99,999,999", "100"]),
        (["due", "2026-11-20 10:00", "9000000 hours"], ["9,000,000", "100"]),
        (["due", "2026-11-20 10:00", "99999999个工作小时"], ["100"]),
        (["due", "9999-12-31 23:00", "2 working days"], ["9999-12-31", "2100-12-31"]),
    ],
    ids=lambda v: " ".join(v) if isinstance(v, list) and v and v[0] in ("run", "notices", "summary", "due") else "",
)
def test_far_dates_and_durations_on_the_command_line_end_in_one_line(sample_office, tmp_path, capsys, argv, words):
    folder = tmp_path / "office"
    shutil.copytree(sample_office, folder)
    if argv[0] == "due":
        argv = [*argv, "--folder", str(folder)]
    else:
        argv = [argv[0], str(folder), *argv[1:]]
    assert main(argv) == 2
    out, err = capsys.readouterr()
    lines = err.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in out + err, err
    assert all(w in lines[0] for w in words), lines


def test_the_last_days_of_the_reach_are_counted_and_their_deadlines_are_kept(tmp_path, capsys):
    """Complaints received on 1900-03-01 and on 2100-12-31 (the ends of the reach) get deadlines, in 2101 for
    the latter, which the next run reads back without a word; the report counts them."""
    from hostile import build

    rows = [list(r) for r in build.TRACKER_ROWS]
    rows[0][1] = dt.datetime(1900, 3, 1, 9, 0)
    rows[1][1] = dt.datetime(2100, 12, 31, 17, 0)
    rows[2][1] = dt.datetime(2100, 12, 31, 23, 59)
    folder = build.office(tmp_path / "office", tracker_sheets=[build.tracker(rows)])
    for _ in range(2):
        assert main(["run", str(folder), "--as-of", "2100-12-31 23:59"]) == 0
        out, err = capsys.readouterr()
        assert "Traceback" not in out + err and "2350-12-31" not in out
    settings = load_settings(folder)
    tracker = read_table(settings.tracker_path, settings.tracker)
    assert not tracker.problems
    assert tracker.values("resolve_due")[2].year == 2101
    assert main(["summary", str(folder), "--month", "2100-12", "--as-of", "2100-12-31 23:59"]) == 0
    assert "Traceback" not in "".join(capsys.readouterr())


# ------------------------------------------------------------------------------- satisfaction scores

NOT_SCORES = [-3, 6, True, 3.5, "6"]  # typed as numbers, a yes/no value, a half point, text


def _score_office(folder: Path) -> Path:
    """The hostile suite's small office; customer C0001's complaints carry the scores -3, 6, TRUE, 3.5,
    "6" (text) and 5, 4 - only 5 and 4 are scores."""
    from hostile import build

    rows = []
    for k, score in enumerate([*NOT_SCORES, 5, 4]):
        row = list(build.TRACKER_ROWS[0])
        row[0] = f"TS2026-{k + 1:06d}"
        row[1] = dt.datetime(2026, 11, 2 + k, 10, 0)
        row[7] = "已关闭"
        row[-1] = score
        rows.append([*row, dt.datetime(2026, 11, 20, 16, 0)])  # 闭环时间: the scores count in November
    headers = [*build.TRACKER_HEADERS, "闭环时间"]
    return build.office(folder, tracker_sheets=[build.tracker(rows, headers)])


def test_one_definition_of_a_score_for_check_sync_and_the_report(tmp_path, capsys):
    folder = _score_office(tmp_path / "office")
    settings = load_settings(folder)
    assert settings.tracker.column("satisfaction").range == (1, 5)

    assert main(["check", str(folder)]) == 1
    out = capsys.readouterr().out
    for k, score in enumerate(NOT_SCORES):
        row = 2 + k
        line = next((ln for ln in out.splitlines() if "complaints.xlsx" in ln and f" {row} " in ln), None)
        assert line is not None and "满意度" in line, (score, out)
    assert sum("满意度" in ln for ln in out.splitlines() if "complaints.xlsx" in ln) == len(NOT_SCORES)

    code = main(["run", str(folder), "--as-of", "2026-11-30 17:00"])
    out = capsys.readouterr().out
    assert code == 1 and all(f" {2 + k} " in out for k in range(len(NOT_SCORES)))
    register = read_table(settings.register_path, settings.register)
    i = register.values("customer_id").index("C0001")
    assert str(register.values("satisfaction_12m")[i]) == "4.5"  # (5 + 4) / 2: nothing else counted

    result = make_summary(folder, "2026-11", as_of=dt.datetime(2026, 12, 1, 9, 0))
    assert result.figures.kpis.satisfaction_mean == pytest.approx(4.5)  # the report counts the same scores
    assert result.figures.kpis.satisfied.whole == 2
    assert {p.row for p in result.problems if p.column == "满意度"} == {2 + k for k in range(len(NOT_SCORES))}


# ------------------------------------------------------------------------------- overlong text


def test_a_name_longer_than_a_cell_holds_is_a_problem_on_its_cell_and_the_other_rows_are_done(tmp_path, capsys):
    """A 40,000-character customer name (Excel holds 32,767 in a cell; the readers cut the rest without a
    word): reported on its cell by check and by the job, never copied into the tracker, the other rows synced."""
    from hostile import build

    folder = build.office(tmp_path / "office")
    long_name = "长" * 40_000

    def edit(name, data):  # a generator that does not keep Excel's limit wrote it into the shared strings
        return (
            data.replace("天津宏力农业发展有限公司".encode(), long_name.encode())
            if name.endswith("sharedStrings.xml")
            else data
        )

    assert main(["sync", str(folder), *AS_OF]) == 0  # the tracker holds the customers' names
    capsys.readouterr()
    build.rewrite_zip(folder / "customers.xlsx", edit)
    for argv in (["check", str(folder)], ["run", str(folder), *AS_OF]):
        assert main(argv) == 1
        out, err = capsys.readouterr()
        assert "Traceback" not in out + err and not err.strip(), err
        line = next(ln for ln in out.splitlines() if "customers.xlsx" in ln and " 3 " in ln)
        assert "客户名称" in line and "40,000" in line and "32,767" in line
    settings = load_settings(folder)
    tracker = read_table(settings.tracker_path, settings.tracker)
    names = dict(zip(tracker.values("customer_id"), tracker.values("customer_name")))
    assert names["C0002"] == "天津宏力农业发展有限公司"  # not copied (cut short, or as blank) over the tracker's copy
    assert names["C0001"] == "上海中丰饮料有限公司" and names["C0004"] == "杭州云帆科技有限公司"
