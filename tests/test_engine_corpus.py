"""The workbook engine on real-world workbooks (../shared/corpus/xlsx, read in place).

For every corpus workbook a copy gets a handful of values written into empty cells of its
first visible worksheet. An independent reader (python-calamine) must then see exactly those
cells changed, every zip member other than the rewritten sheet (and styles.xml, for the date
format) must keep its bytes, and existing formulas must keep their text and cached values.
"""

from __future__ import annotations

import datetime as dt
import zipfile
from decimal import Decimal
from pathlib import Path

import pytest
from conftest import a1, raw_member, read_values, sheet_cells, split_ref
from lxml import etree

from toolkit.errors import WorkbookRefused
from toolkit.xlsx import update_cells

# Workbooks the engine must refuse, with the reason.
MUST_REFUSE = {
    "poi_sample.strict.xlsx": "Strict Open XML",
}
pytestmark = [pytest.mark.corpus, pytest.mark.corpus_filter(lambda p: p.name not in MUST_REFUSE)]
MACRO_CONTENT_TYPE = "application/vnd.ms-excel.sheet.macroEnabled.main+xml"


# Hancom Office wraps some cell formats in mc:AlternateContent (an mc:Choice and an mc:Fallback
# copy), which count as ONE entry of <cellXfs> (the file itself declares count="29"; Excel and
# LibreOffice agree - LibreOffice shows the new date cells as dates). python-calamine 0.9 does not
# count them that way, so it looks up the new cells' formats at the wrong entry and reads the
# dates as plain numbers. For these files date cells are compared by their serial number; that
# they carry a date format is checked on styles.xml itself (test_dates_carry_a_date_format).
CALAMINE_MISCOUNTS_STYLES = {"poi_style-alternate-content.xlsx"}
EPOCH = dt.datetime(1899, 12, 30)


def expected_value(value, dates_as_serials: bool = False):
    """What calamine reads back for a value the engine wrote."""
    if isinstance(value, Decimal):
        return float(value)
    if dates_as_serials and isinstance(value, dt.date):
        moment = value if isinstance(value, dt.datetime) else dt.datetime(value.year, value.month, value.day)
        return pytest.approx((moment - EPOCH).total_seconds() / 86400, abs=1e-6)
    return value


def _members(path: Path) -> list[zipfile.ZipInfo]:
    with zipfile.ZipFile(path) as zf:
        return zf.infolist()


def _read(path: Path, name: str) -> bytes:
    with zipfile.ZipFile(path) as zf:
        return zf.read(name)


def _entries(styles_xml: bytes, container: str) -> list:
    """The entries of a styles.xml list (<cellXfs>, <fills>, <numFmts>): an mc:AlternateContent
    wrapper is one entry, represented by its Fallback element as applications without the
    extension read it."""
    root = etree.fromstring(styles_xml)
    box = next((el for el in root if etree.QName(el).localname == container), None)
    if box is None:
        return []
    out = []
    for el in box:
        if not isinstance(el.tag, str):
            continue
        if etree.QName(el).localname == "AlternateContent":
            fallback = next(b for b in el if etree.QName(b).localname == "Fallback")
            el = next(x for x in fallback if isinstance(x.tag, str))
        out.append(el)
    return out


def _declared_count(styles_xml: bytes, container: str) -> int | None:
    root = etree.fromstring(styles_xml)
    box = next((el for el in root if etree.QName(el).localname == container), None)
    return None if box is None or box.get("count") is None else int(box.get("count"))


def check_styles(old_xml: bytes, new_xml: bytes, sheet_xml: bytes) -> None:
    """New cell formats were appended and point at number formats and fills that exist."""
    old_xfs, new_xfs = _entries(old_xml, "cellXfs"), _entries(new_xml, "cellXfs")
    assert [etree.tostring(x) for x in new_xfs[: len(old_xfs)]] == [etree.tostring(x) for x in old_xfs]
    assert 1 <= len(new_xfs) - len(old_xfs) <= 2, "more cell formats than a date and a datetime need"
    assert _declared_count(new_xml, "cellXfs") == len(new_xfs)
    fmts = {int(f.get("numFmtId")) for f in _entries(new_xml, "numFmts")}
    if len(fmts) > len({int(f.get("numFmtId")) for f in _entries(old_xml, "numFmts")}):
        assert _declared_count(new_xml, "numFmts") == len(_entries(new_xml, "numFmts"))
    n_fills = len(_entries(new_xml, "fills"))
    for xf in new_xfs[len(old_xfs) :]:
        fid = int(xf.get("numFmtId", "0"))
        assert fid < 164 or fid in fmts, f"new cell format uses number format {fid}, which is not defined"
        assert int(xf.get("fillId", "0")) < max(n_fills, 1)
    used = {int(c.get("s")) for c in sheet_cells(sheet_xml).values() if c.get("s")}
    assert not used or max(used) < len(new_xfs), f"a cell uses style {max(used)}; there are {len(new_xfs)}"


@pytest.fixture(scope="module")
def _writes():
    return {}


@pytest.fixture
def written(corpus_xlsx_file: Path, tmp_path_factory, corpus_writer, _writes):
    """The corpus workbook copied to its own temporary folder and written (once for all tests here)."""
    name = corpus_xlsx_file.name
    if name not in _writes:
        _writes[name] = corpus_writer(corpus_xlsx_file, tmp_path_factory.mktemp("corpus"))
    return _writes[name]


def test_only_the_written_cells_change(written):
    serials = written.original.name in CALAMINE_MISCOUNTS_STYLES
    before = read_values(written.original)
    after = read_values(written.path)
    assert list(after) == list(before), "the sheets changed"
    for sheet in before:
        got = dict(after[sheet])
        if sheet == written.sheet:
            for rc, value in written.targets.items():
                assert rc not in before[sheet], f"target {a1(*rc)} was not empty"
                assert rc in got, f"{sheet}!{a1(*rc)}: the value {value!r} was not written"
                assert got.pop(rc) == expected_value(value, serials), f"{sheet}!{a1(*rc)}"
        assert got == before[sheet], f"sheet '{sheet}': cells other than the targets changed"


def test_other_zip_members_keep_their_bytes(written):
    old, new = _members(written.original), _members(written.path)
    assert [i.filename for i in new] == [i.filename for i in old], "member list or order changed"
    rewritten = set(written.report.parts_rewritten)
    assert written.part in rewritten
    styles = {n for n in rewritten if n.endswith("styles.xml")}
    assert rewritten - styles == {written.part}, f"unexpected parts rewritten: {sorted(rewritten)}"
    for o, n in zip(old, new):
        if o.filename in rewritten:
            continue
        assert _read(written.path, n.filename) == _read(written.original, o.filename), o.filename
        assert (n.CRC, n.compress_type, n.compress_size, n.file_size) == (
            o.CRC,
            o.compress_type,
            o.compress_size,
            o.file_size,
        ), o.filename
        assert n.date_time == o.date_time, o.filename
        assert raw_member(written.path, n) == raw_member(written.original, o), f"{o.filename}: compressed bytes differ"
    for name in styles:  # date formats (and their cell formats) were appended; nothing else moved
        check_styles(_read(written.original, name), _read(written.path, name), _read(written.path, written.part))


def test_existing_cells_and_formulas_keep_their_xml(written):
    old = sheet_cells(_read(written.original, written.part))
    new = sheet_cells(_read(written.path, written.part))
    for rc, cell in old.items():
        assert rc in new, f"cell {a1(*rc)} disappeared"
        if any(etree.QName(ch).localname == "f" for ch in cell):  # formula text and cached value
            f_old = [(etree.tostring(ch), ch.text) for ch in cell if etree.QName(ch).localname in ("f", "v")]
            f_new = [(etree.tostring(ch), ch.text) for ch in new[rc] if etree.QName(ch).localname in ("f", "v")]
            assert f_new == f_old, f"formula cell {a1(*rc)} changed"
        assert etree.tostring(new[rc]) == etree.tostring(cell), f"cell {a1(*rc)} changed"  # value, style, type
    assert set(new) - set(old) == set(written.targets)
    for rc in written.targets:
        cell = new[rc]
        assert not any(etree.QName(ch).localname == "f" for ch in cell)
        if isinstance(written.targets[rc], str):
            assert cell.get("t") == "inlineStr"


def test_dates_carry_a_date_format(written):
    styles_xml = _read(written.path, "xl/styles.xml")
    xfs = _entries(styles_xml, "cellXfs")
    codes = {int(f.get("numFmtId")): f.get("formatCode") for f in _entries(styles_xml, "numFmts")}
    cells = sheet_cells(_read(written.path, written.part))
    for rc, value in written.targets.items():
        if not isinstance(value, dt.date):
            continue
        xf = xfs[int(cells[rc].get("s", "0"))]
        fid = int(xf.get("numFmtId", "0"))
        code = codes.get(fid)
        if code is None:
            assert 14 <= fid <= 22, f"{a1(*rc)}: number format {fid} is not a date format"
        else:
            want = "yyyy-mm-dd hh:mm" if isinstance(value, dt.datetime) else "yyyy-mm-dd"
            assert code.lower().replace("\\", "") == want, f"{a1(*rc)}: format {code!r}"


def test_sheet_structure_stays_valid(written):
    xml = _read(written.path, written.part)
    root = etree.fromstring(xml)  # well-formed
    rows = [el for el in root.iter() if etree.QName(el).localname == "row"]
    numbers = [int(r.get("r")) for r in rows if r.get("r")]
    assert numbers == sorted(numbers) and len(numbers) == len(set(numbers)), "rows out of order"
    for row in rows:
        refs = [c.get("r") for c in row if etree.QName(c).localname == "c" and c.get("r")]
        cols = [split_ref(x)[1] for x in refs]
        assert cols == sorted(cols) and len(cols) == len(set(cols)), f"cells out of order in row {row.get('r')}"
    dim = next((el.get("ref") for el in root.iter() if etree.QName(el).localname == "dimension"), None)
    if dim:
        last_row, last_col = split_ref(dim.split(":")[-1])
        assert last_row >= written.new_row, f"<dimension ref={dim}> does not cover the new row"
        assert last_col >= max(c for _r, c in written.targets), f"<dimension ref={dim}> does not cover the new column"


@pytest.mark.corpus_filter(lambda p: p.suffix.lower() == ".xlsm" and p.name not in MUST_REFUSE)
def test_macro_workbooks_stay_macro_enabled(written):
    names = [i.filename for i in _members(written.path)]
    vba = [n for n in names if n.lower().endswith("vbaproject.bin")]
    assert vba, "the VBA project is gone"
    for n in vba:
        assert _read(written.path, n) == _read(written.original, n)
    ct = _read(written.path, "[Content_Types].xml")
    assert ct == _read(written.original, "[Content_Types].xml")
    assert MACRO_CONTENT_TYPE.encode() in ct


@pytest.mark.parametrize("name", sorted(MUST_REFUSE))
def test_refused_corpus_workbooks_stay_untouched(name, corpus_dir, tmp_path):
    path = tmp_path / name
    path.write_bytes((corpus_dir / name).read_bytes())
    with pytest.raises(WorkbookRefused, match=MUST_REFUSE[name]):
        update_cells(path, "Sheet1", {"Z1": "x", "Z2": dt.date(2025, 3, 5)})
    assert path.read_bytes() == (corpus_dir / name).read_bytes()
    assert not (tmp_path / ".toolkit-backups").exists()
