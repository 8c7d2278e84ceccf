"""The monthly report prints well: every page numbered (第 X 页 共 Y 页), no table row split across a page break,
header rows repeated on every page a table runs onto, no date, code or figure broken inside a cell, charts kept
with their headings, an empty section said in one sentence, and chart labels clear of the target line.

The Word file's structure is checked directly; the layout is checked in the PDF LibreOffice makes of it
(pdftotext, page by page)."""

from __future__ import annotations

import re
import subprocess
import zipfile
from collections import Counter

import pytest
from conftest import SOFFICE
from docx import Document
from summary_sample import AS_OF, english_report, graded_sample

from toolkit.documents import charts
from toolkit.jobs.summary import make_summary

needs_soffice = pytest.mark.skipif(SOFFICE is None, reason="headless LibreOffice (soffice) is not installed")
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    return graded_sample(tmp_path_factory.mktemp("printing"))


@pytest.fixture(scope="module")
def report(folder, tmp_path_factory):
    return make_summary(
        folder, "2026-10", as_of=AS_OF, pdf=SOFFICE is not None, out_dir=tmp_path_factory.mktemp("reports")
    )


@pytest.fixture(scope="module")
def report_en(folder, tmp_path_factory):
    return english_report(folder, "2026-10", tmp_path_factory.mktemp("reports-en"), pdf=SOFFICE is not None)


@pytest.fixture(scope="module")
def empty(folder, tmp_path_factory):
    """A month before the sample's first complaint: nothing received, nothing overdue, no tier change."""
    return make_summary(
        folder, "2024-06", as_of=AS_OF, pdf=SOFFICE is not None, out_dir=tmp_path_factory.mktemp("empty")
    )


# ------------------------------------------------------------------------------------------ the Word file


def _part(docx, name: str) -> str:
    with zipfile.ZipFile(docx) as zf:
        return zf.read(name).decode("utf-8")


def test_footer_numbers_the_pages_with_fields(report):
    with zipfile.ZipFile(report.docx) as zf:
        footers = [zf.read(n).decode() for n in zf.namelist() if re.match(r"word/footer\d*\.xml$", n)]
    footer = next(f for f in footers if "PAGE" in f)
    assert '<w:fldSimple w:instr=" PAGE ">' in footer and '<w:fldSimple w:instr=" NUMPAGES ">' in footer
    text = re.sub(r"<[^>]+>", "", footer)
    assert re.search(r"第 1 页 共 1 页", text), text  # the fields' last known results, filled in when printed


def test_table_rows_never_split_and_header_rows_repeat(report):
    doc = Document(report.docx)
    assert len(doc.tables) >= 12
    for table in doc.tables:
        rows = table._tbl.findall(f"{W}tr")
        assert all(tr.find(f"{W}trPr/{W}cantSplit") is not None for tr in rows), table.rows[0].cells[0].text
        assert rows[0].find(f"{W}trPr/{W}tblHeader") is not None


def test_charts_are_kept_with_their_headings(report):
    body = list(Document(report.docx).element.body.iterchildren(f"{W}p"))
    pictures = [i for i, p in enumerate(body) if p.find(f".//{W}drawing") is not None]
    assert len(pictures) == 3
    for i in pictures:
        heading = body[i - 1]
        text = "".join(t.text or "" for t in heading.iter(f"{W}t"))
        assert re.match(r"^[二三四]、", text), text
        assert heading.find(f"{W}pPr/{W}keepNext") is not None, text


def test_an_empty_section_is_one_sentence_not_an_empty_table(empty):
    doc = Document(empty.docx)
    assert all(len(t.rows) > 1 for t in doc.tables)  # no table of a header alone
    heads = {t.rows[0].cells[0].text for t in doc.tables}
    assert heads == {"指标", "环节", "等级"}  # key figures, steps and the tiers are never empty
    text = "\n".join(p.text for p in doc.paragraphs)
    for sentence in (
        "月末无未结投诉。",
        "本月无等级变化。",
        "月末无逾期未结投诉。",
        "本月没有低于 4 分的评价。",
        "本月无投诉。",
        "本月无数据。",
    ):
        assert sentence in text
    assert "本月等级变更" not in text and "下表按升级级别" not in text and "不在本清单之列" not in text


# ------------------------------------------------------------------------------------------ the PDF


def _pages(pdf) -> list[str]:
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    pages = text.split("\f")
    return pages[:-1] if pages and not pages[-1].strip() else pages


def _compact(text: str) -> str:
    return re.sub(r"\s+", "", text)


@needs_soffice
@pytest.mark.parametrize("which", ["report", "report_en", "empty"])
def test_pdf_has_a_page_number_on_every_page(which, request):
    result = request.getfixturevalue(which)
    pages = _pages(result.pdf)
    assert len(pages) >= (8 if which != "empty" else 3)
    info = subprocess.run(["pdfinfo", str(result.pdf)], capture_output=True, text=True, check=True).stdout
    assert int(re.search(r"Pages:\s+(\d+)", info).group(1)) == len(pages)
    for n, page in enumerate(pages, 1):
        number = f"Page{n}of{len(pages)}" if which == "report_en" else f"第{n}页共{len(pages)}页"
        assert number in _compact(page), f"page {n}: {page[-200:]}"


@needs_soffice
@pytest.mark.parametrize("which", ["report", "report_en"])
def test_pdf_splits_no_table_row_across_pages_and_repeats_the_headers(which, request):
    """Where a table runs onto a new page, the page shows the header row again and then a whole row: the
    first line under the repeated header begins with a row's first cell, never with the rest of a row."""
    report = request.getfixturevalue(which)
    doc = Document(report.docx)
    pages = _pages(report.pdf)
    continued = 0
    for table in doc.tables:
        rows = [[c.text for c in r.cells] for r in table.rows]
        header = _compact("".join(rows[0]))
        firsts = {_compact(r[0]) for r in rows[1:]}
        seen_on = [n for n, page in enumerate(pages) if any(_compact(line) == header for line in page.splitlines())]
        if which == "report_en":  # English headers wrap at their spaces: the header is the first words' line
            header = _compact(" ".join(cell.split()[0] for cell in rows[0]))
            seen_on = [n for n, page in enumerate(pages) if any(_compact(line) == header for line in page.splitlines())]
        for n in seen_on:
            lines = [line for line in pages[n].splitlines() if line.strip()]
            at = next(i for i, line in enumerate(lines) if _compact(line) == header)
            while (
                which == "report_en"
                and not any(_compact(lines[at + 1]).startswith(f) for f in firsts)
                and set(lines[at + 1].split()) <= {w for cell in rows[0] for w in cell.split()}
            ):
                at += 1  # the header's second line ("month", "time", "late")
            first = _compact(lines[at + 1])
            assert any(first.startswith(f) for f in firsts), (
                f"page {n + 1}: a row split after {rows[0]}: {lines[at + 1]}"
            )
        continued += max(0, len(seen_on) - 1)
    assert continued >= 2  # the overdue list runs over pages: its header was found repeated


@needs_soffice
@pytest.mark.parametrize("which", ["report", "report_en"])
def test_pdf_breaks_no_date_code_or_figure_inside_a_cell(which, request):
    report = request.getfixturevalue(which)
    doc = Document(report.docx)
    shown = "\n".join([p.text for p in doc.paragraphs] + [c.text for t in doc.tables for r in t.rows for c in r.cells])
    printed = "\n".join(_pages(report.pdf))
    english_date = r"\d{1,2} (?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]* \d{4}"
    patterns = {
        "date": (r"\d{4}年\d{1,2}月\d{1,2}日", r"\d{4}\s?年\s?\d{1,2}\s?月\s?\d{1,2}\s?日")
        if which == "report"
        else (english_date, english_date),
        "complaint": (r"TS\d{4}-\d{6}", r"TS\d{4}-\d{6}"),
        "per cent": (r"\d+\.\d%", r"\d+\.\d%"),
        "hours": (r"\d,\d{3}\.\d", r"\d,\d{3}\.\d"),
    }
    for what, (in_docx, in_pdf) in patterns.items():
        wanted = Counter(_compact(m) for m in re.findall(in_docx, shown))
        found = Counter(_compact(m) for m in re.findall(in_pdf, printed))
        assert wanted and found == wanted, f"{what}: broken or missing {wanted - found}"


@needs_soffice
@pytest.mark.parametrize("which", ["report", "report_en"])
def test_pdf_breaks_no_header_word_inside_its_cell(which, request):
    """A column's header may wrap between words, never inside one ("Recei/ved", "原等/级")."""
    report = request.getfixturevalue(which)
    lines = [line for page in _pages(report.pdf) for line in page.splitlines()]
    spaced = "\n".join(" ".join(line.split()) for line in lines)  # English words keep their spaces
    compact = "\n".join(_compact(line) for line in lines)  # CJK words lose pdftotext's spacing
    for table in Document(report.docx).tables:
        for cell in table.rows[0].cells:
            for word in cell.text.split():
                found = (
                    re.search(rf"(?<![\w/]){re.escape(word)}(?![\w])", spaced) if word.isascii() else word in compact
                )
                assert found, f"header {cell.text!r}: {word!r} is broken"


# ------------------------------------------------------------------------------------------ the charts


@pytest.mark.parametrize(
    "values",
    [
        [0.886, 0.793, 0.684, 0.54, 0.63, 0.25],  # the sample's October: 88.6% used to touch the 95% line
        [0.94, 0.949, 0.95, 0.951, 0.955, 0.96],  # every bar about the line
        [0.05, 0.93, 1.0, None, 0.97, 0.0],
    ],
)
def test_chart_labels_keep_clear_of_the_target_line(values):
    items = list(zip(["登记", "响应", "解决", "当日告知", "回访", "满意度调查"], values))
    with charts._context():
        fig = charts.on_time_figure(items, target=0.95, title="各环节按时率", target_label="目标")
        ax = fig.axes[0]
        renderer = fig.canvas.get_renderer()
        line = ax.transData.transform((0, 95))[1]
        boxes = [t.get_window_extent(renderer) for t in ax.texts]
        labels = [(t.get_text(), b) for t, b in zip(ax.texts, boxes) if t.get_text() != "目标 95%"]
        [target_box] = [b for t, b in zip(ax.texts, boxes) if t.get_text() == "目标 95%"]
    gap = charts.CLEARANCE_PT * charts.DPI / 72
    assert len(labels) == 6
    for text, box in labels:
        assert not charts.crosses(box, line, gap), f"{text} touches the target line"
    assert target_box.x0 > ax.get_window_extent(renderer).x1  # the target's label is outside the bars
    for i, (_, a) in enumerate(labels):
        for _, b in labels[i + 1 :]:
            assert not a.overlaps(b)
