"""`toolkit demo` (what `scripts/demo` runs): the shipped samples copied, every job run, the documents made.

Checks what an office would look at afterwards, with independent readers (calamine, python-docx,
pdftotext), not the toolkit's own summary lines.
"""

from __future__ import annotations

import csv
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest
from docx import Document
from python_calamine import CalamineWorkbook

from toolkit.cli import main

pytestmark = pytest.mark.usefixtures("speak_english")  # checks English wording (Chinese: test_chinese_first.py)

REPO = Path(__file__).resolve().parents[1]
SAMPLES = REPO / "workbooks"


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> tuple[Path, str]:
    folder = tmp_path_factory.mktemp("demo") / "demo-run"
    import contextlib
    import io

    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = main(["demo", str(folder), "--from", str(SAMPLES), "--lang", "en"])  # the English wording below
    assert code == 0, out.getvalue()
    return folder, out.getvalue()


def sheet_rows(path: Path) -> list[list]:
    wb = CalamineWorkbook.from_path(str(path))
    return wb.get_sheet_by_name(wb.sheet_names[0]).to_python()


def test_demo_fills_the_toolkit_columns_and_leaves_the_shipped_samples_alone(demo):
    folder, printed = demo
    before = sheet_rows(SAMPLES / "complaints.xlsx")
    after = sheet_rows(folder / "complaints.xlsx")
    assert len(after) == len(before) and len(after[0]) > len(before[0])  # new toolkit columns at the end
    header = [str(h) for h in after[0]]
    level = header.index(next(h for h in header if "升级" in h))
    levels = {row[level] for row in after[1:]}
    assert {"L0", "L1"} <= levels
    assert [row[: len(before[0])][0] for row in after] == [row[0] for row in before]  # ID column untouched
    changed = int(re.search(r"changed ([\d,]+) cells", printed).group(1).replace(",", ""))
    [log] = (folder / "logs").glob("changes-*.csv")
    with log.open(encoding="utf-8-sig", newline="") as f:
        logged = [row for row in csv.reader(f)][1:]
    run_lines = [row for row in logged if row[2] in ("sync", "flag", "tiers")]  # notices add their stamps
    assert changed > 10_000 and len(run_lines) == changed


def test_demo_makes_the_notices_due(demo):
    folder, printed = demo
    docs = sorted((folder / "notices").glob("*.docx"))
    assert 50 < len(docs) < 200  # the letters still of use, not one per old row
    kinds = {p.name.split("_")[0] for p in docs}
    # named by the notices' (Chinese) titles; an overdue notice by its own title (督办通知 or 催办通知)
    assert {"受理回执", "满意度回访", "回访提醒"} <= kinds and kinds & {"督办通知", "催办通知"}
    text = "\n".join(p.text for p in Document(str(next(p for p in docs if p.name.startswith("受理回执_")))).paragraphs)
    assert "TS20" in text and "{{" not in text
    assert f"made {len(docs):,} notices" in printed


def test_demo_makes_last_months_report_and_its_kpi_row(demo):
    folder, printed = demo
    report = folder / "reports" / "月度服务报告_2026-10.docx"
    assert report.is_file() and "  monthly report for 2026-10" in printed
    with zipfile.ZipFile(report) as z:
        assert len([n for n in z.namelist() if n.startswith("word/media/")]) == 3  # the three charts
    rows = sheet_rows(folder / "monthly_summary.xlsx")
    assert len(rows) == 2 and str(rows[1][0]).startswith("2026-10")
    pdf = report.with_suffix(".pdf")
    if shutil.which("soffice") and shutil.which("pdftotext"):
        text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
        assert "月度服务报告" in text and "2026" in text


def test_demo_builds_the_control_panel(demo):
    folder, _ = demo
    panel = folder / "control_panel.xlsm"
    with zipfile.ZipFile(panel) as z:
        assert "xl/vbaProject.bin" in z.namelist()
        assert z.read("[Content_Types].xml").count(b"macroEnabled") >= 1


def test_running_the_jobs_again_changes_nothing(demo, capsys):
    folder, _ = demo
    capsys.readouterr()
    assert main(["run", str(folder), "--as-of", "2026-11-20 17:00", "--dry-run"]) in (0, 1)
    assert "nothing would change" in capsys.readouterr().out
