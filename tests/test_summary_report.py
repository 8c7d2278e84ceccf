"""The monthly report end to end on a copy of the shipped sample workbooks: the Word report, its PDF,
its charts, and monthly_summary.xlsx (one row per month, everything a person added kept).

The sample's tiers are graded first with `toolkit run` as of 5 September and 5 October 2026, so
October has tier changes; the report for October is made as of 20 November 2026.
"""

from __future__ import annotations

import datetime as dt
import io
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest
from conftest import SOFFICE, read_values, soffice_convert
from docx import Document
from summary_sample import english_report, graded_sample

from toolkit.cli import main as toolkit_main
from toolkit.documents import charts
from toolkit.errors import ToolkitError
from toolkit.jobs.summary import make_summary

pytestmark = pytest.mark.usefixtures("speak_english")  # checks English wording (Chinese: test_chinese_first.py)

REPO = Path(__file__).resolve().parents[1]
AS_OF = dt.datetime(2026, 11, 20, 18, 0)
needs_soffice = pytest.mark.skipif(SOFFICE is None, reason="headless LibreOffice (soffice) is not installed")


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    return graded_sample(tmp_path_factory.mktemp("summary-sample"))


@pytest.fixture(scope="module")
def report(folder):
    return make_summary(folder, "2026-10", as_of=AS_OF, pdf=SOFFICE is not None)


# ------------------------------------------------------------------------------------------ the Word report


def test_report_holds_the_kpis_and_three_pictures(report):
    k = report.figures.kpis
    assert report.month == "2026-10" and report.docx.name == "月度服务报告_2026-10.docx"
    assert report.docx.parent == report.xlsx.parent / "reports"
    doc = Document(report.docx)
    text = "\n".join(p.text for p in doc.paragraphs)
    cells = [c.text for t in doc.tables for r in t.rows for c in r.cells]
    assert f"本月受理 {k.received} 件，闭环 {k.closed} 件，解决率 {k.resolution.value * 100:.1f}%（目标 95%）" in text
    assert "2026年10月" in text and "统计截至 2026年11月1日 00:00" in text
    for label in (
        "月内解决率",
        "满意率（≥4分）",
        "响应工时（中位数）",
        "解决工时（平均）",
        "重复投诉数",
        "低分复盘数（<4分）",
    ):
        assert label in cells
    assert f"{k.satisfied.value * 100:.1f}%" in cells and "≥ 85%" in cells and "≥ 95%" in cells
    for step in ("登记", "响应", "解决", "当日告知", "回访", "满意度调查"):
        assert step in cells
    assert report.figures.tier_changes, "the sample should have tier changes in October"
    assert report.figures.tier_changes[0].customer_id in cells
    assert report.figures.overdue[0].complaint_id in cells
    assert "[[picture:" not in text and "{{" not in text and "{%" not in text
    # three pictures, the chart PNGs themselves
    assert len(doc.inline_shapes) == 3
    with zipfile.ZipFile(report.docx) as zf:
        media = {n: zf.read(n) for n in zf.namelist() if n.startswith("word/media/")}
    assert sorted(media.values()) == sorted(report.charts.values())
    assert set(report.charts) == {"weekly", "category", "on_time"}


def test_report_in_english(folder, tmp_path):
    result = english_report(folder, "2026-09", tmp_path)
    assert result.docx.name == "monthly_report_2026-09.docx"
    doc = Document(result.docx)
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "Monthly Service Report" in text and "September 2026" in text
    assert f"{result.figures.kpis.received} complaints were received" in text
    assert len(doc.inline_shapes) == 3


@needs_soffice
def test_pdf_has_the_figures_chinese_text_and_an_embedded_cjk_font(report):
    assert report.pdf is not None and report.pdf.exists()
    text = subprocess.run(
        ["pdftotext", "-layout", str(report.pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    k = report.figures.kpis
    assert "月度服务报告" in text and "各环节按时率" in text and "月末逾期清单" in text
    assert f"本月受理{k.received}件" in "".join(text.split())
    assert f"{k.resolution.value * 100:.1f}%" in text
    fonts = subprocess.run(["pdffonts", str(report.pdf)], capture_output=True, text=True, check=True).stdout
    cjk = [line for line in fonts.splitlines() if "CJK" in line]
    assert cjk and all(line.split()[-5] == "yes" for line in cjk), fonts  # the "emb" column


# ------------------------------------------------------------------------------------------ the charts


def _pixels(png: bytes):
    from PIL import Image

    return Image.open(io.BytesIO(png)).convert("RGB")


def test_charts_are_real_pictures(report):
    for name, png in report.charts.items():
        img = _pixels(png)
        assert img.width > 600 and img.height > 200, name
        colours = img.getcolors(maxcolors=1_000_000)
        coloured = sum(n for n, (r, g, b) in colours if max(r, g, b) - min(r, g, b) > 60)
        assert coloured > 5000, f"{name}: only {coloured} coloured pixels"
        assert len(colours) > 50, f"{name}: looks blank"


def _render(text: str, family: str):
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(1.2, 0.6), dpi=100)
    canvas = FigureCanvasAgg(fig)
    fig.text(0.1, 0.3, text, fontsize=24, family=family)
    canvas.draw()
    return bytes(canvas.buffer_rgba())


@pytest.mark.filterwarnings("ignore:Glyph .* missing from font")
def test_chart_font_draws_chinese_glyphs_not_boxes(report):
    font = charts.cjk_font()
    assert font is not None, "no CJK font found: install fonts-noto-cjk"
    assert "CJK" in font.family and Path(font.path).exists()
    labels = "每周受理量按投诉类别各环节按时率登记响应解决当日告知回访满意度调查客户内部系统性特殊未填写目标件"
    assert charts.missing_glyphs(labels) == set()
    # Without glyphs every character is the same empty box: two different characters would look alike.
    assert _render("投", font.family) != _render("诉", font.family)
    assert _render("投", "DejaVu Sans") == _render("诉", "DejaVu Sans")  # the tofu this test guards against
    assert charts.missing_glyphs("投诉", charts.Font("DejaVu Sans", _dejavu())) == {"投", "诉"}


def _dejavu() -> str:
    from matplotlib import font_manager as fm

    return fm.findfont(fm.FontProperties(family="DejaVu Sans"))


def test_charts_are_the_same_bytes_for_the_same_data(report, folder, tmp_path):
    again = make_summary(folder, "2026-10", as_of=AS_OF, out_dir=tmp_path)
    assert again.charts == report.charts


# ------------------------------------------------------------------------------------------ monthly_summary.xlsx


def _month_rows(path: Path) -> list[str]:
    cells = read_values(path)["月度汇总"]
    col = next(c for (r, c), v in cells.items() if r == 1 and v == "月份")
    return [v for (r, c), v in sorted(cells.items()) if c == col and r > 1]


def test_monthly_rows_are_replaced_or_added_in_month_order_and_staff_additions_survive(report, folder, tmp_path):
    path = report.xlsx
    assert path.name == "monthly_summary.xlsx" and "2026-10" in _month_rows(path)
    october = 2 + _month_rows(path).index("2026-10")
    # a person adds a note beside October's figures, a sheet of their own and a chart over the rows
    import openpyxl
    from openpyxl.chart import LineChart, Reference

    wb = openpyxl.load_workbook(path)
    ws = wb["月度汇总"]
    ws[f"AD{october}"] = "十月国庆假期，受理量偏低"
    mine = wb.create_sheet("我的分析")
    mine["A1"] = "负责人"
    mine["B1"] = "王经理"
    chart = LineChart()
    chart.add_data(Reference(ws, min_col=5, min_row=1, max_row=3), titles_from_data=True)
    mine.add_chart(chart, "D2")
    wb.save(path)

    again = make_summary(folder, "2026-10", as_of=AS_OF, out_dir=tmp_path)
    assert again.xlsx_replaced and again.xlsx_row == october
    assert _month_rows(path).count("2026-10") == 1
    # months made out of order go in their place: the later rows move down, October's note with them
    for month in ("2026-08", "2026-06", "2026-07"):
        added = make_summary(folder, month, as_of=AS_OF, out_dir=tmp_path)
        assert not added.xlsx_replaced and not [n for n in added.notes if "month order" in n]
    months = _month_rows(path)
    assert months == sorted(months) and len(set(months)) == len(months)
    assert {"2026-06", "2026-07", "2026-08", "2026-10"} <= set(months)
    values = read_values(path)
    cells = values["月度汇总"]
    header = {v: c for (r, c), v in cells.items() if r == 1}
    row = next(r for (r, c), v in cells.items() if c == header["月份"] and v == "2026-10")
    assert cells[(row, 30)] == "十月国庆假期，受理量偏低"
    assert values["我的分析"][(1, 2)] == "王经理"
    with zipfile.ZipFile(path) as zf:
        assert any(n.startswith("xl/charts/chart") for n in zf.namelist())
    # the month's figures, as numbers staff can chart; the dates still dates after the move
    k = again.figures.kpis
    assert cells[(row, header["受理数"])] == k.received
    assert cells[(row, header["解决率(%)"])] == round(k.resolution.value * 100, 2)
    assert cells[(row, header["月末逾期未结数"])] == k.overdue_open
    cutoff = openpyxl.load_workbook(path)["月度汇总"].cell(row, header["统计截至"])
    assert cutoff.value == dt.datetime(2026, 11, 1) and cutoff.number_format == "yyyy-mm-dd hh:mm"


def test_a_month_that_cannot_be_put_in_order_is_added_at_the_end_and_said_so(folder, tmp_path):
    import openpyxl

    out = tmp_path / "f"
    shutil.copytree(folder, out, ignore=shutil.ignore_patterns("reports"))
    (out / "monthly_summary.xlsx").unlink(missing_ok=True)
    make_summary(out, "2026-10", as_of=AS_OF, out_dir=tmp_path)
    wb = openpyxl.load_workbook(out / "monthly_summary.xlsx")
    wb["月度汇总"]["AD2"] = "=B2*2"  # a formula of staff's on October's row: moving values would break it
    wb.save(out / "monthly_summary.xlsx")
    added = make_summary(out, "2026-09", as_of=AS_OF, out_dir=tmp_path)
    assert added.xlsx_row == 3 and _month_rows(out / "monthly_summary.xlsx") == ["2026-10", "2026-09"]
    [note] = [n for n in added.notes if "monthly_summary.xlsx" in n]
    assert "AD2" in note
    assert openpyxl.load_workbook(out / "monthly_summary.xlsx")["月度汇总"]["AD2"].value == "=B2*2"


@needs_soffice
def test_libreoffice_opens_monthly_summary(report, tmp_path):
    [csv] = soffice_convert(report.xlsx, "csv:Text - txt - csv (StarCalc):44,34,76", tmp_path)
    text = csv.read_text(encoding="utf-8")
    assert text.startswith("月份,受理数,闭环数") and "2026-10" in text


def test_new_monthly_summary_has_english_header_comments(report):
    with zipfile.ZipFile(report.xlsx) as zf:
        comments = [zf.read(n).decode() for n in zf.namelist() if "comments" in n and n.endswith(".xml")]
    assert any("Resolution Rate (%)" in c for c in comments)


# ------------------------------------------------------------------------------------------ the command


def test_command_line(folder, tmp_path, capsys):
    code = toolkit_main(
        ["summary", str(folder), "--month", "2026-10", "--as-of", "2026-11-20 18:00", "--out", str(tmp_path)]
    )
    out = capsys.readouterr().out
    assert code == 1  # the sample has a few unreadable values of its own; they are listed
    assert "Monthly report for 2026-10" in out and "no such date: 2026-02-30" in out
    assert (tmp_path / "月度服务报告_2026-10.docx").exists()


@pytest.mark.parametrize("month", ["2026-13", "10/2026", "last"])
def test_command_line_refuses_a_bad_month(folder, month, capsys):
    assert toolkit_main(["summary", str(folder), "--month", month]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "is not a month" in err[0] and "2026-10" in err[0]


def test_a_month_that_has_not_begun_is_refused(folder, capsys):
    assert toolkit_main(["summary", str(folder), "--month", "2027-01", "--as-of", "2026-11-20"]) == 2
    assert "has not begun" in capsys.readouterr().err


@pytest.mark.parametrize("owner", ["~${name}", "~${short}", ".~lock.{name}#"])
def test_a_report_open_in_word_or_libreoffice_is_not_replaced(folder, tmp_path, owner):
    first = make_summary(folder, "2026-10", as_of=AS_OF, out_dir=tmp_path)
    before = first.docx.read_bytes()
    lock = first.docx.with_name(owner.format(name=first.docx.name, short=first.docx.name[2:]))
    lock.write_text("owner")
    with pytest.raises(ToolkitError, match="is open in Word"):
        make_summary(folder, "2026-10", as_of=AS_OF, out_dir=tmp_path)
    assert first.docx.read_bytes() == before


def test_default_month_is_last_month(folder, tmp_path):
    result = make_summary(folder, as_of=dt.datetime(2026, 11, 3, 9, 0), out_dir=tmp_path)
    assert result.month == "2026-10"


def test_shipped_report_templates_are_rebuilt_byte_for_byte():
    from toolkit.documents import summary_template
    from toolkit.documents.templates import SHIPPED_TEMPLATES

    for language, name in (("zh", "summary.docx"), ("en", "summary_en.docx")):
        data = summary_template.build(language)
        assert data == summary_template.build(language)
        assert (SHIPPED_TEMPLATES / name).read_bytes() == data, (
            f"toolkit/templates/{name} is out of date: run python scripts/build_templates.py"
        )


def test_an_office_template_with_a_misspelt_field_is_refused_with_the_name(folder, tmp_path):
    from toolkit.documents.stock import TemplateWriter

    d = TemplateWriter("zh")
    d.line("{{ recieved }} 件", "")
    (folder / "templates").mkdir(exist_ok=True)
    (folder / "templates" / "summary.docx").write_bytes(d.save("x"))
    try:
        with pytest.raises(ToolkitError, match="recieved.*did you mean received"):
            make_summary(folder, "2026-10", as_of=AS_OF, out_dir=tmp_path)
    finally:
        shutil.rmtree(folder / "templates")
