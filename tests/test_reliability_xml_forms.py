"""One parser for cell positions: the same sheet written in every valid XML form reads as the same table,
and a job writes it the same way.

Generators write sheets differently from Excel: attributes in single quotes (r='C1'), a namespace
prefix on every element (<x:row>, <x:c>), rows and cells without r (numbered by position), spaces
around '='. The header peek, the fast reader and the writer must agree on where every cell is: a
disagreement once numbered cells by position in the peek while the reader read them right, and
staff columns were overwritten. Each form below is made from one workbook (XlsxWriter's), and must
give the same table (values and problems) and, after `toolkit run`, the same cells (read with
python-calamine, an independent reader) as the original.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from conftest import SAMPLE_AS_OF
from hostile.build import SHEET1, TRACKER_ROWS, edit_part, office, tracker
from python_calamine import CalamineWorkbook

from toolkit.jobs.run import run_jobs
from toolkit.model.records import read_table
from toolkit.settings import load_settings

MAIN_NS = b"http://schemas.openxmlformats.org/spreadsheetml/2006/main"


def single_quoted(xml: bytes) -> bytes:
    """Every attribute value in single quotes (the XML declaration's too)."""
    return re.sub(rb'([\w:.-]+)="([^"\']*)"', rb"\1='\2'", xml)


def spaced(xml: bytes) -> bytes:
    """Spaces around every '=' of an attribute."""
    return re.sub(rb'([\w:.-]+)=(["\'])', rb"\1 = \2", xml)


def prefixed(xml: bytes) -> bytes:
    """The spreadsheet namespace as prefix x: on every element, instead of the default namespace."""
    xml = xml.replace(b'xmlns="%s"' % MAIN_NS, b'xmlns:x="%s"' % MAIN_NS, 1)
    return re.sub(rb"<(/?)([A-Za-z][\w.-]*)(?=[\s/>])", rb"<\1x:\2", xml)


def without_positions(xml: bytes) -> bytes:
    """No r on any row, nor on a cell that comes right after the one before it (numbered by position)."""
    xml = re.sub(rb'(<(?:x:)?row\b[^>]*?)\s+r\s*=\s*["\']\d+["\']', rb"\1", xml)

    def row(m):
        body, last, out = m.group(2), 0, []
        for cell in re.finditer(rb"<(?:x:)?c\b[^>]*?(?:/>|>.*?</(?:x:)?c>)", body, re.S):
            text = cell.group(0)
            ref = re.search(rb'\br\s*=\s*["\']([A-Z]+)\d+["\']', text)
            col = _column(ref.group(1)) if ref else last + 1
            if col == last + 1 and ref:
                text = text.replace(ref.group(0), b"", 1)
            out.append(text)
            last = col
        return m.group(1) + b"".join(out) + m.group(3)

    return re.sub(rb"(<(?:x:)?row\b[^>]*>)(.*?)(</(?:x:)?row>)", row, xml, flags=re.S)


def _column(letters: bytes) -> int:
    n = 0
    for ch in letters.decode():
        n = n * 26 + ord(ch) - 64
    return n


FORMS = {
    "as Excel writes it": lambda x: x,
    "single quotes": single_quoted,
    "spaces around =": spaced,
    "x: prefix": prefixed,
    "no r attributes": without_positions,
    "everything at once": lambda x: spaced(single_quoted(without_positions(prefixed(x)))),
}


def _rows() -> list[list]:
    rows = [list(r) for r in TRACKER_ROWS]
    rows[2][2] = None  # a gap in the middle of a row: the cells after it need their r
    rows[3][5] = None
    return rows


@pytest.fixture(scope="module")
def reference(tmp_path_factory) -> dict:
    """The tracker as XlsxWriter writes it: its table before, and its cells after `toolkit run`."""
    folder = office(tmp_path_factory.mktemp("forms") / "as written", tracker_sheets=[tracker(_rows())])
    pristine = tmp_path_factory.mktemp("pristine")
    shutil.copytree(folder, pristine, dirs_exist_ok=True)
    settings = load_settings(folder)
    before = read_table(settings.tracker_path, settings.tracker)
    run_jobs(folder, as_of=SAMPLE_AS_OF)
    return {"folder": pristine, "table": _table(before), "after": _cells(folder / "complaints.xlsx")}


def _table(t) -> tuple:
    return (
        t.rows,
        {name: t.values(name) for name in t.columns},
        [(p.row, p.column, p.value, p.reason) for p in t.problems],
    )


def _cells(path: Path) -> list[list]:
    wb = CalamineWorkbook.from_path(str(path))
    return wb.get_sheet_by_name("投诉跟踪").to_python(skip_empty_area=False)


@pytest.mark.parametrize("form", list(FORMS))
def test_every_xml_form_reads_and_writes_as_the_same_sheet(form, reference, tmp_path):
    folder = tmp_path / "office"
    shutil.copytree(reference["folder"], folder)
    edit_part(folder / "complaints.xlsx", SHEET1, FORMS[form])
    settings = load_settings(folder)
    table = read_table(settings.tracker_path, settings.tracker)
    assert _table(table) == reference["table"]
    run_jobs(folder, as_of=SAMPLE_AS_OF)
    assert _cells(folder / "complaints.xlsx") == reference["after"]


def test_the_forms_really_differ(reference, tmp_path):
    """The forms are what they say: no double quote, no unprefixed element, no row numbered."""
    folder = tmp_path / "office"
    shutil.copytree(reference["folder"], folder)
    edit_part(folder / "complaints.xlsx", SHEET1, FORMS["everything at once"])
    import zipfile

    xml = zipfile.ZipFile(folder / "complaints.xlsx").read(SHEET1)
    assert b'"' not in xml
    assert not re.search(rb"<(?!x:|\?|/x:)[A-Za-z]", xml)
    assert not re.search(rb"<x:row\b[^>]*\br\s*=", xml)
    assert re.search(rb"<x:c\b[^>]*\br = '[A-Z]+\d+'", xml)  # the cells after a gap keep their r
