"""The workbook engine's writer, feature by feature, on small workbooks built in tmp_path.

Workbooks are made with XlsxWriter (as Excel would lay them out) or, for layouts XlsxWriter
never writes (rows without r="...", shared formulas, a calculation chain), by hand.
Values are read back with python-calamine, an independent reader.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from decimal import Decimal
from pathlib import Path

import pytest
import xlsxwriter
from conftest import read_values, sheet_cells
from lxml import etree

from toolkit.errors import ToolkitError, WorkbookBusy
from toolkit.xlsx import FormulaCellsRefused, WorkbookEditor, add_column, append_rows, update_cells
from toolkit.xlsx.safety import BACKUP_DIR, list_backups

pytestmark = pytest.mark.usefixtures("speak_english")  # checks English wording (Chinese: test_chinese_first.py)

SHEET1 = "xl/worksheets/sheet1.xml"
NS = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}


# ---------------------------------------------------------------------- helpers


def build(path: Path, fill=None, *, options=None, vba: bytes | None = None, sheet="S") -> Path:
    """A workbook made by XlsxWriter; `fill(workbook, worksheet)` adds the content."""
    wb = xlsxwriter.Workbook(str(path), options or {})
    ws = wb.add_worksheet(sheet)
    if fill:
        fill(wb, ws)
    if vba is not None:
        wb.add_vba_project(io.BytesIO(vba), is_stream=True)
    wb.close()
    return path


def member(path: Path, name: str) -> bytes:
    with zipfile.ZipFile(path) as zf:
        return zf.read(name)


def names(path: Path) -> list[str]:
    with zipfile.ZipFile(path) as zf:
        return zf.namelist()


def rewrite(path: Path, changes: dict[str, bytes | None]) -> None:
    """Replace (or with None remove, or add) zip members of a workbook, keeping the order."""
    with zipfile.ZipFile(path) as zf:
        items = [(i.filename, zf.read(i)) for i in zf.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        done = set()
        for name, data in items:
            if name in changes:
                done.add(name)
                if changes[name] is None:
                    continue
                data = changes[name]
            zf.writestr(name, data)
        for name, data in changes.items():
            if name not in done and data is not None:
                zf.writestr(name, data)


def cell(path: Path, ref: str, part: str = SHEET1):
    """The <c> element of `ref` (None when the cell has no XML)."""
    from conftest import split_ref

    return sheet_cells(member(path, part)).get(split_ref(ref))


def values(path: Path, sheet: str = "S") -> dict[tuple[int, int], object]:
    return read_values(path)[sheet]


def cell_xfs(styles_xml: bytes) -> list[bytes]:
    root = etree.fromstring(styles_xml)
    return [etree.tostring(x) for x in root.find("m:cellXfs", NS)]


def count_attr(styles_xml: bytes, container: str) -> int:
    return int(etree.fromstring(styles_xml).find(f"m:{container}", NS).get("count"))


MINIMAL_STYLES = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    b'<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    b'<fonts count="1"><font><sz val="11"/><name val="Calibri"/></font></fonts>'
    b'<fills count="2"><fill><patternFill patternType="none"/></fill>'
    b'<fill><patternFill patternType="gray125"/></fill></fills>'
    b'<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    b'<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    b'<cellXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/></cellXfs>'
    b"</styleSheet>"
)


def handmade(path: Path, sheet_data: str, *, calc_chain: bool = False) -> Path:
    """A minimal workbook with one sheet 'S' whose <sheetData> is `sheet_data` (written by hand)."""
    ct = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        '<Override PartName="/xl/worksheets/sheet1.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
        '<Override PartName="/xl/styles.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
        + (
            '<Override PartName="/xl/calcChain.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.calcChain+xml"/>'
            if calc_chain
            else ""
        )
        + "</Types>"
    )
    root_rels = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        'relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>'
    )
    wb = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
        'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
        '<sheets><sheet name="S" sheetId="1" r:id="rId1"/></sheets></workbook>'
    )
    rel = '<Relationship Id="%s" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/%s" Target="%s"/>'
    wb_rels = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        + rel % ("rId1", "worksheet", "worksheets/sheet1.xml")
        + rel % ("rId2", "styles", "styles.xml")
        + (rel % ("rId3", "calcChain", "calcChain.xml") if calc_chain else "")
        + "</Relationships>"
    )
    sheet = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        f'<dimension ref="A1"/><sheetData>{sheet_data}</sheetData></worksheet>'
    )
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", ct)
        zf.writestr("_rels/.rels", root_rels)
        zf.writestr("xl/workbook.xml", wb)
        zf.writestr("xl/_rels/workbook.xml.rels", wb_rels)
        zf.writestr(SHEET1, sheet)
        zf.writestr("xl/styles.xml", MINIMAL_STYLES)
        if calc_chain:
            zf.writestr(
                "xl/calcChain.xml",
                '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
                '<calcChain xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
                '<c r="B2" i="1"/></calcChain>',
            )
    return path


def formulas_sheet(wb, ws):
    ws.write("A1", "n")
    ws.write("A2", 1)
    ws.write("A3", 2)
    ws.write_formula("B2", "=A2*2", None, 2)
    ws.write_formula("B3", "=A3*2", None, 4)


# ---------------------------------------------------------------------- values and styles


def test_overwrite_keeps_the_cells_style_index(tmp_path):
    def fill(wb, ws):
        bold = wb.add_format({"bold": True, "border": 1})
        ws.write("A1", "old", bold)
        ws.write("B1", 5, bold)

    path = build(tmp_path / "a.xlsx", fill)
    styles_before = member(path, "xl/styles.xml")
    style = cell(path, "A1").get("s")
    assert style and style != "0"
    report = update_cells(path, "S", {"A1": "new", "B1": 7.5})
    assert cell(path, "A1").get("s") == style
    assert cell(path, "B1").get("s") == style
    assert member(path, "xl/styles.xml") == styles_before
    assert report.parts_rewritten == [SHEET1]
    assert values(path) == {(1, 1): "new", (1, 2): 7.5}


def test_none_clears_a_cell_and_keeps_its_format(tmp_path):
    def fill(wb, ws):
        ws.write("A1", "styled", wb.add_format({"italic": True}))
        ws.write("B1", "plain")
        ws.write("C1", "stays")

    path = build(tmp_path / "a.xlsx", fill)
    update_cells(path, "S", {"A1": None, "B1": None, "D9": None})
    a1 = cell(path, "A1")
    assert a1 is not None and a1.get("s") and len(a1) == 0 and a1.get("t") is None  # empty, still italic
    assert cell(path, "B1") is None
    assert cell(path, "D9") is None  # clearing an empty cell creates nothing
    assert values(path) == {(1, 3): "stays"}


def test_bool_is_written_as_a_boolean(tmp_path):
    path = build(tmp_path / "a.xlsx")
    update_cells(path, "S", {"A1": True, "A2": False, "A3": 1})
    assert cell(path, "A1").get("t") == "b"
    got = values(path)
    assert got[(1, 1)] is True and got[(2, 1)] is False
    assert got[(3, 1)] == 1 and not isinstance(got[(3, 1)], bool)


def test_numbers_are_written_exactly(tmp_path):
    path = build(tmp_path / "a.xlsx")
    update_cells(path, "S", {"A1": 0.1, "A2": Decimal("1234567.891"), "A3": -0.0, "A4": 10**15, "A5": 1e-7})
    v = {r: cell(path, f"A{r}").find("m:v", NS).text for r in range(1, 6)}
    assert v == {1: "0.1", 2: "1234567.891", 3: "-0", 4: "1000000000000000", 5: "1e-07"}
    assert values(path)[(2, 1)] == 1234567.891


@pytest.mark.parametrize(
    "text", ["=1+2", "+8613800138000", "-5", "@SUM(A1)", '=HYPERLINK("http://x")', "=", "<b>not markup</b> & co"]
)
def test_text_that_looks_like_a_formula_stays_text(tmp_path, text):
    path = build(tmp_path / "a.xlsx")
    update_cells(path, "S", {"B2": text})
    c = cell(path, "B2")
    assert c.get("t") == "inlineStr"
    assert c.find("m:f", NS) is None and c.find("m:v", NS) is None
    assert values(path) == {(2, 2): text}


CONTROL_TEXTS = [
    "bell\x07 and unit separator\x1f",
    "_x0041_ is not an A",
    "x_x005F_y",
    "tab\tinside",
    "line one\nline two",
    "windows\r\nline end",
    "  leading and trailing  ",
    "\n",
    "零宽\u200b空格 and emoji 😀",
]


@pytest.mark.parametrize("text", CONTROL_TEXTS)
def test_control_characters_and_escape_lookalikes_round_trip(tmp_path, text):
    path = build(tmp_path / "a.xlsx")
    update_cells(path, "S", {"A1": text})
    etree.fromstring(member(path, SHEET1))  # still well-formed XML
    assert values(path) == {(1, 1): text}


def test_a_lone_surrogate_does_not_break_the_file(tmp_path):
    path = build(tmp_path / "a.xlsx")
    update_cells(path, "S", {"A1": "bad \ud800 half"})
    t = cell(path, "A1").find("m:is/m:t", NS).text
    assert t == "bad _xD800_ half"


def test_a_10000_character_string(tmp_path):
    text = ("客户投诉 complaint " * 600)[:10_000]
    path = build(tmp_path / "a.xlsx")
    update_cells(path, "S", {"C3": text})
    assert values(path) == {(3, 3): text}


def test_text_longer_than_a_cell_holds_is_refused_and_nothing_written(tmp_path):
    path = build(tmp_path / "a.xlsx", lambda wb, ws: ws.write("A1", "x"))
    before = path.read_bytes()
    with pytest.raises(ToolkitError, match="32,767"):
        update_cells(path, "S", {"A2": "y" * 32_768})
    assert path.read_bytes() == before


# ---------------------------------------------------------------------- formulas


def test_formula_cells_are_refused_by_default(tmp_path):
    path = build(tmp_path / "a.xlsx", formulas_sheet)
    before = path.read_bytes()
    with pytest.raises(FormulaCellsRefused) as info:
        update_cells(path, "S", {"B2": 99, "B3": 98, "C2": "x"})
    assert info.value.refs == ["B2", "B3"]
    assert path.read_bytes() == before
    assert not (tmp_path / BACKUP_DIR).exists()


def test_formula_cells_are_skipped_and_reported_with_skip(tmp_path):
    path = build(tmp_path / "a.xlsx", formulas_sheet)
    old_b2 = etree.tostring(cell(path, "B2"))
    report = update_cells(path, "S", {"B2": 99, "C2": "x"}, on_formula="skip", fills={"B2": "FFC7CE"})
    assert report.skipped_formulas == ["S!B2"]
    assert report.cells_written == 1
    assert etree.tostring(cell(path, "B2")) == old_b2  # formula, cached value and format untouched
    assert values(path)[(2, 3)] == "x"


def test_formula_cells_are_overwritten_with_overwrite_and_the_calc_chain_dropped(tmp_path):
    path = handmade(
        tmp_path / "a.xlsx", '<row r="2"><c r="A2"><v>1</v></c><c r="B2"><f>A2*2</f><v>2</v></c></row>', calc_chain=True
    )
    report = update_cells(path, "S", {"B2": 5}, on_formula="overwrite")
    assert report.skipped_formulas == []
    assert cell(path, "B2").find("m:f", NS) is None
    assert values(path)[(2, 2)] == 5
    assert "xl/calcChain.xml" not in names(path)
    assert b"calcChain" not in member(path, "xl/_rels/workbook.xml.rels")
    assert b"calcChain" not in member(path, "[Content_Types].xml")
    etree.fromstring(member(path, "xl/_rels/workbook.xml.rels"))
    etree.fromstring(member(path, "[Content_Types].xml"))


def test_the_calc_chain_stays_when_no_formula_is_overwritten(tmp_path):
    path = handmade(
        tmp_path / "a.xlsx", '<row r="2"><c r="A2"><v>1</v></c><c r="B2"><f>A2*2</f><v>2</v></c></row>', calc_chain=True
    )
    calc = member(path, "xl/calcChain.xml")
    update_cells(path, "S", {"A2": 3, "C2": "x"}, on_formula="overwrite")
    assert member(path, "xl/calcChain.xml") == calc


SHARED = (
    '<row r="1"><c r="A1"><v>1</v></c><c r="B1"><f t="shared" ref="B1:B3" si="0">A1*2&amp;"&lt;"</f>'
    "<v>2&lt;</v></c></row>"
    '<row r="2"><c r="A2"><v>2</v></c><c r="B2"><f t="shared" si="0"/><v>4&lt;</v></c></row>'
    '<row r="3"><c r="A3"><v>3</v></c><c r="B3"><f t="shared" si="0"/><v>6&lt;</v></c></row>'
)


def test_overwriting_the_first_cell_of_a_shared_formula_keeps_the_others(tmp_path):
    path = handmade(tmp_path / "a.xlsx", SHARED)
    update_cells(path, "S", {"B1": "manual"}, on_formula="overwrite")
    assert cell(path, "B1").get("t") == "inlineStr"
    for r in (2, 3):
        f = cell(path, f"B{r}").find("m:f", NS)
        assert f.get("t") is None and f.text == f'A{r}*2&"<"'
        assert cell(path, f"B{r}").find("m:v", NS).text == f"{2 * r}<"


def test_skipping_a_shared_formula_leaves_the_group_alone(tmp_path):
    path = handmade(tmp_path / "a.xlsx", SHARED)
    before = member(path, SHEET1)
    report = update_cells(path, "S", {"B1": "manual", "B3": "x"}, on_formula="skip")
    assert report.skipped_formulas == ["S!B1", "S!B3"]
    assert member(path, SHEET1) == before


def array_sheet(wb, ws):
    ws.write_column("A1", [1, 2, 3])
    ws.write_array_formula("C1:C3", "{=A1:A3*2}")


def test_cells_inside_an_array_formula_count_as_formula_cells(tmp_path):
    path = build(tmp_path / "a.xlsx", array_sheet)
    with pytest.raises(FormulaCellsRefused) as info:
        update_cells(path, "S", {"C2": 5})  # holds no <f> of its own: the array in C1 fills it
    assert info.value.refs == ["C2"]
    report = update_cells(path, "S", {"C3": 5}, on_formula="skip")
    assert report.skipped_formulas == ["S!C3"]


def test_overwriting_part_of_an_array_formula_removes_the_array(tmp_path):
    path = build(tmp_path / "a.xlsx", array_sheet)
    update_cells(path, "S", {"C2": 5}, on_formula="overwrite")
    assert cell(path, "C1").find("m:f", NS) is None  # Excel cannot change part of an array
    assert values(path)[(2, 3)] == 5


# ---------------------------------------------------------------------- rows, tables and columns


def table_sheet(wb, ws, total_row=False):
    ws.add_table(
        "A1:C3",
        {
            "data": [[1, "a", 10], [2, "b", 20]],
            "total_row": total_row,
            "columns": [
                {"header": "编号"},
                {"header": "名称"},
                {"header": "金额", "total_function": "sum"} if total_row else {"header": "金额"},
            ],
        },
    )


def table_xml(path: Path):
    return etree.fromstring(member(path, "xl/tables/table1.xml"))


def dimension(path: Path) -> str:
    return etree.fromstring(member(path, SHEET1)).find("m:dimension", NS).get("ref")


def test_appending_rows_extends_a_table_that_ends_at_the_last_row(tmp_path):
    path = build(tmp_path / "a.xlsx", table_sheet)
    report = append_rows(path, "S", [[3, "c", 30], [4, "d", Decimal("40.5")]])
    assert report.rows_appended == [4, 5]
    t = table_xml(path)
    assert t.get("ref") == "A1:C5"
    assert t.find("m:autoFilter", NS).get("ref") == "A1:C5"
    assert dimension(path) == "A1:C5"
    got = values(path)
    assert got[(4, 2)] == "c" and got[(5, 3)] == 40.5


def test_appending_rows_fills_an_empty_table_row_first(tmp_path):
    def fill(wb, ws):
        ws.add_table("A1:B3", {"columns": [{"header": "a"}, {"header": "b"}]})  # two empty data rows

    path = build(tmp_path / "a.xlsx", fill)
    report = append_rows(path, "S", [[1, 2], [3, 4], [5, 6]])
    assert report.rows_appended == [2, 3, 4]
    assert table_xml(path).get("ref") == "A1:B4"


def test_a_table_with_a_totals_row_is_not_extended(tmp_path):
    path = build(tmp_path / "a.xlsx", lambda wb, ws: table_sheet(wb, ws, total_row=True))
    table_before = member(path, "xl/tables/table1.xml")
    report = append_rows(path, "S", [[3, "c", 30]])
    assert report.rows_appended == [4]  # below the totals row (row 3: header, one data row, totals)
    assert member(path, "xl/tables/table1.xml") == table_before
    assert report.parts_rewritten == [SHEET1]


def test_a_table_above_other_data_is_not_extended(tmp_path):
    def fill(wb, ws):
        table_sheet(wb, ws)
        ws.write("A6", "note below the table")

    path = build(tmp_path / "a.xlsx", fill)
    append_rows(path, "S", [[3, "c", 30]])
    assert table_xml(path).get("ref") == "A1:C3"
    assert values(path)[(7, 1)] == 3


def test_add_column_writes_after_the_last_header_and_grows_the_table(tmp_path):
    path = build(tmp_path / "a.xlsx", table_sheet)
    assert add_column(path, "S", "备注 & <状态>") == "D"
    assert values(path)[(1, 4)] == "备注 & <状态>"
    t = table_xml(path)
    assert t.get("ref") == "A1:D3"
    assert t.find("m:autoFilter", NS).get("ref") == "A1:D3"
    cols = t.find("m:tableColumns", NS)
    assert cols.get("count") == "4"
    assert [c.get("name") for c in cols] == ["编号", "名称", "金额", "备注 & <状态>"]
    assert len({c.get("id") for c in cols}) == 4
    assert dimension(path) == "A1:D3"


def test_add_column_grows_a_table_with_a_totals_row_and_its_filter(tmp_path):
    path = build(tmp_path / "a.xlsx", lambda wb, ws: table_sheet(wb, ws, total_row=True))
    assert add_column(path, "S", "备注") == "D"
    t = table_xml(path)
    assert t.get("ref") == "A1:D3"
    assert t.find("m:autoFilter", NS).get("ref") == "A1:D2"  # the filter leaves out the totals row


def test_add_column_refuses_a_duplicate_table_column_name(tmp_path):
    path = build(tmp_path / "a.xlsx", table_sheet)
    before = path.read_bytes()
    with pytest.raises(ToolkitError, match="already has a column"):
        add_column(path, "S", "金额")
    assert path.read_bytes() == before


def test_add_column_on_another_header_row(tmp_path):
    def fill(wb, ws):
        ws.write_row("A3", ["x", "y", None, None])
        ws.write("F1", "title far right")

    path = build(tmp_path / "a.xlsx", fill)
    ed = WorkbookEditor(path)
    ed.add_header("S", "one", header_row=3)
    ed.add_header("S", "two", header_row=3)
    report = ed.save()
    assert report.columns_added == {"one": "C", "two": "D"}
    got = values(path)
    assert got[(3, 3)] == "one" and got[(3, 4)] == "two"


def test_new_cells_take_the_format_of_their_row_or_column(tmp_path):
    def fill(wb, ws):
        ws.set_column("C:C", 12, wb.add_format({"bg_color": "#FFFF00"}))
        ws.set_row(5, None, wb.add_format({"italic": True}))
        ws.write("A1", "x")

    path = build(tmp_path / "a.xlsx", fill)
    cols = etree.fromstring(member(path, SHEET1)).find("m:cols", NS)
    col_style = cols[0].get("style")
    row_style = next(
        r.get("s") for r in etree.fromstring(member(path, SHEET1)).iter(f"{{{NS['m']}}}row") if r.get("r") == "6"
    )
    update_cells(path, "S", {"C2": "in the yellow column", "B6": "in the italic row", "C9": 5})
    assert cell(path, "C2").get("s") == col_style
    assert cell(path, "B6").get("s") == row_style
    assert cell(path, "C9").get("s") == col_style


# ---------------------------------------------------------------------- styles.xml


def test_dates_add_one_date_format_for_many_cells(tmp_path):
    path = build(tmp_path / "a.xlsx", lambda wb, ws: ws.write("A1", "日期"))
    styles_before = member(path, "xl/styles.xml")
    n_before = len(cell_xfs(styles_before))
    days = {f"A{r}": dt.date(2025, 1, 1) + dt.timedelta(days=r) for r in range(2, 52)}
    update_cells(path, "S", days)
    styles = member(path, "xl/styles.xml")
    assert len(cell_xfs(styles)) == n_before + 1
    assert count_attr(styles, "cellXfs") == n_before + 1
    assert styles.count(b'formatCode="yyyy-mm-dd"') == 1
    assert cell_xfs(styles)[:n_before] == cell_xfs(styles_before)
    got = values(path)
    assert got[(2, 1)] == dt.date(2025, 1, 3) and got[(51, 1)] == dt.date(2025, 2, 21)
    # a second run reuses the format it added
    update_cells(path, "S", {"B2": dt.date(2025, 3, 5)})
    assert member(path, "xl/styles.xml") == styles
    # a datetime gets its own format, once
    update_cells(path, "S", {"C2": dt.datetime(2025, 3, 5, 9, 30), "C3": dt.datetime(2025, 3, 6, 18, 0)})
    assert len(cell_xfs(member(path, "xl/styles.xml"))) == n_before + 2
    assert values(path)[(2, 3)] == dt.datetime(2025, 3, 5, 9, 30)


def test_a_number_over_a_date_cell_is_not_shown_as_a_date(tmp_path):
    path = build(
        tmp_path / "a.xlsx",
        lambda wb, ws: ws.write_datetime("A1", dt.datetime(2024, 1, 2), wb.add_format({"num_format": "yyyy/m/d"})),
    )
    update_cells(path, "S", {"A1": 42})
    assert values(path)[(1, 1)] == 42


def test_fills_add_a_fill_and_a_cell_format_and_never_change_existing_ones(tmp_path):
    def fill(wb, ws):
        ws.write("A1", "bold", wb.add_format({"bold": True}))
        ws.write("A2", "plain")

    path = build(tmp_path / "a.xlsx", fill)
    styles_before = member(path, "xl/styles.xml")
    xfs_before = cell_xfs(styles_before)
    n_fills = count_attr(styles_before, "fills")
    update_cells(path, "S", {"A1": "still bold"}, fills={"A1": "FFC7CE", "A2": "#FFC7CE", "B5": "C6EFCE"})
    styles = member(path, "xl/styles.xml")
    xfs = cell_xfs(styles)
    assert xfs[: len(xfs_before)] == xfs_before
    assert len(xfs) == len(xfs_before) + 3  # bold+red, plain+red, plain+green
    assert count_attr(styles, "cellXfs") == len(xfs)
    assert count_attr(styles, "fills") == n_fills + 2  # one per colour
    root = etree.fromstring(styles)
    fills = root.find("m:fills", NS)
    assert len(fills) == n_fills + 2
    a1 = etree.fromstring(xfs[int(cell(path, "A1").get("s"))])
    assert fills[int(a1.get("fillId"))].find("m:patternFill/m:fgColor", NS).get("rgb") == "FFFFC7CE"
    bold_xf = etree.fromstring(xfs_before[1])  # the bold format A1 had
    assert a1.get("fontId") == bold_xf.get("fontId")  # still bold
    assert cell(path, "B5") is not None and len(cell(path, "B5")) == 0  # coloured, empty
    assert values(path)[(1, 1)] == "still bold"
    # colouring again with the same colours adds nothing
    update_cells(path, "S", {}, fills={"A2": "FFC7CE", "C1": "FFC7CE"})
    assert len(cell_xfs(member(path, "xl/styles.xml"))) == len(xfs)


def test_dates_in_a_workbook_with_numfmts_in_differential_formats(tmp_path):
    """<dxfs> (conditional formats) hold their own <numFmt>s: they are not the workbook's number formats."""

    def fill(wb, ws):
        ws.write("A1", 5)
        ws.conditional_format(
            "A1:A9",
            {
                "type": "cell",
                "criteria": ">",
                "value": 3,
                "format": wb.add_format({"num_format": "yyyy-mm-dd", "bg_color": "#FF0000"}),
            },
        )

    path = build(tmp_path / "a.xlsx", fill)
    styles_before = member(path, "xl/styles.xml")
    assert b"<dxfs" in styles_before and b"<numFmt " in styles_before
    update_cells(path, "S", {"B1": dt.date(2025, 3, 5)}, fills={"C1": "FFC7CE"})
    styles = etree.fromstring(member(path, "xl/styles.xml"))
    fmts = {int(f.get("numFmtId")): f.get("formatCode") for f in styles.find("m:numFmts", NS)}
    xf = styles.find("m:cellXfs", NS)[int(cell(path, "B1").get("s"))]
    assert fmts[int(xf.get("numFmtId"))] == "yyyy-mm-dd"
    assert int(styles.find("m:numFmts", NS).get("count")) == len(fmts)
    fills = styles.find("m:fills", NS)
    assert int(fills.get("count")) == len(fills)
    c1 = styles.find("m:cellXfs", NS)[int(cell(path, "C1").get("s"))]
    assert int(c1.get("fillId")) == len(fills) - 1
    assert values(path)[(1, 2)] == dt.date(2025, 3, 5)


def test_the_1904_date_system_is_honoured(tmp_path):
    path = build(tmp_path / "a.xlsx", options={"date_1904": True})
    assert b'date1904="1"' in member(path, "xl/workbook.xml")
    update_cells(path, "S", {"A1": dt.date(2025, 3, 5), "A2": dt.datetime(1904, 1, 2, 12, 0)})
    assert cell(path, "A1").find("m:v", NS).text == str((dt.date(2025, 3, 5) - dt.date(1904, 1, 1)).days)
    assert cell(path, "A2").find("m:v", NS).text == "1.5"
    got = values(path)
    assert got[(1, 1)] == dt.date(2025, 3, 5)


def test_dates_before_1900_03_01_use_excels_serials(tmp_path):
    path = build(tmp_path / "a.xlsx")
    update_cells(path, "S", {"A1": dt.date(1900, 1, 1), "A2": dt.date(1900, 3, 1)})
    assert cell(path, "A1").find("m:v", NS).text == "1"
    assert cell(path, "A2").find("m:v", NS).text == "61"


# ---------------------------------------------------------------------- package, safety, backups


def test_xlsm_stays_macro_enabled(tmp_path):
    vba = b"\xd0\xcf\x11\xe0 not a real VBA project, kept byte for byte" * 20
    path = build(tmp_path / "m.xlsm", lambda wb, ws: ws.write("A1", "x"), vba=vba)
    ct = member(path, "[Content_Types].xml")
    assert b"macroEnabled.main+xml" in ct
    update_cells(path, "S", {"B2": "y", "B3": dt.date(2025, 3, 5)})
    assert member(path, "xl/vbaProject.bin") == vba
    assert member(path, "[Content_Types].xml") == ct
    assert path.suffix == ".xlsm" and values(path)[(2, 2)] == "y"


def test_untouched_members_keep_their_compressed_bytes(tmp_path):
    from conftest import raw_member

    path = build(tmp_path / "a.xlsx", table_sheet)
    with zipfile.ZipFile(path) as zf:
        old = {i.filename: (raw_member(path, i), i.CRC, i.date_time) for i in zf.infolist()}
        order = zf.namelist()
    report = update_cells(path, "S", {"E1": "x"})
    with zipfile.ZipFile(path) as zf:
        assert zf.namelist() == order
        assert zf.testzip() is None
        for i in zf.infolist():
            if i.filename not in report.parts_rewritten:
                assert (raw_member(path, i), i.CRC, i.date_time) == old[i.filename], i.filename


@pytest.mark.parametrize("owner", ["~${name}", ".~lock.{name}#"])
def test_a_workbook_open_in_excel_is_refused_and_left_unchanged(tmp_path, owner):
    path = build(tmp_path / "投诉跟踪.xlsx", lambda wb, ws: ws.write("A1", "x"))
    before = path.read_bytes()
    (tmp_path / owner.format(name=path.name)).write_bytes(b"owner")
    with pytest.raises(WorkbookBusy):
        update_cells(path, "S", {"A1": "y"})
    assert path.read_bytes() == before
    assert not (tmp_path / BACKUP_DIR).exists()


def test_a_backup_is_kept_and_only_keep_backups_of_them(tmp_path):
    path = build(tmp_path / "a.xlsx", lambda wb, ws: ws.write("A1", 0))
    versions = [path.read_bytes()]
    for n in range(1, 6):
        report = update_cells(path, "S", {"A1": n}, keep_backups=3)
        assert report.backup is not None and report.backup.parent == tmp_path / BACKUP_DIR
        assert report.backup.read_bytes() == versions[-1]
        versions.append(path.read_bytes())
    kept = list_backups(path)
    assert len(kept) == 3
    assert [b.read_bytes() for b in kept] == versions[-2:-5:-1]  # newest first
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".~toolkit-")]  # no temp files left
    report = update_cells(path, "S", {"A1": 9}, keep_backups=0)
    assert report.backup is None


def test_a_missing_sheet_is_refused_with_the_sheet_names(tmp_path):
    path = build(tmp_path / "a.xlsx")
    with pytest.raises(ToolkitError, match="'S'"):
        update_cells(path, "Nope", {"A1": 1})


def test_sheet_names_match_loosely(tmp_path):
    path = build(tmp_path / "a.xlsx", sheet="投诉 跟踪")
    update_cells(path, "投诉跟踪", {"A1": 1})
    assert read_values(path)["投诉 跟踪"] == {(1, 1): 1}


# ---------------------------------------------------------------------- unusual sheet XML


def test_rows_and_cells_without_r_attributes(tmp_path):
    path = handmade(
        tmp_path / "a.xlsx",
        "<row><c><v>1</v></c><c><v>2</v></c><c><v>3</v></c></row>"
        '<row><c t="inlineStr"><is><t>a</t></is></c><c><v>5</v></c></row>'
        '<row r="5"><c><v>7</v></c></row>'
        '<row><c r="C6"><v>8</v></c><c><v>9</v></c></row>',
    )
    assert values(path) == {(1, 1): 1, (1, 2): 2, (1, 3): 3, (2, 1): "a", (2, 2): 5, (5, 1): 7, (6, 3): 8, (6, 4): 9}
    update_cells(path, "S", {"A1": None, "B2": "b", "E6": 10, "B4": "new row", "A7": "last"})
    assert values(path) == {
        (1, 2): 2,
        (1, 3): 3,
        (2, 1): "a",
        (2, 2): "b",
        (4, 2): "new row",
        (5, 1): 7,
        (6, 3): 8,
        (6, 4): 9,
        (6, 5): 10,
        (7, 1): "last",
    }


def test_append_rows_to_a_sheet_without_r_attributes(tmp_path):
    path = handmade(tmp_path / "a.xlsx", "<row><c><v>1</v></c></row><row><c><v>2</v></c></row>")
    report = append_rows(path, "S", [[3], [4]])
    assert report.rows_appended == [3, 4]
    assert values(path) == {(1, 1): 1, (2, 1): 2, (3, 1): 3, (4, 1): 4}


def test_an_empty_sheet_gets_rows(tmp_path):
    path = build(tmp_path / "a.xlsx")
    assert b"<sheetData/>" in member(path, SHEET1)
    update_cells(path, "S", {"C3": "c", "A1": "a"})
    assert values(path) == {(1, 1): "a", (3, 3): "c"}
    assert dimension(path) == "A1:C3"
    report = append_rows(tmp_path / "a.xlsx", "S", [["next"]])
    assert report.rows_appended == [4]


def test_the_dimension_grows_to_cover_new_cells(tmp_path):
    path = build(tmp_path / "a.xlsx", lambda wb, ws: ws.write("B2", "x"))
    assert dimension(path) == "B2"
    update_cells(path, "S", {"D5": "y"})
    assert dimension(path) == "B2:D5"
    update_cells(path, "S", {"A1": "z", "C3": "w"})
    assert dimension(path) == "A1:D5"
    path = build(tmp_path / "b.xlsx", lambda wb, ws: ws.write("A1", "x"))
    assert dimension(path) == "A1"
    update_cells(path, "S", {"C3": "y"})
    assert dimension(path) == "A1:C3"


def test_an_empty_sheet_gets_appended_rows(tmp_path):
    path = build(tmp_path / "a.xlsx")
    report = append_rows(path, "S", [["a", 1], ["b", 2]])
    assert report.rows_appended == [1, 2]
    assert values(path) == {(1, 1): "a", (1, 2): 1, (2, 1): "b", (2, 2): 2}
    assert dimension(path) == "A1:B2"


def test_a_sheet_with_a_prefixed_namespace(tmp_path):
    path = handmade(tmp_path / "a.xlsx", "")
    sheet = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<x:worksheet xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        '<x:dimension ref="A1:B1"/><x:sheetData><x:row r="1"><x:c r="A1"><x:v>1</x:v></x:c>'
        '<x:c r="B1" t="inlineStr"><x:is><x:t>b</x:t></x:is></x:c></x:row></x:sheetData></x:worksheet>'
    )
    rewrite(path, {SHEET1: sheet.encode()})
    update_cells(path, "S", {"B1": "新", "C2": dt.date(2025, 3, 5)})
    xml = member(path, SHEET1)
    assert re.search(rb"<c\b", xml) is None, "unprefixed cells in a prefixed sheet"
    assert values(path) == {(1, 1): 1, (1, 2): "新", (2, 3): dt.date(2025, 3, 5)}
    assert dimension_prefixed(path) == "A1:C2"


def dimension_prefixed(path: Path) -> str:
    return etree.fromstring(member(path, SHEET1)).find("m:dimension", NS).get("ref")


def test_editor_batches_several_sheets_in_one_write(tmp_path):
    path = tmp_path / "a.xlsx"
    wb = xlsxwriter.Workbook(str(path))
    wb.add_worksheet("一")
    wb.add_worksheet("二").write("A1", "x")
    wb.close()
    ed = WorkbookEditor(path)
    ed.set("一", "A1", 1)
    ed.set("二", (2, 1), "y")
    ed.append_rows("二", [["z"]])
    report = ed.save()
    assert sorted(report.parts_rewritten) == ["xl/worksheets/sheet1.xml", "xl/worksheets/sheet2.xml"]
    got = read_values(path)
    assert got["一"] == {(1, 1): 1}
    assert got["二"] == {(1, 1): "x", (2, 1): "y", (3, 1): "z"}
    assert len(list_backups(path)) == 1
