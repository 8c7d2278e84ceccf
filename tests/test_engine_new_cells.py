"""A row's new cells (a first fill) are built in one go: the same bytes as one encode() per cell,
in the format Excel gives a new cell, and only when every target lies right of the row's last cell."""

from __future__ import annotations

import datetime as dt
import re
import zipfile
from decimal import Decimal
from pathlib import Path

import pytest
import xlsxwriter
from conftest import read_values
from hypothesis import given, settings
from hypothesis import strategies as st

from toolkit.xlsx import WorkbookEditor
from toolkit.xlsx.cells import CellEncoder
from toolkit.xlsx.styles import StyleBook

SHEET1 = "xl/worksheets/sheet1.xml"


def _workbook(path: Path) -> Path:
    """A sheet with a formatted column (C), a row with its own format (row 4) and cells in A:B."""
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("S")
    ws.set_column("C:C", 12, wb.add_format({"bg_color": "#FFFF00"}))
    ws.set_column("E:E", 12, wb.add_format({"num_format": "yyyy/m/d"}))
    ws.set_row(3, None, wb.add_format({"italic": True}))
    for r in range(8):
        ws.write(r, 0, f"K{r}")
        ws.write(r, 1, r)
    wb.close()
    return path


def _styles(path: Path) -> StyleBook:
    with zipfile.ZipFile(path) as zf:
        return StyleBook(zf.read("xl/styles.xml"))


VALUES = st.one_of(
    st.none(),
    st.text(st.characters(blacklist_categories=("Cs",)), max_size=12),
    st.sampled_from(["", " lead", "trail ", "a\nb", "a&b<c>", "_x0041_", "=SUM(A1)", "\x01bell", "已超时"]),
    st.datetimes(min_value=dt.datetime(1899, 12, 31), max_value=dt.datetime(2200, 1, 1)),
    st.dates(min_value=dt.date(1900, 3, 1), max_value=dt.date(2200, 1, 1)),
    st.integers(min_value=-(10**15), max_value=10**15),
    st.floats(allow_nan=False, allow_infinity=False, width=64),
    st.decimals(allow_nan=False, allow_infinity=False, places=3, min_value=-(10**9), max_value=10**9),
    st.booleans(),
)


@pytest.mark.slow  # 300 hypothesis examples, each a workbook written and read
@settings(max_examples=300, deadline=None)
@given(
    row=st.integers(min_value=1, max_value=1_048_576),
    cells=st.dictionaries(st.integers(min_value=1, max_value=60), VALUES, min_size=1, max_size=12),
    prefix=st.sampled_from(["", "x:"]),
)
def test_new_cells_are_the_bytes_encode_gives_each_cell(tmp_path_factory, row, cells, prefix):
    styles_path = _workbook(tmp_path_factory.mktemp("s") / "a.xlsx")
    column_styles = {3: 1, 5: 2}  # as <col style="..."> would give them; others have none

    def style_of(c):
        return column_styles.get(c)

    fast = CellEncoder(_styles(styles_path), prefix.encode())
    slow = CellEncoder(_styles(styles_path), prefix.encode())
    expected = b"".join(
        x
        for c in sorted(cells)
        if (x := slow.encode(f"{_letters(c)}{row}", cells[c], style_of(c))) is not None and cells[c] is not None
    )
    assert fast.new_cells(row, cells, style_of) == expected
    assert fast.styles.xml == slow.styles.xml  # the same formats added to styles.xml, in the same order


def test_templates_follow_the_format_function_they_were_made_with(tmp_path):
    enc = CellEncoder(_styles(_workbook(tmp_path / "a.xlsx")))
    first = enc.new_cells(2, {3: "x"}, lambda c: None)
    second = enc.new_cells(2, {3: "x"}, {3: 1}.get)
    assert first == b'<c r="C2" t="inlineStr"><is><t>x</t></is></c>'
    assert second == b'<c r="C2" s="1" t="inlineStr"><is><t>x</t></is></c>'


def test_a_first_fill_of_many_rows_reads_back_with_its_formats(tmp_path):
    path = _workbook(tmp_path / "a.xlsx")
    ed = WorkbookEditor(path)
    when = dt.datetime(2025, 10, 9, 17, 30)
    for r in range(1, 9):  # every target right of the row's last cell (B)
        ed.set("S", (r, 3), f"状态{r}")
        ed.set("S", (r, 4), when + dt.timedelta(hours=r))
        ed.set("S", (r, 5), r * 10)
        ed.set("S", (r, 6), Decimal("1.50") * r)
        ed.set("S", (r, 7), None)
    ed.save()
    got = read_values(path)["S"]
    for r in range(1, 9):
        assert got[(r, 3)] == f"状态{r}"
        assert got[(r, 4)] == when + dt.timedelta(hours=r)
        assert got[(r, 5)] == r * 10  # a number in the date-formatted column E is not shown as a date
        assert got[(r, 6)] == float(Decimal("1.50") * r)
        assert (r, 7) not in got
    import openpyxl

    ws = openpyxl.load_workbook(path)["S"]
    assert ws["C2"].fill.fgColor.rgb.endswith("FFFF00")  # the column's format
    assert ws["C4"].font.i and not ws["C4"].fill.fgColor.rgb.endswith("FFFF00")  # the row's own format
    assert ws["D2"].number_format == "yyyy-mm-dd hh:mm"
    assert ws["E2"].number_format == "General"


def test_a_row_with_a_target_left_of_its_last_cell_is_patched_cell_by_cell(tmp_path):
    path = _workbook(tmp_path / "a.xlsx")
    ed = WorkbookEditor(path)
    ed.set("S", (2, 1), "replaced")  # an existing cell, and a new one after the row's last cell
    ed.set("S", (2, 3), "new")
    ed.save()
    got = read_values(path)["S"]
    assert got[(2, 1)] == "replaced" and got[(2, 2)] == 1 and got[(2, 3)] == "new"
    with zipfile.ZipFile(path) as zf:
        row = zf.read(SHEET1).split(b'<row r="2"')[1].split(b"</row>")[0]
    assert row.count(b'r="A2"') == 1 and row.index(b'r="A2"') < row.index(b'r="B2"') < row.index(b'r="C2"')


def _letters(c: int) -> str:
    from toolkit.xlsx.refs import column_letter

    return column_letter(c)


def _busy_workbook(path: Path) -> Path:
    """Rows with spans, a row with its own format, cells already in the target columns (one a
    formula), missing rows, and rows with nothing in them."""
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("S")
    ws.set_column("D:D", 12, wb.add_format({"bg_color": "#FFFF00"}))
    ws.set_row(5, None, wb.add_format({"italic": True}))
    for r in range(0, 40):
        if r % 7 == 3:
            continue  # a missing row
        ws.write(r, 0, f"K{r}")
        ws.write(r, 1, r)
    ws.write(8, 4, "already here")
    ws.write_formula(10, 3, "=B11*2", None, 20)
    ws.write_blank(12, 6, None, wb.add_format({"bold": True}))  # an empty formatted cell right of B
    wb.close()
    return path


@settings(max_examples=40, deadline=None)
@given(
    blocks=st.dictionaries(
        st.integers(min_value=3, max_value=9),
        st.dictionaries(st.integers(min_value=1, max_value=45), VALUES, min_size=1, max_size=45),
        min_size=1,
        max_size=5,
    )
)
def test_column_blocks_write_the_same_sheet_as_cell_by_cell_edits(tmp_path_factory, blocks):
    _compare_blocks_with_cells(tmp_path_factory.mktemp("blocks"), blocks)


def test_a_column_of_datetimes_as_blocks_and_as_cells(tmp_path):
    start = dt.datetime(2025, 9, 28, 9, 0)
    deadlines = {r: start + dt.timedelta(minutes=97 * r, seconds=r % 2) for r in range(1, 46)}
    deadlines[7] = None
    deadlines[9] = dt.datetime(2025, 10, 1, 12, 0, 0, 250_000)  # a fraction of a second
    deadlines[13] = dt.datetime(1900, 1, 5, 8, 0)  # before Excel's fictitious leap day
    deadlines[15] = dt.datetime(2300, 1, 1, 18, 0)  # far ahead
    _compare_blocks_with_cells(tmp_path, {3: deadlines, 4: {r: start.date() for r in range(1, 46)}})


def _compare_blocks_with_cells(folder: Path, blocks: dict) -> None:
    by_column, by_cell = _busy_workbook(folder / "a.xlsx"), folder / "b.xlsx"
    by_cell.write_bytes(by_column.read_bytes())
    ed_columns, ed_cells = WorkbookEditor(by_column), WorkbookEditor(by_cell)
    for col, cells in blocks.items():
        rows = sorted(cells)
        ed_columns.edit_for("S").set_column(col, rows, [cells[r] for r in rows])
        for r in rows:
            ed_cells.set("S", (r, col), cells[r])
    report_columns = ed_columns.save(on_formula="skip")
    report_cells = ed_cells.save(on_formula="skip")
    assert report_columns.skipped_formulas == report_cells.skipped_formulas
    assert report_columns.cells_written == report_cells.cells_written
    # The same XML but for the numbers of the cell formats: the column way adds the formats it needs
    # in another order (and may add one no cell ends up using). Each cell shows the same.
    with zipfile.ZipFile(by_column) as a, zipfile.ZipFile(by_cell) as b:
        for name in a.namelist():
            if name not in (SHEET1, "xl/styles.xml"):
                assert a.read(name) == b.read(name), name
        assert re.sub(rb' s="\d+"', b"", a.read(SHEET1)) == re.sub(rb' s="\d+"', b"", b.read(SHEET1))
    assert read_values(by_column) == read_values(by_cell)
    import openpyxl

    ws_a, ws_b = openpyxl.load_workbook(by_column)["S"], openpyxl.load_workbook(by_cell)["S"]
    for row_a, row_b in zip(ws_a.iter_rows(), ws_b.iter_rows(), strict=True):
        for ca, cb in zip(row_a, row_b, strict=True):
            assert (ca.number_format, ca.font.i, ca.font.b, ca.fill.fgColor.rgb) == (
                cb.number_format,
                cb.font.i,
                cb.font.b,
                cb.fill.fgColor.rgb,
            ), ca.coordinate


def test_a_big_part_is_compressed_beside_the_code_making_it(monkeypatch):
    import threading
    import zlib

    import toolkit.xlsx.package as package

    monkeypatch.setattr(package, "BIG_PART", 64 * 1024)
    monkeypatch.setattr(package, "BATCH", 16 * 1024)
    chunks = [(f'<row r="{r}"><c r="A{r}"><v>{r * 7}</v></c></row>' * 3).encode() for r in range(20_000)]
    data = b"".join(chunks)
    out = package.deflate_chunks(iter(chunks))
    assert zlib.decompress(out.data, -15) == data
    assert out.crc == zlib.crc32(data) and out.size == len(data)
    small = package.deflate_chunks([b"<a/>"])
    assert zlib.decompress(small.data, -15) == b"<a/>"

    def failing():
        yield from chunks[:5_000]
        raise ValueError("cell 7 cannot be written")

    before = threading.active_count()
    with pytest.raises(ValueError, match="cell 7"):
        package.deflate_chunks(failing())
    assert threading.active_count() == before  # the compressing thread has ended too


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.one_of(st.none(), st.datetimes(min_value=dt.datetime(1899, 12, 31), max_value=dt.datetime(2300, 1, 1))),
        min_size=1,
        max_size=50,
    )
)
def test_serial_numbers_worked_out_at_once_are_those_of_one_cell_at_a_time(values):
    from toolkit.xlsx.cells import excel_serial, format_number
    from toolkit.xlsx.columns import serial_texts

    for value, text in zip(values, serial_texts(values).to_pylist()):
        if text is not None:
            assert text == format_number(round(excel_serial(value), 8)), value
        else:
            assert value is None or value.microsecond or value < dt.datetime(1900, 3, 1) or value.year >= 2173


def test_serial_numbers_of_every_second_of_a_day_and_of_far_days():
    from toolkit.xlsx.cells import excel_serial, format_number
    from toolkit.xlsx.columns import serial_texts

    for day in (dt.datetime(1900, 3, 1), dt.datetime(2025, 10, 1), dt.datetime(2172, 12, 31)):
        values = [day + dt.timedelta(seconds=s) for s in range(86_400)]
        assert serial_texts(values).to_pylist() == [format_number(round(excel_serial(v), 8)) for v in values]
