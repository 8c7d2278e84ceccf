"""Headless LibreOffice opens what the workbook engine wrote (and sees the new values).

Every corpus workbook is written as in test_engine_corpus.py. All of them - and the untouched
originals - are exported to CSV (one file per sheet) in one LibreOffice call each (the two
run side by side), so the whole module costs two LibreOffice runs plus one re-save. A workbook
that makes LibreOffice crash is set aside and the rest converted in a further call; it is
skipped only when LibreOffice crashes on the untouched original too.
"""

from __future__ import annotations

import csv
import datetime as dt
import shutil
import zipfile
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal
from pathlib import Path

import pytest
from conftest import a1, corpus_xlsx, read_values, sheet_cells, soffice_run, write_corpus_sample
from lxml import etree

REFUSED = {"poi_sample.strict.xlsx"}  # the engine refuses it (see test_engine_corpus.py)
pytestmark = [
    pytest.mark.libreoffice,
    pytest.mark.corpus,
    pytest.mark.slow,
    pytest.mark.corpus_filter(lambda p: p.name not in REFUSED),
]

# Field separator ",", text delimiter '"', UTF-8, raw values (not "as shown"), every sheet (-1)
# into its own file named <stem>-<sheet>.csv.
CSV_FILTER = "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,-1"


def lo_text(value) -> str:
    """How LibreOffice (C/en-US locale, raw values) prints a value the engine wrote.

    Observed with LibreOffice 7.4: date cells come out as ISO dates ("2025-03-05"), date-times
    as "2025-03-05 14:30:00", numbers in their shortest form ("3.25", "1234.5678", "-17").
    """
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, dt.date):
        return value.strftime("%Y-%m-%d")  # the engine's "yyyy-mm-dd" format
    if isinstance(value, Decimal):
        return format(value, "f")
    return str(value)


def convert_all(files: list[Path], outdir: Path, profile: str) -> dict[str, str]:
    """Export every file to CSV, going on after a file that makes LibreOffice crash.

    Returns {file name: why it has no export} for the files LibreOffice could not convert.
    """
    failed: dict[str, str] = {}
    remaining = list(files)
    while remaining:
        proc = soffice_run(remaining, CSV_FILTER, outdir, profile=profile)
        if proc.returncode == 0:
            break
        # LibreOffice converts in order and writes a file's CSVs once it has read all of it,
        # so the file it died on is the first one without any export.
        culprit = next((f for f in remaining if not has_export(f, outdir)), None)
        if culprit is None:
            pytest.fail(f"LibreOffice failed (exit status {proc.returncode}): {proc.stderr[-2000:]}")
        failed[culprit.name] = f"LibreOffice exited with status {proc.returncode} while converting it"
        remaining = remaining[remaining.index(culprit) + 1 :]
    return failed


def has_export(workbook: Path, outdir: Path) -> bool:
    names = {f"{workbook.stem}-{sheet}.csv" for sheet in all_sheet_names(workbook)}
    return any((outdir / n).exists() for n in names)


def all_sheet_names(workbook: Path) -> list[str]:
    with zipfile.ZipFile(workbook) as zf:
        root = etree.fromstring(zf.read("xl/workbook.xml"))
    return [el.get("name") for el in root.iter() if isinstance(el.tag, str) and etree.QName(el).localname == "sheet"]


def read_csv(path: Path) -> list[list[str]]:
    with open(path, encoding="utf-8", newline="") as fh:
        return list(csv.reader(fh))


def csv_cell(rows: list[list[str]], row: int, col: int) -> str:
    if row > len(rows) or col > len(rows[row - 1]):
        return ""
    return rows[row - 1][col - 1]


@pytest.fixture(scope="module")
def exported(tmp_path_factory, soffice):
    """Write every corpus workbook, then export written copies and originals to CSV."""
    base = tmp_path_factory.mktemp("lo-csv")
    (base / "written").mkdir()
    (base / "orig").mkdir()
    writes = {}
    for original in corpus_xlsx:
        if original.name in REFUSED:
            continue
        writes[original.name] = write_corpus_sample(original, base / "written")
        shutil.copyfile(original, base / "orig" / original.name)
    # the two exports run side by side, each LibreOffice with its own profile
    with ThreadPoolExecutor(2) as pool:
        written = pool.submit(convert_all, [w.path for w in writes.values()], base / "csv-written", "written")
        orig = pool.submit(convert_all, [base / "orig" / n for n in writes], base / "csv-orig", "orig")
        failed_written, failed_orig = written.result(), orig.result()
    return base, writes, failed_written, failed_orig


def test_libreoffice_reads_the_written_values(exported, corpus_xlsx_file):
    base, writes, failed_written, failed_orig = exported
    name = corpus_xlsx_file.name
    w = writes[name]
    if name in failed_written:
        if name in failed_orig:
            pytest.skip(f"LibreOffice cannot open the untouched original either ({failed_orig[name]})")
        pytest.fail(f"LibreOffice opens the original but not the written copy: {failed_written[name]}")
    csv_name = f"{w.path.stem}-{w.sheet}.csv"
    assert (base / "csv-written" / csv_name).exists(), f"LibreOffice exported no sheet '{w.sheet}' from {name}"
    rows = read_csv(base / "csv-written" / csv_name)
    for (r, c), value in w.targets.items():
        assert csv_cell(rows, r, c) == lo_text(value), f"{w.sheet}!{a1(r, c)} as LibreOffice reads it"
    # ... and LibreOffice sees every other cell of that sheet as it saw it in the original
    orig = read_csv(base / "csv-orig" / csv_name)
    height = max(len(rows), len(orig))
    width = max([len(x) for x in rows + orig] or [0])
    for r in range(1, height + 1):
        for c in range(1, width + 1):
            if (r, c) not in w.targets:
                assert csv_cell(rows, r, c) == csv_cell(orig, r, c), f"{w.sheet}!{a1(r, c)} changed"


RESAVED = [
    "poi_49273.xlsx",
    "poi_craftonhills_goalpriorityreport.xlsx",
    "poi_style-alternate-content.xlsx",
    "xw_button07.xlsm",
    "poi_55745.xlsx",
]


def test_libreoffice_resave_keeps_every_cell(tmp_path, soffice, corpus_dir):
    """LibreOffice re-saves written workbooks as .xlsx; calamine finds every value there.

    The written sheets' values are compared cell by cell (formula cells excepted: LibreOffice
    may recalculate them), which shows LibreOffice parsed each cell the engine wrote or kept.
    """
    written = {}
    (tmp_path / "w").mkdir()
    for name in RESAVED:
        written[name] = write_corpus_sample(corpus_dir / name, tmp_path / "w")
    soffice([w.path for w in written.values()], "xlsx", tmp_path / "resaved")
    for name, w in written.items():
        resaved = tmp_path / "resaved" / (w.path.stem + ".xlsx")
        assert resaved.exists(), f"LibreOffice did not re-save {name}"
        with zipfile.ZipFile(w.path) as zf:
            formula_cells = {
                rc for rc, cell in sheet_cells(zf.read(w.part)).items() if any(ch.tag.endswith("}f") for ch in cell)
            }
        got = read_values(resaved)[w.sheet]
        mine = read_values(w.path)[w.sheet]
        for rc, value in w.targets.items():
            want = float(value) if isinstance(value, Decimal) else value
            assert got.get(rc) == want, f"{name} {w.sheet}!{a1(*rc)} after LibreOffice re-saved it"
        for rc, value in mine.items():
            if rc in formula_cells or rc in w.targets:
                continue
            assert got.get(rc) == value, f"{name} {w.sheet}!{a1(*rc)} after LibreOffice re-saved it"
        extra = set(got) - set(mine) - formula_cells
        assert not extra, f"{name}: LibreOffice found values the engine did not write: {sorted(extra)[:5]}"
