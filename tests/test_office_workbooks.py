"""An office's own workbooks from the first day (issue 15): mapped where people can see it, added
columns that look like the sheet, quiet runs, one count and one exit code for every command.

The folder is tests/office_own.py: English and Chinese headers in the office's order, title rows,
sheets named "Customers" and "2026工单", columns the toolkit does not know.
"""

from __future__ import annotations

import csv
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest
from office_own import make_office

from toolkit.cli import main
from toolkit.documents.pdf import soffice_path
from toolkit.i18n import use_language

pytestmark = pytest.mark.usefixtures("speak_english")  # checks English wording (Chinese: test_chinese_first.py)

AS_OF = "2026-11-20 17:00"
NEXT_DAY = "2026-11-21 17:00"


@pytest.fixture
def office(tmp_path) -> Path:
    return make_office(tmp_path / "office")


def run(argv, capsys) -> tuple[int, str]:
    with use_language("en"):
        code = main(argv)
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return code, out + err


def sheet_xml(path: Path) -> str:
    with zipfile.ZipFile(path) as z:
        return z.read("xl/worksheets/sheet1.xml").decode()


def test_the_mapping_shows_every_headers_fate(office, capsys):
    code, out = run(["columns", str(office)], capsys)
    assert code == 0
    assert "sheet: Customers (the settings name '客户台账'" in out and "header row: 3" in out
    assert "sheet: 2026工单 (the settings name '投诉跟踪'" in out and "header row: 2" in out
    for header, field in [
        ("Cust No.", "客户编号 / Customer ID"),
        ("Account Manager", "客户经理 / Account Owner"),
        ("Contact", "联系人 / Contact Person"),
        ("Mobile", "电话 / Phone"),
        ("Notes", "备注 / Notes"),
        ("工单号", "投诉编号 / Complaint No."),
        ("客户号", "客户编号 / Customer ID"),
    ]:
        assert re.search(rf"{re.escape(header)}\s+{re.escape(field)}", out), header
    for unknown in ("Region", "VIP", "内部编码"):
        assert re.search(rf"{unknown}\s+not used", out), unknown
    assert "a job adds at the right of the sheet: 客户等级" in out


def test_an_office_alias_and_the_closest_field(office, capsys):
    shutil.copy(office / "customers.xlsx", office / "orig.xlsx")
    (office / "toolkit.toml").write_text('[register.aliases]\naccount_owner = ["Acct Mgr"]\n', encoding="utf-8")
    code, out = run(["columns", str(office)], capsys)
    assert code == 0 and "Account Manager" in out
    # a header the office spells its own way is shown with the field it most resembles
    from toolkit.jobs.columns import survey_workbook
    from toolkit.settings import load_settings

    settings = load_settings(office)
    report = survey_workbook(office / "customers.xlsx", settings.register)
    assert {h.text: h.field for h in report.headers}["Account Manager"] == "account_owner"


def test_adopting_writes_only_the_settings(office, capsys):
    (office / "customers.xlsx").rename(office / "客户资料2026.xlsx")
    before = {p.name: p.read_bytes() for p in office.iterdir()}
    code, out = run(["init", str(office), "--adopt", str(office)], capsys)
    assert code == 0 and "no workbook was changed" in out
    text = (office / "toolkit.toml").read_text(encoding="utf-8")
    assert 'register = "客户资料2026.xlsx"' in text and 'sheet = "Customers"' in text and 'sheet = "2026工单"' in text
    assert "#   F  Account Manager -> 客户经理 / Account Owner" in text
    assert {p.name: p.read_bytes() for p in office.iterdir() if p.name != "toolkit.toml"} == before
    code, out = run(["check", str(office), "--as-of", AS_OF], capsys)
    assert "settings name sheet" not in out  # the sheets are named now
    # adopting again is refused, nothing changed
    code, out = run(["init", str(office), "--adopt", str(office)], capsys)
    assert code == 2 and "already exists" in out


def test_no_lock_file_stays_in_the_office_folder(office, capsys):
    code, _ = run(["run", str(office), "--as-of", AS_OF], capsys)
    assert code in (0, 1)
    assert not any(p.name.endswith(".lock") for p in office.iterdir())


@pytest.mark.parametrize(
    ("argv", "said"),
    [
        (["run", "{missing}"], "does not exist"),
        (["check", "{missing}"], "does not exist"),
        (["run", "{file}"], "not a folder"),
        (["notices", "{empty}", "--dry-run"], "customers.xlsx"),
    ],
)
def test_plain_answers_to_plain_mistakes(tmp_path, office, capsys, argv, said):
    empty = tmp_path / "empty"
    empty.mkdir()
    paths = {"missing": tmp_path / "nowhere", "file": office / "customers.xlsx", "empty": empty}
    code, out = run([a.format(**paths) for a in argv], capsys)
    assert code == 2
    lines = [line for line in out.splitlines() if line.strip()]
    assert len(lines) == 1, out
    assert said in out and ".toolkit.lock" not in out


def test_every_command_gives_the_same_counts_and_exit_code(office, capsys):
    expected = "1 problem, 2 warnings."
    table = []
    for argv in (
        ["check", str(office), "--as-of", AS_OF],
        ["run", str(office), "--dry-run", "--as-of", AS_OF],
        ["sync", str(office), "--dry-run", "--as-of", AS_OF],
        ["flag", str(office), "--dry-run", "--as-of", AS_OF],
        ["tiers", str(office), "--dry-run", "--as-of", AS_OF],
        ["notices", str(office), "--dry-run", "--as-of", AS_OF],
        ["summary", str(office), "--month", "2026-11", "--as-of", AS_OF],
    ):
        code, out = run(argv, capsys)
        counts = [line for line in out.splitlines() if re.fullmatch(r"\d+ problems?, \d+ warnings?\.", line)]
        table.append((argv[0], code, counts))
    assert table == [(name, 1, [expected]) for name, *_ in table]
    # the problem fixed: only warnings left, every command exits 0
    from openpyxl import load_workbook

    wb = load_workbook(office / "complaints.xlsx")
    ws = wb.active
    ws["K8"] = "待处理"
    wb.save(office / "complaints.xlsx")
    for argv in (["check", str(office), "--as-of", AS_OF], ["run", str(office), "--dry-run", "--as-of", AS_OF]):
        code, out = run(argv, capsys)
        assert code == 0 and "0 problems, 2 warnings." in out, argv


def test_dry_run_lists_the_columns_it_would_add(office, capsys):
    code, out = run(["run", str(office), "--dry-run", "--as-of", AS_OF], capsys)
    assert "would add" in out and "时效状态" in out and "客户等级" in out


def test_two_runs_a_day_apart_change_only_cells_whose_decision_changed(office, capsys):
    run(["run", str(office), "--as-of", AS_OF], capsys)
    logs = sorted((office / "logs").glob("changes-*.csv"))
    first = sum(1 for _ in csv.reader(logs[0].open(encoding="utf-8-sig")))
    run(["run", str(office), "--as-of", NEXT_DAY], capsys)
    with logs[0].open(encoding="utf-8-sig") as fh:
        rows = list(csv.DictReader(fh))[first - 1 :]
    columns = {list(r.values())[7] for r in rows}  # the log's 8th field: the column (its header is in the language)
    assert rows, "a day later the overdue hours move"
    assert "等级依据" not in columns and "Tier Reason" not in columns  # the tiers did not change
    assert columns <= {"逾期工时", "回访逾期天数", *[c for c in columns if c and "逾期工时" in c], "回访提醒"}, columns


@pytest.mark.slow
def test_added_columns_look_like_the_sheet_in_libreoffice(office, capsys, tmp_path):
    soffice = soffice_path()
    if soffice is None:
        pytest.skip("LibreOffice is not installed")
    code, _ = run(["run", str(office), "--as-of", AS_OF], capsys)
    xml = sheet_xml(office / "complaints.xlsx")
    # the added headers carry the neighbour's style (the sheet's last own header, O2 备注)
    styles = dict(re.findall(r'<c r="([A-Z]+2)" s="(\d+)"', xml))
    assert styles["P2"] == styles["O2"] and styles["AT2"] == styles["O2"]
    assert xml.count("<conditionalFormatting") >= 7 and 'text="逾期"' in xml and 'text="按时完成"' in xml
    # LibreOffice prints every added column whole: no ###
    out = tmp_path / "pdf"
    subprocess.run(
        [soffice, "--headless", "--convert-to", "pdf", "--outdir", str(out), str(office / "complaints.xlsx")],
        check=True,
        capture_output=True,
        timeout=180,
    )
    text = subprocess.run(
        ["pdftotext", "-layout", str(out / "complaints.pdf"), "-"], check=True, capture_output=True, text=True
    ).stdout
    assert "时效状态" in text and "2026-11-16 18:00" in text
    assert "###" not in text
    # the conditional formats survive a LibreOffice round trip
    again = tmp_path / "again"
    subprocess.run(
        [soffice, "--headless", "--convert-to", "xlsx", "--outdir", str(again), str(office / "complaints.xlsx")],
        check=True,
        capture_output=True,
        timeout=180,
    )
    kept = sheet_xml(again / "complaints.xlsx")
    assert kept.count("<conditionalFormatting") >= 7 and "逾期" in kept


# ---------------------------------------------------------------------- tables and merges (issue 13, item 4)


def table_xml(path: Path) -> str:
    with zipfile.ZipFile(path) as z:
        [name] = [n for n in z.namelist() if n.startswith("xl/tables/")]
        return z.read(name).decode()


@pytest.mark.parametrize("totals", [False, True])
def test_columns_added_to_an_excel_table_extend_it_and_its_totals_row_is_no_record(office, capsys, totals):
    from office_own import make_tracker_table

    make_tracker_table(office / "complaints.xlsx", totals=totals)
    (office / "toolkit.toml").write_text('[tracker]\nsheet = "投诉跟踪"\n', encoding="utf-8")
    code, out = run(["run", str(office), "--as-of", AS_OF], capsys)
    assert "合计" not in out  # the totals row is not a complaint (no unknown-ID, no bad-date problem)
    xml = table_xml(office / "complaints.xlsx")
    last_row = 7 + (1 if totals else 0)
    assert f'ref="A1:AT{last_row}"' in xml  # 15 columns of the office + 31 of the toolkit
    assert xml.count("<tableColumn ") == 46 and 'name="时效状态"' in xml and 'name="客户校验"' in xml
    assert '<autoFilter ref="A1:AT' in xml
    sheet = sheet_xml(office / "complaints.xlsx")
    if totals:  # nothing written on the totals row
        assert not re.search(rf'<c r="(?:[P-Z]|A[A-T]){last_row}"', sheet)
    # reading it again: six complaints, whatever the totals row holds
    from toolkit.model.records import read_table
    from toolkit.settings import load_settings

    s = load_settings(office)
    assert len(read_table(office / "complaints.xlsx", s.tracker)) == 6


def test_merged_cells_over_toolkit_cells_are_reported_not_written_under(office, capsys):
    from office_own import make_tracker_table

    (office / "toolkit.toml").write_text('[tracker]\nsheet = "投诉跟踪"\n', encoding="utf-8")
    make_tracker_table(office / "complaints.xlsx", totals=False)
    run(["run", str(office), "--as-of", AS_OF], capsys)  # the toolkit's columns are there now: P.. AT
    path = office / "complaints.xlsx"
    from openpyxl import load_workbook

    wb = load_workbook(path)
    ws = wb["投诉跟踪"]
    ws["P4"] = None  # the state of row 4 cleared: the toolkit will want to write it again...
    ws["W4"] = None
    ws.merge_cells("V4:W4")  # ...but W4 is now under a merge staff made
    wb.save(path)
    code, out = run(["run", str(office), "--as-of", NEXT_DAY], capsys)
    assert code == 1
    assert "W4" in out and "V4:W4" in out and "merged" in out
    xml = sheet_xml(path)
    assert not re.search(r'<c r="W4"[^>]*>(?:<v>|<is>)', xml)


@pytest.mark.slow
def test_a_grown_table_opens_in_libreoffice(office, capsys, tmp_path):
    from office_own import make_tracker_table

    soffice = soffice_path()
    if soffice is None:
        pytest.skip("LibreOffice is not installed")
    make_tracker_table(office / "complaints.xlsx", totals=True)
    (office / "toolkit.toml").write_text('[tracker]\nsheet = "投诉跟踪"\n', encoding="utf-8")
    run(["run", str(office), "--as-of", AS_OF], capsys)
    again = tmp_path / "again"
    subprocess.run(
        [soffice, "--headless", "--convert-to", "xlsx", "--outdir", str(again), str(office / "complaints.xlsx")],
        check=True,
        capture_output=True,
        timeout=180,
    )
    kept = table_xml(again / "complaints.xlsx")
    assert 'ref="A1:AT8"' in kept and 'name="客户校验"' in kept  # LibreOffice read the grown table as one


def test_a_header_merged_over_two_columns_does_not_hide_a_new_header(office, capsys):
    from openpyxl import load_workbook

    path = office / "complaints.xlsx"
    wb = load_workbook(path)
    ws = wb["2026工单"]
    ws.merge_cells("O2:P2")  # the office's 备注 header spans O and P
    wb.save(path)
    code, out = run(["run", str(office), "--as-of", AS_OF], capsys)
    assert "merged cells" not in out
    xml = sheet_xml(path)
    assert re.search(r'<c r="Q2"[^>]*t="(?:s|inlineStr|str)"', xml)  # 时效状态 starts right of the merge
    assert not re.search(r'<c r="P2"[^>]*>(?:<v>|<is>)', xml)
    from toolkit.model.records import read_table
    from toolkit.settings import load_settings

    t = read_table(path, load_settings(office).tracker)
    assert t.headers["sla_state"] == "时效状态" and t.columns["sla_state"] == 17


@pytest.mark.parametrize(
    ("toml", "said"),
    [
        ('[register.aliases]\naccount_owner = ["Contact"]\n', "'Contact' is accepted for both"),
        ('[register.aliases]\nno_such_column = ["X"]\n', "register.aliases.no_such_column"),
        ('[layout.colours]\n"逾期" = { fill = "red", font = "9C0006" }\n', "layout.colours.逾期"),
    ],
)
def test_office_aliases_and_colours_are_checked_settings(office, capsys, toml, said):
    (office / "toolkit.toml").write_text(toml, encoding="utf-8")
    code, out = run(["columns", str(office)], capsys)
    assert code == 2 and said in out and len(out.strip().splitlines()) == 1


def test_the_highlight_colours_are_the_offices(office, capsys):
    (office / "toolkit.toml").write_text(
        '[layout]\nhighlight = ["逾期"]\n[layout.colours]\n"逾期" = { fill = "FF0000", font = "FFFFFF" }\n',
        encoding="utf-8",
    )
    run(["run", str(office), "--as-of", AS_OF], capsys)
    xml = sheet_xml(office / "complaints.xlsx")
    assert 'text="逾期"' in xml and 'text="按时完成"' not in xml
    with zipfile.ZipFile(office / "complaints.xlsx") as z:
        styles = z.read("xl/styles.xml").decode()
    assert (
        '<dxf><font><color rgb="FFFFFFFF"/></font><fill><patternFill patternType="solid"><bgColor rgb="FFFF0000"/>'
        in styles
    )


def test_every_job_ignores_times_typed_after_as_of(office):
    """TS-26-002 was received 2026-10-15 14:20 and answered 2026-10-16 09:00: as of the evening of the 15th
    the answer had not been given, whatever the tracker says today."""
    import datetime as dt

    from toolkit.jobs.run import run_jobs

    before = run_jobs(office, ("flag",), as_of=dt.datetime(2026, 10, 15, 18, 0), dry_run=True)
    after = run_jobs(office, ("flag",), as_of=dt.datetime(2026, 10, 16, 18, 0), dry_run=True)

    def state(result, column):
        return {c.key: c.new for c in result.changes if c.column == column}["TS-26-002"]

    assert state(before, "respond_state") in ("进行中", "即将到期")  # not answered yet at that moment
    assert state(after, "respond_state") == "按时完成"
